import { describe, expect, it } from 'vitest';
import { RESHAPE } from '../../../lite-runtime/ops/reshape.js';
import { SOFTMAX } from '../../../lite-runtime/ops/softmax.js';
import { QUANTIZE } from '../../../lite-runtime/ops/quantize.js';
import { DEQUANTIZE } from '../../../lite-runtime/ops/dequantize.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { constant, maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';

describe('RESHAPE', () => {
  it('takes the shape from the constant shape input, options, or the model output; infers -1', () => {
    const xs = Array.from({ length: 24 }, (_, i) => i);
    const [a] = runOp(RESHAPE, node([tensor('float32', [2, 3, 4], xs), constant('int32', [2], [-1, 6])], [out('float32')]));
    expect(a!.shape).toEqual([4, 6]);
    expect(Array.from(a!.data as Float32Array)).toEqual(xs);
    const [b] = runOp(RESHAPE, node([tensor('int8', [24], xs)], [out('int8')], { 0: [2, 12] }));
    expect(b!.shape).toEqual([2, 12]);
    const o = out('int32'); o.shape = [1, 24];
    expect(runOp(RESHAPE, node([tensor('int32', [4, 6], xs)], [o], null))[0]!.shape).toEqual([1, 24]);
  });

  it('rejects a count mismatch, two -1s and a run-time shape the model does not give', () => {
    const x = tensor('float32', [2, 3]);
    expect(() => RESHAPE.prepare(node([x, constant('int32', [1], [5])], [out('float32')]))).toThrow(KernelError);
    expect(() => RESHAPE.prepare(node([x, constant('int32', [2], [-1, -1])], [out('float32')]))).toThrow(/more than one -1/);
    expect(() => RESHAPE.prepare(node([x, tensor('int32', [1], [6])], [out('float32')]))).toThrow(/computed at run time/);
    const o = out('float32'); o.shape = [3, 2];
    expect(runOp(RESHAPE, node([tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]), tensor('int32', [2], [3, 2])], [o]))[0]!.shape).toEqual([3, 2]);
  });
});

describe('SOFTMAX', () => {
  it('float32 with beta over the last axis', () => {
    const r = rng(50);
    const xs = randf(r, 3 * 7, -4, 4);
    const [y] = runOp(SOFTMAX, node([tensor('float32', [3, 7], xs)], [out('float32')], { 0: 0.5 }));
    const ref: number[] = [];
    for (let i = 0; i < 3; i++) {
      const row = xs.slice(i * 7, i * 7 + 7).map((v) => Math.exp(0.5 * v));
      const s = row.reduce((a, b) => a + b);
      ref.push(...row.map((v) => v / s));
    }
    expect(maxAbsDiff(y!.data as Float32Array, ref)).toBeLessThan(1e-6);
  });

  it('int8 -> int8 (scale 1/256, zp -128) and int8 -> int16 are within half a step of the exact value', () => {
    const r = rng(51);
    const xs = randi(r, 4 * 10, -128, 127);
    const inScale = Math.fround(0.08);
    for (const [dt, scale, zp] of [['int8', 1 / 256, -128], ['int16', 1 / 32768, 0]] as const) {
      const [y] = runOp(SOFTMAX, node([tensor('int8', [4, 10], xs, { quant: { scale: inScale, zeroPoint: 3 } })],
        [out(dt, { scale, zeroPoint: zp })], { 0: 1 }));
      for (let i = 0; i < 4; i++) {
        const row = xs.slice(i * 10, i * 10 + 10).map((v) => Math.exp(inScale * (v - 3)));
        const s = row.reduce((a, b) => a + b);
        row.forEach((v, j) => {
          const exact = v / s / scale + zp;
          const q = (y!.data as Int8Array | Int16Array)[i * 10 + j]!;
          expect(Math.abs(q - Math.min(dt === 'int8' ? 127 : 32767, exact))).toBeLessThanOrEqual(0.5 + 1e-9);
        });
      }
    }
  });
});

describe('QUANTIZE / DEQUANTIZE', () => {
  it('float32 -> int8 rounds half away from zero and saturates; dequantize inverts within half a step', () => {
    const xs = [0, 0.25, -0.25, 0.75, 1.26, -3, 100, -100];
    const [q] = runOp(QUANTIZE, node([tensor('float32', [8], xs)], [out('int8', { scale: 0.5, zeroPoint: 1 })]));
    expect(Array.from(q!.data as Int8Array)).toEqual([1, 2, 0, 3, 4, -5, 127, -128]);
    const [d] = runOp(DEQUANTIZE, node([q!], [out('float32')]));
    expect(Array.from(d!.data as Float32Array)).toEqual([0, 0.5, -0.5, 1, 1.5, -3, 63, -64.5]);
  });

  it('per-channel quantize and dequantize along an axis', () => {
    const xs = [1, 2, 3, 4, 5, 6];
    const [q] = runOp(QUANTIZE, node([tensor('float32', [2, 3], xs)], [out('int8', { scale: [0.5, 0.25, 1], zeroPoint: 0, axis: 1 })]));
    expect(Array.from(q!.data as Int8Array)).toEqual([2, 8, 3, 8, 20, 6]);
    const [d] = runOp(DEQUANTIZE, node([constant('int8', [2, 3], [2, 8, 3, 8, 20, 6], { quant: { scale: [0.5, 0.25, 1], axis: 1 } })], [out('float32')]));
    expect(Array.from(d!.data as Float32Array)).toEqual(xs);
  });

  it('requantizes int16 -> int8 and int8 -> int8 with TFLite fixed-point rounding', () => {
    const r = rng(52);
    const xs = randi(r, 200, -32768, 32767);
    const [q] = runOp(QUANTIZE, node([tensor('int16', [200], xs, { quant: { scale: 0.001, zeroPoint: 0 } })], [out('int8', { scale: 0.25, zeroPoint: -3 })]));
    (q!.data as Int8Array).forEach((v, i) => {
      const exact = xs[i]! * Math.fround(0.001) / 0.25 - 3;
      expect(Math.abs(v - Math.max(-128, Math.min(127, exact)))).toBeLessThanOrEqual(0.5 + 1e-6);
    });
    const [q2] = runOp(QUANTIZE, node([tensor('int8', [4], [-128, 0, 5, 127], { quant: { scale: 0.5, zeroPoint: 0 } })], [out('int8', { scale: 1, zeroPoint: 10 })]));
    expect(Array.from(q2!.data as Int8Array)).toEqual([-54, 10, 13, 74]); // 2.5 -> 3 (half away from zero)
  });

  it('dequantizes float16 constants (normal, subnormal, inf, negative zero)', () => {
    const halves = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x8000, 0x7bff];
    const want = [1, -2, 0.333251953125, 2 ** -24, Infinity, -0, 65504];
    const [d] = runOp(DEQUANTIZE, node([constant('float16', [7], halves)], [out('float32')]), 2);
    expect(Array.from(d!.data as Float32Array)).toEqual(want);
    const [e] = runOp(DEQUANTIZE, node([tensor('float16', [7], halves)], [out('float32')]));
    expect(Array.from(e!.data as Float32Array)).toEqual(want);
  });

  it('rejects float input to DEQUANTIZE and a quantized output without scale', () => {
    expect(() => DEQUANTIZE.prepare(node([tensor('float32', [2])], [out('float32')]))).toThrow(KernelError);
    expect(() => QUANTIZE.prepare(node([tensor('float32', [2])], [out('int8')]))).toThrow(/scale/);
  });
});
