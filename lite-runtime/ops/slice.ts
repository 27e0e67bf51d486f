/** SLICE: the block starting at constant `begin` (input 1) of constant `size` (input 2; -1 = to the end). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, input, output, setOutput } from './util/check.js';
import { expectConst, runStrided, strided, stridesOf, type StridedPlan } from './util/layout.js';

const OP = 'SLICE';

export const SLICE: LiteOp<StridedPlan> = {
  code: BuiltinOp.SLICE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), b = input(OP, node, 1), s = input(OP, node, 2);
    expectConst(OP, node, 'begin', b);
    expectConst(OP, node, 'size', s);
    const begin = constInts(OP, node, 'begin', b), size = constInts(OP, node, 'size', s), r = x.shape.length;
    expect(OP, node, begin.length === r && size.length === r, () => `begin and size need ${r} values, got ${begin.length} and ${size.length}`);
    const shape = size.map((sz, d) => (sz === -1 ? x.shape[d]! - begin[d]! : sz));
    shape.forEach((sz, d) => expect(OP, node, begin[d]! >= 0 && sz >= 0 && begin[d]! + sz <= x.shape[d]!,
      () => `${describe('input 0', x)}: slice [${begin[d]}, ${begin[d]! + sz}) is out of range in dim ${d}`));
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    return strided(shape, begin, new Array(r).fill(1), stridesOf(x.shape));
  },
  run: runStrided,
};
