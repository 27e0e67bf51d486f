import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SQUEEZE } from '../../../lite-runtime/ops/squeeze.js';
import { EXPAND_DIMS } from '../../../lite-runtime/ops/expand_dims.js';
import { TRANSPOSE } from '../../../lite-runtime/ops/transpose.js';
import { SLICE } from '../../../lite-runtime/ops/slice.js';
import { PAD } from '../../../lite-runtime/ops/pad.js';
import { STRIDED_SLICE } from '../../../lite-runtime/ops/strided_slice.js';
import { CONCATENATION } from '../../../lite-runtime/ops/concatenation.js';
import { SPLIT } from '../../../lite-runtime/ops/split.js';
import { GATHER } from '../../../lite-runtime/ops/gather.js';
import { SHAPE } from '../../../lite-runtime/ops/shape.js';
import { CAST } from '../../../lite-runtime/ops/cast.js';
import { ARG_MAX } from '../../../lite-runtime/ops/arg_max.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { constant, node, out, runOp, tensor } from './helpers.js';

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const data = (t: { data: ArrayLike<number> | BigInt64Array }): number[] => Array.from(t.data as ArrayLike<number>, Number);

interface SliceCase { shape: number[]; x: number[]; begin: number[]; end: number[]; strides: number[]; masks: number[]; yShape: number[]; y: number[] }

