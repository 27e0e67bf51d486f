import { describe, expect, it } from 'vitest';
import { LOGICAL_AND } from '../../../lite-runtime/ops/logical_and.js';
import { LOGICAL_OR } from '../../../lite-runtime/ops/logical_or.js';
import { LOGICAL_NOT } from '../../../lite-runtime/ops/logical_not.js';
import { FLOOR_DIV } from '../../../lite-runtime/ops/floor_div.js';
import { FLOOR_MOD } from '../../../lite-runtime/ops/floor_mod.js';
import { REVERSE_V2 } from '../../../lite-runtime/ops/reverse_v2.js';
import { ZEROS_LIKE } from '../../../lite-runtime/ops/zeros_like.js';
import { FILL } from '../../../lite-runtime/ops/fill.js';
import { CUMSUM } from '../../../lite-runtime/ops/cumsum.js';
import { SPACE_TO_BATCH_ND } from '../../../lite-runtime/ops/space_to_batch_nd.js';
import { BATCH_TO_SPACE_ND } from '../../../lite-runtime/ops/batch_to_space_nd.js';
import { constant, node, out, runOp, tensor } from './helpers.js';

const data = (t: { data: unknown }): number[] => Array.from(t.data as ArrayLike<number>, Number);
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('logical ops', () => {
  it('AND / OR broadcast, NOT', () => {
    const a = () => tensor('bool', [2, 2], [1, 0, 1, 1]), b = () => tensor('bool', [2], [1, 0]);
    expect(data(runOp(LOGICAL_AND, node([a(), b()], [out('bool')]))[0]!)).toEqual([1, 0, 1, 0]);
    expect(data(runOp(LOGICAL_OR, node([a(), b()], [out('bool')]))[0]!)).toEqual([1, 0, 1, 1]);
    expect(data(runOp(LOGICAL_NOT, node([a()], [out('bool')]))[0]!)).toEqual([0, 1, 0, 0]);
  });
});

describe('floor division', () => {
  it('FLOOR_DIV and FLOOR_MOD follow Python semantics (result takes the divisor sign)', () => {
    const a = [7, -7, 7, -7], b = [2, 2, -2, -2];
    expect(data(runOp(FLOOR_DIV, node([tensor('int32', [4], a), tensor('int32', [4], b)], [out('int32')]))[0]!)).toEqual([3, -4, -4, 3]);
    expect(data(runOp(FLOOR_MOD, node([tensor('int32', [4], a), tensor('int32', [4], b)], [out('int32')]))[0]!)).toEqual([1, 1, -1, -1]);
    expect(data(runOp(FLOOR_MOD, node([tensor('float32', [2], [5.5, -5.5]), tensor('float32', [1], [2])], [out('float32')]))[0]!)).toEqual([1.5, 0.5]);
    expect(() => runOp(FLOOR_DIV, node([tensor('int32', [1], [1]), tensor('int32', [1], [0])], [out('int32')]))).toThrow(/division by zero/);
  });
});

describe('REVERSE_V2, ZEROS_LIKE, FILL, CUMSUM', () => {
  it('reverse axes; zeros; fill; cumulative sums (exclusive, reverse)', () => {
    const [r] = runOp(REVERSE_V2, node([tensor('float32', [2, 3], iota(6)), constant('int32', [1], [-1])], [out('float32')]));
    expect(data(r!)).toEqual([2, 1, 0, 5, 4, 3]);
    expect(data(runOp(ZEROS_LIKE, node([tensor('int8', [3], [1, 2, 3])], [out('int8')]))[0]!)).toEqual([0, 0, 0]);
    const [f] = runOp(FILL, node([constant('int32', [2], [2, 2]), constant('float32', [], [1.5])], [out('float32')]));
    expect(f!.shape).toEqual([2, 2]);
    expect(data(f!)).toEqual([1.5, 1.5, 1.5, 1.5]);
    const x = () => tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(data(runOp(CUMSUM, node([x(), constant('int32', [], [1])], [out('float32')]))[0]!)).toEqual([1, 3, 6, 4, 9, 15]);
    expect(data(runOp(CUMSUM, node([x(), constant('int32', [], [1])], [out('float32')], { 0: true, 1: true }))[0]!)).toEqual([5, 3, 0, 11, 6, 0]);
    expect(data(runOp(CUMSUM, node([x(), constant('int32', [], [0])], [out('float32')]))[0]!)).toEqual([1, 2, 3, 5, 7, 9]);
  });
});

describe('SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND', () => {
  it('follow TensorFlow (block positions outermost in the batch) and invert each other', () => {
    const xs = iota(16);
    const [s] = runOp(SPACE_TO_BATCH_ND, node([tensor('float32', [1, 4, 4, 1], xs), constant('int32', [2], [2, 2]), constant('int32', [2, 2], [0, 0, 0, 0])], [out('float32')]));
    expect(s!.shape).toEqual([4, 2, 2, 1]);
    expect(data(s!)).toEqual([0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15]);
    const [b] = runOp(BATCH_TO_SPACE_ND, node([s!, constant('int32', [2], [2, 2]), constant('int32', [2, 2], [0, 0, 0, 0])], [out('float32')]));
    expect(b!.shape).toEqual([1, 4, 4, 1]);
    expect(data(b!)).toEqual(xs);
    // padding then cropping the same amount is the identity too
    const [sp] = runOp(SPACE_TO_BATCH_ND, node([tensor('float32', [1, 3, 3, 1], iota(9)), constant('int32', [2], [2, 2]), constant('int32', [2, 2], [1, 0, 0, 1])], [out('float32')]));
    expect(sp!.shape).toEqual([4, 2, 2, 1]);
    const [bc] = runOp(BATCH_TO_SPACE_ND, node([sp!, constant('int32', [2], [2, 2]), constant('int32', [2, 2], [1, 0, 0, 1])], [out('float32')]));
    expect(data(bc!)).toEqual(iota(9));
  });
});
