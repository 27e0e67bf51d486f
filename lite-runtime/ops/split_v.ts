/**
 * SPLIT_V: input 0 split along the constant axis (input 2) into parts of the constant
 * `size_splits` (input 1; one entry may be -1 for the rest), any element type.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { constInts, describe, expect, input, output, setOutput } from './util/check.js';
import { expectConst, normAxis } from './util/layout.js';

const OP = 'SPLIT_V';

interface State { outer: number; inInner: number; inner: number; sizes: number[] }

export const SPLIT_V: LiteOp<State> = {
  code: BuiltinOp.SPLIT_V,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), s = input(OP, node, 1), a = input(OP, node, 2);
    expectConst(OP, node, 'size_splits', s);
    expectConst(OP, node, 'axis', a);
    const av = constInts(OP, node, 'axis', a);
    expect(OP, node, av.length === 1, () => `${describe('axis', a)}: must hold one value`);
    const axis = normAxis(OP, node, av[0]!, x.shape.length), dim = x.shape[axis]!;
    const sizes = constInts(OP, node, 'size_splits', s);
    const unknown = sizes.filter((v) => v === -1).length, known = sizes.filter((v) => v !== -1).reduce((p, v) => p + v, 0);
    expect(OP, node, sizes.length === node.outputs.length && unknown <= 1 && sizes.every((v) => v >= -1) && known <= dim && (unknown === 1 || known === dim),
      () => `${describe('size_splits', s)}: [${sizes}] must give ${node.outputs.length} parts summing to ${dim}`);
    const resolved = sizes.map((v) => (v === -1 ? dim - known : v));
    resolved.forEach((sz, i) => {
      const shape = [...x.shape];
      shape[axis] = sz;
      setOutput(OP, node, output(OP, node, i), shape, x.dtype);
    });
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    return { outer, inInner: dim * inner, inner, sizes: resolved };
  },
  run(node: OpNode, s: State) {
    const x = node.inputs[0]!.data as Float32Array;
    let base = 0;
    for (let p = 0; p < s.sizes.length; p++) {
      const y = node.outputs[p]!.data as Float32Array, len = s.sizes[p]! * s.inner;
      for (let o = 0; o < s.outer; o++) {
        const xo = o * s.inInner + base, yo = o * len;
        for (let k = 0; k < len; k++) y[yo + k] = x[xo + k]!;
      }
      base += len;
    }
  },
};
