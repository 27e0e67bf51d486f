/** Shared prepare of LOGICAL_AND / LOGICAL_OR: bool inputs, broadcast bool output. */

import type { OpNode } from '../op.js';
import { broadcastIndex, broadcastShape } from './broadcast.js';
import { expectDType, input, numElements, output, setOutput } from './check.js';

/** Broadcast plan of a logical binary op. */
export interface LogicalPlan { n: number; ia: Int32Array | null; ib: Int32Array | null }

export function prepareLogical(op: string, node: OpNode): LogicalPlan {
  const a = input(op, node, 0), b = input(op, node, 1);
  expectDType(op, node, 'input 0', a, 'bool');
  expectDType(op, node, 'input 1', b, 'bool');
  const shape = broadcastShape(op, node, a.shape, b.shape);
  setOutput(op, node, output(op, node, 0), shape, 'bool');
  return { n: numElements(shape), ia: broadcastIndex(a.shape, shape), ib: broadcastIndex(b.shape, shape) };
}
