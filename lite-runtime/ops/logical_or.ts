/** LOGICAL_OR: a || b on bool tensors, broadcasting. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareLogical, type LogicalPlan } from './util/logical.js';

export const LOGICAL_OR: LiteOp<LogicalPlan> = {
  code: BuiltinOp.LOGICAL_OR,
  name: 'LOGICAL_OR',
  prepare: (node) => prepareLogical('LOGICAL_OR', node),
  run(node: OpNode, { n, ia, ib }: LogicalPlan) {
    const a = node.inputs[0]!.data as Uint8Array, b = node.inputs[1]!.data as Uint8Array, y = node.outputs[0]!.data as Uint8Array;
    for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! || b[ib ? ib[i]! : i]! ? 1 : 0;
  },
};