describe('shape-only ops', () => {
  it('SQUEEZE drops the listed or all size-1 dims; EXPAND_DIMS inserts one (negative axis too)', () => {
    expect(runOp(SQUEEZE, node([tensor('float32', [1, 3, 1, 2], iota(6))], [out('float32')], { 0: [2] }))[0]!.shape).toEqual([1, 3, 2]);
    const [s] = runOp(SQUEEZE, node([tensor('int8', [1, 3, 1, 2], iota(6))], [out('int8')], null));
    expect(s!.shape).toEqual([3, 2]);
    expect(data(s!)).toEqual(iota(6));
    expect(runOp(EXPAND_DIMS, node([tensor('float32', [3, 2], iota(6)), constant('int32', [1], [-1])], [out('float32')]))[0]!.shape).toEqual([3, 2, 1]);
    expect(runOp(EXPAND_DIMS, node([tensor('float32', [3, 2], iota(6)), constant('int32', [], [0])], [out('float32')]))[0]!.shape).toEqual([1, 3, 2]);
    expect(() => SQUEEZE.prepare(node([tensor('float32', [2, 3])], [out('float32')], { 0: [0] }))).toThrow(KernelError);
  });

  it('TRANSPOSE permutes dims', () => {
    const [y] = runOp(TRANSPOSE, node([tensor('float32', [2, 3, 4], iota(24)), constant('int32', [3], [2, 0, 1])], [out('float32')]));
    expect(y!.shape).toEqual([4, 2, 3]);
    const ref: number[] = [];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) ref.push(i * 12 + j * 4 + k);
    expect(data(y!)).toEqual(ref);
    expect(() => TRANSPOSE.prepare(node([tensor('float32', [2, 3]), constant('int32', [2], [0, 0])], [out('float32')]))).toThrow(/permutation/);
  });

  it('SLICE and PAD (quantized PAD fills the zero point)', () => {
    const [y] = runOp(SLICE, node([tensor('int32', [3, 4], iota(12)), constant('int32', [2], [1, 1]), constant('int32', [2], [-1, 2])], [out('int32')]));
    expect(y!.shape).toEqual([2, 2]);
    expect(data(y!)).toEqual([5, 6, 9, 10]);
    const [p] = runOp(PAD, node([tensor('int8', [2, 2], [1, 2, 3, 4], { quant: { scale: 1, zeroPoint: -5 } }), constant('int32', [2, 2], [1, 0, 0, 1])],
      [out('int8', { scale: 1, zeroPoint: -5 })]));
    expect(p!.shape).toEqual([3, 3]);
    expect(data(p!)).toEqual([-5, -5, -5, 1, 2, -5, 3, 4, -5]);
    expect(() => SLICE.prepare(node([tensor('int32', [3]), constant('int32', [1], [2]), constant('int32', [1], [2])], [out('int32')]))).toThrow(/out of range/);
  });

  it('STRIDED_SLICE matches numpy indexing for every mask kind (fixtures)', () => {
    const cases = JSON.parse(readFileSync(new URL('../../fixtures/lite/ops/strided_slice.json', import.meta.url), 'utf8')) as SliceCase[];
    for (const c of cases) {
      const n = c.begin.length;
      const [y] = runOp(STRIDED_SLICE, node([tensor('float32', c.shape, c.x), constant('int32', [n], c.begin), constant('int32', [n], c.end),
        constant('int32', [n], c.strides)], [out('float32')], { 0: c.masks[0]!, 1: c.masks[1]!, 2: c.masks[2]!, 3: c.masks[3]!, 4: c.masks[4]! }));
      expect(y!.shape).toEqual(c.yShape);
      expect(data(y!)).toEqual(c.y);
    }
  });

  it('CONCATENATION along an axis, requantizing int8 inputs with another scale', () => {
    const [y] = runOp(CONCATENATION, node([tensor('float32', [2, 2], [1, 2, 3, 4]), tensor('float32', [2, 1], [-5, 6])], [out('float32')], { 0: -1, 1: 1 }));
    expect(y!.shape).toEqual([2, 3]);
    expect(data(y!)).toEqual([1, 2, 0, 3, 4, 6]);
    const [q] = runOp(CONCATENATION, node([tensor('int8', [2], [10, -10], { quant: { scale: 0.5, zeroPoint: 0 } }),
      tensor('int8', [2], [10, -10], { quant: { scale: 0.25, zeroPoint: 2 } })], [out('int8', { scale: 0.5, zeroPoint: 0 })], { 0: 0 }));
    expect(data(q!)).toEqual([10, -10, 4, -6]);
    expect(() => CONCATENATION.prepare(node([tensor('float32', [2, 2]), tensor('float32', [3, 1])], [out('float32')], { 0: 1 }))).toThrow(KernelError);
  });

  it('SPLIT into equal parts', () => {
    const n = node([constant('int32', [], [1]), tensor('float32', [2, 4], iota(8))], [out('float32'), out('float32')], { 0: 2 });
    const [a, b] = runOp(SPLIT, n);
    expect(a!.shape).toEqual([2, 2]);
    expect(data(a!)).toEqual([0, 1, 4, 5]);
    expect(data(b!)).toEqual([2, 3, 6, 7]);
    expect(() => SPLIT.prepare(node([constant('int32', [], [1]), tensor('float32', [2, 3])], [out('float32'), out('float32')], { 0: 2 }))).toThrow(KernelError);
  });

  it('GATHER along an axis (negative index from the end, batch_dims) and rejects an out-of-range index at run', () => {
    const [y] = runOp(GATHER, node([tensor('float32', [3, 2], iota(6)), tensor('int32', [2, 2], [2, 0, -1, 1])], [out('float32')], { 0: 0 }));
    expect(y!.shape).toEqual([2, 2, 2]);
    expect(data(y!)).toEqual([4, 5, 0, 1, 4, 5, 2, 3]);
    const [z] = runOp(GATHER, node([tensor('int8', [2, 3], iota(6)), tensor('int64', [1], [2n])], [out('int8')], { 0: 1 }));
    expect(data(z!)).toEqual([2, 5]);
    expect(() => runOp(GATHER, node([tensor('float32', [3]), tensor('int32', [1], [3])], [out('float32')]))).toThrow(/out of range/);
    // batch_dims 1: params [2,3,2], indices [2,2], axis 1 -> out [2,2,2], out[b,j,:] = params[b, idx[b,j], :]
    const [bd] = runOp(GATHER, node([tensor('float32', [2, 3, 2], iota(12)), tensor('int32', [2, 2], [2, 0, 1, 1])], [out('float32')], { 0: 1, 1: 1 }));
    expect(bd!.shape).toEqual([2, 2, 2]);
    expect(data(bd!)).toEqual([4, 5, 0, 1, 8, 9, 8, 9]);
  });

  it('SHAPE, CAST and ARG_MAX', () => {
    expect(data(runOp(SHAPE, node([tensor('float32', [2, 5, 1])], [out('int32')]))[0]!)).toEqual([2, 5, 1]);
    expect(data(runOp(SHAPE, node([tensor('float32', [7])], [out('int64')]))[0]!)).toEqual([7]);
    expect(data(runOp(CAST, node([tensor('float32', [4], [1.7, -1.7, 0, 300])], [out('int32')]))[0]!)).toEqual([1, -1, 0, 300]);
    expect(data(runOp(CAST, node([tensor('int32', [3], [0, 2, -1])], [out('bool')]))[0]!)).toEqual([0, 1, 1]);
    expect(data(runOp(CAST, node([tensor('int64', [2], [5n, -3n])], [out('float32')]))[0]!)).toEqual([5, -3]);
    const [am] = runOp(ARG_MAX, node([tensor('float32', [2, 3], [1, 5, 5, 9, 2, 3]), constant('int32', [1], [1])], [out('int32')]));
    expect(am!.shape).toEqual([2]);
    expect(data(am!)).toEqual([1, 0]);
    expect(data(runOp(ARG_MAX, node([tensor('int8', [2, 2], [1, -3, 4, 2]), constant('int32', [1], [0])], [out('int64')]))[0]!)).toEqual([1, 1]);
  });
});
