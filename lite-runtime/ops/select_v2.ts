/** SELECT_V2: condition ? x : y elementwise, all three broadcast together; any element type. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { broadcastIndex, broadcastShape } from './util/broadcast.js';
import { describe, expect, expectDType, input, numElements, output, setOutput } from './util/check.js';

const OP = 'SELECT_V2';

interface State { n: number; ic: Int32Array | null; ix: Int32Array | null; iy: Int32Array | null }

export const SELECT_V2: LiteOp<State> = {
  code: BuiltinOp.SELECT_V2,
  name: OP,
  prepare(node) {
    const c = input(OP, node, 0), x = input(OP, node, 1), y = input(OP, node, 2);
    expectDType(OP, node, 'condition', c, 'bool');
    expect(OP, node, x.dtype === y.dtype, () => `${describe('input 1', x)} and ${describe('input 2', y)} must share a dtype`);
    const shape = broadcastShape(OP, node, broadcastShape(OP, node, c.shape, x.shape), y.shape);
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    return { n: numElements(shape), ic: broadcastIndex(c.shape, shape), ix: broadcastIndex(x.shape, shape), iy: broadcastIndex(y.shape, shape) };
  },
  run(node: OpNode, { n, ic, ix, iy }: State) {
    const c = node.inputs[0]!.data as Uint8Array, x = node.inputs[1]!.data as Float32Array, y = node.inputs[2]!.data as Float32Array;
    const o = node.outputs[0]!.data as Float32Array;
    for (let i = 0; i < n; i++) o[i] = c[ic ? ic[i]! : i] ? x[ix ? ix[i]! : i]! : y[iy ? iy[i]! : i]!;
  },
};
