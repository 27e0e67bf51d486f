/** TRANSPOSE by the constant permutation `perm` (input 1), any element type. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, input, output, setOutput } from './util/check.js';
import { expectConst, runStrided, strided, stridesOf, type StridedPlan } from './util/layout.js';

const OP = 'TRANSPOSE';

export const TRANSPOSE: LiteOp<StridedPlan> = {
  code: BuiltinOp.TRANSPOSE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), p = input(OP, node, 1);
    expectConst(OP, node, 'perm', p);
    const perm = constInts(OP, node, 'perm', p), r = x.shape.length;
    expect(OP, node, perm.length === r && [...perm].sort((a, b) => a - b).every((v, i) => v === i),
      () => `${describe('perm', p)}: [${perm}] is not a permutation of 0..${r - 1}`);
    const shape = perm.map((d) => x.shape[d]!);
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    const st = stridesOf(x.shape);
    // output dim d walks input dim perm[d]
    return strided(shape, new Array(r).fill(0), new Array(r).fill(1), perm.map((d) => st[d]!));
  },
  run: runStrided,
};
