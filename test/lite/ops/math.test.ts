import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MEAN } from '../../../lite-runtime/ops/mean.js';
import { SUM } from '../../../lite-runtime/ops/sum.js';
import { LOG_SOFTMAX } from '../../../lite-runtime/ops/log_softmax.js';
import { L2_NORMALIZATION } from '../../../lite-runtime/ops/l2_normalization.js';
import { BATCH_MATMUL } from '../../../lite-runtime/ops/batch_matmul.js';
import { TRANSPOSE_CONV } from '../../../lite-runtime/ops/transpose_conv.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { constant, maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';

describe('reductions', () => {
  it('MEAN / SUM over axes, with and without keep_dims', () => {
    const xs = Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
    const x = () => tensor('float32', [2, 3, 4], xs);
    const [m] = runOp(MEAN, node([x(), constant('int32', [2], [0, -1])], [out('float32')], { 0: true }));
    expect(m!.shape).toEqual([1, 3, 1]);
    const ref = [0, 1, 2].map((j) => { let s = 0; for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) s += xs[i * 12 + j * 4 + k]!; return s / 8; });
    expect(maxAbsDiff(m!.data as Float32Array, ref)).toBeLessThan(1e-6);
    const [s] = runOp(SUM, node([x(), constant('int32', [1], [1])], [out('float32')]));
    expect(s!.shape).toEqual([2, 4]);
    expect((s!.data as Float32Array)[5]).toBeCloseTo(xs[13]! + xs[17]! + xs[21]!, 5);
  });

  it('int8 MEAN requantizes into the output scale (within half a step)', () => {
    const r = rng(80);
    const xs = randi(r, 2 * 5 * 5 * 3, -128, 127);
    const [m] = runOp(MEAN, node([tensor('int8', [2, 5, 5, 3], xs, { quant: { scale: 0.1, zeroPoint: -4 } }), constant('int32', [2], [1, 2])],
      [out('int8', { scale: 0.05, zeroPoint: 3 })], { 0: true }));
    expect(m!.shape).toEqual([2, 1, 1, 3]);
    for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let p = 0; p < 25; p++) sum += xs[(b * 25 + p) * 3 + c]! + 4;
      const real = Math.fround(0.1) * sum / 25 / Math.fround(0.05) + 3;
      expect(Math.abs((m!.data as Int8Array)[b * 3 + c]! - Math.max(-128, Math.min(127, real)))).toBeLessThanOrEqual(0.5 + 1e-9);
    }
  });
});

describe('normalizations', () => {
  it('LOG_SOFTMAX float32 and int8', () => {
    const r = rng(81);
    const xs = randf(r, 12, -5, 5);
    const [y] = runOp(LOG_SOFTMAX, node([tensor('float32', [2, 6], xs)], [out('float32')]));
    for (let i = 0; i < 2; i++) {
      const row = xs.slice(i * 6, i * 6 + 6), lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      row.forEach((v, j) => expect((y!.data as Float32Array)[i * 6 + j]).toBeCloseTo(v - lse, 5));
    }
    const qs = randi(r, 12, -128, 127);
    const [q] = runOp(LOG_SOFTMAX, node([tensor('int8', [2, 6], qs, { quant: { scale: 0.1, zeroPoint: 0 } })], [out('int8', { scale: 16 / 256, zeroPoint: 127 })]));
    for (let i = 0; i < 2; i++) {
      const row = qs.slice(i * 6, i * 6 + 6).map((v) => v * Math.fround(0.1)), lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      row.forEach((v, j) => expect(Math.abs((q!.data as Int8Array)[i * 6 + j]! - Math.max(-128, (v - lse) / (16 / 256) + 127))).toBeLessThanOrEqual(0.5 + 1e-6));
    }
  });

  it('L2_NORMALIZATION over the last axis, with the epsilon floor', () => {
    const [y] = runOp(L2_NORMALIZATION, node([tensor('float32', [2, 3], [3, 0, 4, 0, 0, 0])], [out('float32')]));
    expect(Array.from(y!.data as Float32Array)).toEqual([0.6000000238418579, 0, 0.800000011920929, 0, 0, 0]);
    const [q] = runOp(L2_NORMALIZATION, node([tensor('int8', [1, 2], [30, -40], { quant: { scale: 0.1, zeroPoint: 0 } })], [out('int8', { scale: 1 / 128, zeroPoint: 0 })]));
    expect(Array.from(q!.data as Int8Array)).toEqual([77, -102]);
  });
});

