import { describe, expect, it } from 'vitest';
import { REDUCE_MAX } from '../../../lite-runtime/ops/reduce_max.js';
import { REDUCE_MIN } from '../../../lite-runtime/ops/reduce_min.js';
import { REDUCE_PROD } from '../../../lite-runtime/ops/reduce_prod.js';
import { ARG_MIN } from '../../../lite-runtime/ops/arg_min.js';
import { RELU_N1_TO_1 } from '../../../lite-runtime/ops/relu_n1_to_1.js';
import { RELU_0_TO_1 } from '../../../lite-runtime/ops/relu_0_to_1.js';
import { ELU } from '../../../lite-runtime/ops/elu.js';
import { PADV2 } from '../../../lite-runtime/ops/padv2.js';
import { MIRROR_PAD } from '../../../lite-runtime/ops/mirror_pad.js';
import { SPACE_TO_DEPTH } from '../../../lite-runtime/ops/space_to_depth.js';
import { DEPTH_TO_SPACE } from '../../../lite-runtime/ops/depth_to_space.js';
import { BROADCAST_TO } from '../../../lite-runtime/ops/broadcast_to.js';
import { GATHER_ND } from '../../../lite-runtime/ops/gather_nd.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { constant, maxAbsDiff, node, out, runOp, tensor } from './helpers.js';

const data = (t: { data: unknown }): number[] => Array.from(t.data as ArrayLike<number>, Number);
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('REDUCE_MAX / REDUCE_MIN / REDUCE_PROD / ARG_MIN', () => {
  const xs = [3, -1, 4, 1, -5, 9, 2, 6, -5, 3, 5, 8];
  it('reduce over axes (keep_dims too)', () => {
    const x = () => tensor('float32', [2, 3, 2], xs);
    expect(data(runOp(REDUCE_MAX, node([x(), constant('int32', [1], [1])], [out('float32')]))[0]!)).toEqual([4, 9, 5, 8]);
    const [mn] = runOp(REDUCE_MIN, node([x(), constant('int32', [2], [0, 2])], [out('float32')], { 0: true }));
    expect(mn!.shape).toEqual([1, 3, 1]);
    expect(data(mn!)).toEqual([-1, -5, -5]);
    expect(data(runOp(REDUCE_PROD, node([x(), constant('int32', [1], [2])], [out('float32')]))[0]!)).toEqual([-3, 4, -45, 12, -15, 40]);
    expect(data(runOp(REDUCE_MAX, node([tensor('int32', [2, 2], [1, 7, -3, 2]), constant('int32', [1], [0])], [out('int32')]))[0]!)).toEqual([1, 7]);
  });
  it('int8 max/min keep the stored extreme when quantization is shared, requantize otherwise', () => {
    const q = { scale: 0.1, zeroPoint: 2 };
    const [m] = runOp(REDUCE_MAX, node([tensor('int8', [2, 3], [1, 50, -7, 127, -128, 0], { quant: q }), constant('int32', [1], [1])], [out('int8', q)]));
    expect(data(m!)).toEqual([50, 127]);
    const [r] = runOp(REDUCE_MIN, node([tensor('int8', [2, 3], [1, 50, -7, 127, -128, 0], { quant: q }), constant('int32', [1], [1])], [out('int8', { scale: 0.2, zeroPoint: 0 })]));
    expect(data(r!)).toEqual([-5, -65]); // (-7 - 2) * 0.1 / 0.2 = -4.5 -> -5; -130 * 0.1 / 0.2 = -65
  });
  it('ARG_MIN picks the first minimum', () => {
    const [a] = runOp(ARG_MIN, node([tensor('float32', [2, 3], [4, 1, 1, -2, 5, -2]), constant('int32', [1], [1])], [out('int32')]));
    expect(data(a!)).toEqual([1, 0]);
  });
});

