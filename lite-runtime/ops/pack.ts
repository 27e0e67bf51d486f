/** PACK: stacks N same-shape inputs along a new dim `axis` (PackOptions; negative counts from the end), any element type. */
import { BuiltinOp, PackOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, fail, input, output, sameShape, setOutput } from './util/check.js';

const OP = 'PACK';

interface State { outer: number; inner: number; count: number }

export const PACK: LiteOp<State> = {
  code: BuiltinOp.PACK,
  name: OP,
  prepare(node) {
    const count = node.inputs.length;
    expect(OP, node, count >= 1, () => 'needs at least one input');
    const first = input(OP, node, 0), r = first.shape.length;
    const n = node.options ? node.options.i32(F.values_count, count) : count;
    expect(OP, node, n === count, () => `values_count ${n} differs from the ${count} inputs`);
    let axis = node.options ? node.options.i32(F.axis, 0) : 0;
    if (axis < 0) axis += r + 1;
    if (axis < 0 || axis > r) throw fail(OP, node, `axis is out of range for rank ${r} inputs`);
    for (let i = 1; i < count; i++) {
      const t = input(OP, node, i);
      expect(OP, node, t.dtype === first.dtype && sameShape(t.shape, first.shape),
        () => `${describe(`input ${i}`, t)} must match ${describe('input 0', first)}`);
    }
    const shape = [...first.shape];
    shape.splice(axis, 0, count);
    setOutput(OP, node, output(OP, node, 0), shape, first.dtype);
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= first.shape[d]!;
    for (let d = axis; d < r; d++) inner *= first.shape[d]!;
    return { outer, inner, count };
  },
  run(node: OpNode, { outer, inner, count }: State) {
    const y = node.outputs[0]!.data as Float32Array;
    for (let i = 0; i < count; i++) {
      const x = node.inputs[i]!.data as Float32Array;
      for (let o = 0; o < outer; o++) {
        const xo = o * inner, yo = (o * count + i) * inner;
        for (let k = 0; k < inner; k++) y[yo + k] = x[xo + k]!;
      }
    }
  },
};