describe('BATCH_MATMUL', () => {
  function ref(x: number[], y: number[], b: number, m: number, k: number, n: number, adjX: boolean, adjY: boolean, bcastY: boolean): number[] {
    const o: number[] = [];
    for (let t = 0; t < b; t++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      const yo = bcastY ? 0 : t * k * n;
      for (let p = 0; p < k; p++) s += x[t * m * k + (adjX ? p * m + i : i * k + p)]! * y[yo + (adjY ? j * k + p : p * n + j)]!;
      o.push(s);
    }
    return o;
  }
  it('float32 with adj_x / adj_y and broadcast batch dims', () => {
    const r = rng(82);
    for (const [adjX, adjY] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const xs = randf(r, 3 * 4 * 5), ys = randf(r, 5 * 2);
      const [o] = runOp(BATCH_MATMUL, node([tensor('float32', adjX ? [3, 5, 4] : [3, 4, 5], xs), tensor('float32', adjY ? [1, 2, 5] : [1, 5, 2], ys)],
        [out('float32')], { 0: adjX, 1: adjY }));
      expect(o!.shape).toEqual([3, 4, 2]);
      expect(maxAbsDiff(o!.data as Float32Array, ref(xs, ys, 3, 4, 5, 2, adjX, adjY, true))).toBeLessThan(1e-5);
    }
  });
  it('int8 accumulates in int32 and lands within one step of the real product', () => {
    const r = rng(83);
    const xs = randi(r, 2 * 3 * 4, -128, 127), ys = randi(r, 2 * 4 * 3, -128, 127);
    const [o] = runOp(BATCH_MATMUL, node([tensor('int8', [2, 3, 4], xs, { quant: { scale: 0.02, zeroPoint: 3 } }),
      tensor('int8', [2, 4, 3], ys, { quant: { scale: 0.03, zeroPoint: -1 } })], [out('int8', { scale: 0.1, zeroPoint: 2 })]));
    const real = ref(xs.map((v) => (v - 3) * Math.fround(0.02)), ys.map((v) => (v + 1) * Math.fround(0.03)), 2, 3, 4, 3, false, false, false);
    real.forEach((v, i) => expect(Math.abs((o!.data as Int8Array)[i]! - Math.max(-128, Math.min(127, v / Math.fround(0.1) + 2)))).toBeLessThanOrEqual(0.5 + 1e-5));
  });
  it('float input with constant int8 weights (dynamic-range quantized) widens the weights', () => {
    const r = rng(84);
    const xs = randf(r, 2 * 3 * 4), ys = randi(r, 4 * 5, -127, 127);
    const [o] = runOp(BATCH_MATMUL, node([tensor('float32', [2, 3, 4], xs), constant('int8', [4, 5], ys, { quant: { scale: 0.02 } })], [out('float32')]));
    expect(maxAbsDiff(o!.data as Float32Array, ref(xs, ys.map((v) => v * Math.fround(0.02)), 2, 3, 4, 5, false, false, true))).toBeLessThan(1e-5);
  });

  it('rejects mismatched inner dims', () => {
    expect(() => BATCH_MATMUL.prepare(node([tensor('float32', [2, 3]), tensor('float32', [4, 2])], [out('float32')]))).toThrow(KernelError);
  });
});

interface TcCase { x: number[]; xShape: number[]; w: number[]; wShape: number[]; b: number[]; stride: number; padding: number; outShape: number[]; y: number[] }

describe('TRANSPOSE_CONV', () => {
  const cases = JSON.parse(readFileSync(new URL('../../fixtures/lite/ops/transpose_conv.json', import.meta.url), 'utf8')) as TcCase[];
  it('float32 matches torch conv_transpose2d cropped to TFLite padding (fixtures)', () => {
    for (const c of cases) {
      const isConst = c.stride === 2; // the stride-1 case feeds weights and bias computed at run time
      const [y] = runOp(TRANSPOSE_CONV, node([constant('int32', [4], c.outShape), tensor('float32', c.wShape, c.w, { isConst }), tensor('float32', c.xShape, c.x),
        tensor('float32', [c.wShape[0]!], c.b, { isConst })], [out('float32')], { 0: c.padding, 1: c.stride, 2: c.stride }));
      expect(y!.shape).toEqual(c.outShape);
      expect(maxAbsDiff(y!.data as Float32Array, c.y)).toBeLessThan(1e-4);
    }
  });
  it('int8 per-channel is within one step of the float result', () => {
    const c = cases[0]!;
    const xs = c.x.map((v) => Math.max(-128, Math.min(127, Math.round(v / 0.05))));
    const wScales = Array.from({ length: c.wShape[0]! }, (_, o) => Math.max(...c.w.filter((_, i) => Math.floor(i / (c.w.length / c.wShape[0]!)) === o).map(Math.abs)) / 127);
    const per = c.w.length / c.wShape[0]!;
    const ws = c.w.map((v, i) => Math.round(v / wScales[Math.floor(i / per)]!));
    const [y] = runOp(TRANSPOSE_CONV, node([constant('int32', [4], c.outShape), constant('int8', c.wShape, ws, { quant: { scale: wScales } }),
      tensor('int8', c.xShape, xs, { quant: { scale: 0.05, zeroPoint: 0 } }), null], [out('int8', { scale: 0.1, zeroPoint: 0 })], { 0: c.padding, 1: c.stride, 2: c.stride }));
    const [f] = runOp(TRANSPOSE_CONV, node([constant('int32', [4], c.outShape), constant('float32', c.wShape, ws.map((v, i) => v * Math.fround(wScales[Math.floor(i / per)]!))),
      tensor('float32', c.xShape, xs.map((v) => v * Math.fround(0.05))), null], [out('float32')], { 0: c.padding, 1: c.stride, 2: c.stride }));
    (y!.data as Int8Array).forEach((v, i) => expect(Math.abs(v - Math.max(-128, Math.min(127, (f!.data as Float32Array)[i]! / Math.fround(0.1))))).toBeLessThanOrEqual(0.5 + 1e-4));
  });
});