describe('unary clamps and ELU', () => {
  it('RELU_N1_TO_1, RELU_0_TO_1 and ELU (float32)', () => {
    const xs = [-3, -0.5, 0.25, 2];
    expect(data(runOp(RELU_N1_TO_1, node([tensor('float32', [4], xs)], [out('float32')]))[0]!)).toEqual([-1, -0.5, 0.25, 1]);
    expect(data(runOp(RELU_0_TO_1, node([tensor('float32', [4], xs)], [out('float32')]))[0]!)).toEqual([0, 0, 0.25, 1]);
    const [e] = runOp(ELU, node([tensor('float32', [4], xs)], [out('float32')]));
    expect(maxAbsDiff(e!.data as Float32Array, xs.map((v) => (v < 0 ? Math.exp(v) - 1 : v)))).toBeLessThan(1e-7);
  });
});

describe('padding and space/depth', () => {
  it('PADV2 fills with its constant input', () => {
    const [y] = runOp(PADV2, node([tensor('float32', [2, 2], [1, 2, 3, 4]), constant('int32', [2, 2], [1, 0, 0, 1]), constant('float32', [1], [9])], [out('float32')]));
    expect(data(y!)).toEqual([9, 9, 9, 1, 2, 9, 3, 4, 9]);
  });
  it('MIRROR_PAD REFLECT and SYMMETRIC match numpy pad modes', () => {
    const x = () => tensor('float32', [3], [1, 2, 3]);
    expect(data(runOp(MIRROR_PAD, node([x(), constant('int32', [1, 2], [2, 2])], [out('float32')], { 0: 0 }))[0]!)).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(data(runOp(MIRROR_PAD, node([x(), constant('int32', [1, 2], [3, 1])], [out('float32')], { 0: 1 }))[0]!)).toEqual([3, 2, 1, 1, 2, 3, 3]);
    expect(() => MIRROR_PAD.prepare(node([x(), constant('int32', [1, 2], [3, 0])], [out('float32')], { 0: 0 }))).toThrow(KernelError);
  });
  it('SPACE_TO_DEPTH and DEPTH_TO_SPACE invert each other (TensorFlow DCR order)', () => {
    const xs = iota(32);
    const [s] = runOp(SPACE_TO_DEPTH, node([tensor('float32', [1, 4, 4, 2], xs)], [out('float32')], { 0: 2 }));
    expect(s!.shape).toEqual([1, 2, 2, 8]);
    // first output pixel = input pixels (0,0), (0,1), (1,0), (1,1), channels innermost
    expect(data(s!).slice(0, 8)).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    const [d] = runOp(DEPTH_TO_SPACE, node([s!], [out('float32')], { 0: 2 }));
    expect(d!.shape).toEqual([1, 4, 4, 2]);
    expect(data(d!)).toEqual(xs);
  });
});

describe('BROADCAST_TO and GATHER_ND', () => {
  it('BROADCAST_TO a constant shape', () => {
    const [y] = runOp(BROADCAST_TO, node([tensor('int32', [2, 1], [5, 6]), constant('int32', [3], [2, 2, 3])], [out('int32')]));
    expect(y!.shape).toEqual([2, 2, 3]);
    expect(data(y!)).toEqual([5, 5, 5, 6, 6, 6, 5, 5, 5, 6, 6, 6]);
    expect(() => BROADCAST_TO.prepare(node([tensor('int32', [3]), constant('int32', [1], [2])], [out('int32')]))).toThrow(KernelError);
  });
  it('GATHER_ND picks slices and rejects an index out of range at run', () => {
    const [y] = runOp(GATHER_ND, node([tensor('float32', [3, 2, 2], iota(12)), tensor('int32', [2, 2], [2, 1, 0, 0])], [out('float32')]));
    expect(y!.shape).toEqual([2, 2]);
    expect(data(y!)).toEqual([10, 11, 0, 1]);
    expect(() => runOp(GATHER_ND, node([tensor('float32', [3, 2]), tensor('int32', [1, 1], [3])], [out('float32')]))).toThrow(/out of range/);
  });
});
