/** SPLIT: `num_splits` equal parts of input 1 along the constant axis (input 0), any element type. */
import { BuiltinOp, SplitOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { constInts, describe, expect, input, output, setOutput } from './util/check.js';
import { expectConst, normAxis } from './util/layout.js';

const OP = 'SPLIT';

interface State { outer: number; inInner: number; partInner: number; parts: number }

export const SPLIT: LiteOp<State> = {
  code: BuiltinOp.SPLIT,
  name: OP,
  prepare(node) {
    const a = input(OP, node, 0), x = input(OP, node, 1);
    expectConst(OP, node, 'axis', a);
    const av = constInts(OP, node, 'axis', a);
    expect(OP, node, av.length === 1, () => `${describe('axis', a)}: must hold one value`);
    const axis = normAxis(OP, node, av[0]!, x.shape.length);
    const parts = node.options ? node.options.i32(F.num_splits, node.outputs.length) : node.outputs.length;
    expect(OP, node, parts >= 1 && parts === node.outputs.length && x.shape[axis]! % parts === 0,
      () => `${describe('input 1', x)}: dim ${axis} cannot split into ${parts} equal parts for ${node.outputs.length} outputs`);
    const shape = [...x.shape];
    shape[axis] = x.shape[axis]! / parts;
    for (let i = 0; i < parts; i++) setOutput(OP, node, output(OP, node, i), [...shape], x.dtype);
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    return { outer, inInner: x.shape[axis]! * inner, partInner: shape[axis]! * inner, parts };
  },
  run(node: OpNode, s: State) {
    const x = node.inputs[1]!.data as Float32Array;
    for (let p = 0; p < s.parts; p++) {
      const y = node.outputs[p]!.data as Float32Array;
      for (let o = 0; o < s.outer; o++) {
        const xo = o * s.inInner + p * s.partInner, yo = o * s.partInner;
        for (let k = 0; k < s.partInner; k++) y[yo + k] = x[xo + k]!;
      }
    }
  },
};
