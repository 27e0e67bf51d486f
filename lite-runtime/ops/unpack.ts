/** UNPACK: splits input 0 along `axis` (UnpackOptions) into `num` outputs without that dim, any element type. */
import { BuiltinOp, UnpackOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, input, output, setOutput } from './util/check.js';
import { normAxis } from './util/layout.js';

const OP = 'UNPACK';

interface State { outer: number; inner: number; count: number }

export const UNPACK: LiteOp<State> = {
  code: BuiltinOp.UNPACK,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0);
    expect(OP, node, x.shape.length >= 1, () => `${describe('input 0', x)}: needs rank >= 1`);
    const axis = normAxis(OP, node, node.options ? node.options.i32(F.axis, 0) : 0, x.shape.length);
    const count = x.shape[axis]!;
    const num = node.options ? node.options.i32(F.num, count) : count;
    expect(OP, node, num === count && node.outputs.length === count,
      () => `${describe('input 0', x)}: dim ${axis} (${count}) must equal num ${num} and the ${node.outputs.length} outputs`);
    const shape = x.shape.filter((_, i) => i !== axis);
    for (let i = 0; i < count; i++) setOutput(OP, node, output(OP, node, i), [...shape], x.dtype);
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    return { outer, inner, count };
  },
  run(node: OpNode, { outer, inner, count }: State) {
    const x = node.inputs[0]!.data as Float32Array;
    for (let i = 0; i < count; i++) {
      const y = node.outputs[i]!.data as Float32Array;
      for (let o = 0; o < outer; o++) {
        const xo = (o * count + i) * inner, yo = o * inner;
        for (let k = 0; k < inner; k++) y[yo + k] = x[xo + k]!;
      }
    }
  },
};
