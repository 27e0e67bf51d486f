import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelBackend, setKernelBackend, type KernelBackend } from '../../../lite-runtime/kernels/index.js';
import { FULLY_CONNECTED } from '../../../lite-runtime/ops/fully_connected.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { setRequantMode } from '../../../lite-runtime/ops/util/requant.js';
import { requantRef, type Mode } from './reference.js';
import { constant, maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';

function fcFloat(x: number[], w: number[], b: number[] | null, batch: number, k: number, n: number, lo = -Infinity, hi = Infinity): number[] {
  const y: number[] = [];
  for (let i = 0; i < batch; i++) for (let u = 0; u < n; u++) {
    let s = b ? b[u]! : 0;
    for (let j = 0; j < k; j++) s += x[i * k + j]! * w[u * k + j]!;
    y.push(Math.min(hi, Math.max(lo, s)));
  }
  return y;
}

// TFLite's integer FullyConnected: acc = sum (x - xz) * (w - wz) + bias, requantized per channel.
function fcInt8(mode: Mode, x: number[], xz: number, w: number[], wz: number, b: number[] | null, batch: number, k: number, n: number,
  xs: number, ws: number[], ys: number, yz: number, lo = -128, hi = 127): number[] {
  const y: number[] = [];
  for (let i = 0; i < batch; i++) for (let u = 0; u < n; u++) {
    let s = b ? b[u]! : 0;
    for (let j = 0; j < k; j++) s += (x[i * k + j]! - xz) * (w[u * k + j]! - wz);
    y.push(requantRef(mode, s, xs, ws[ws.length === 1 ? 0 : u]!, ys, yz, lo, hi));
  }
  return y;
}

describe.each(['wasm', 'js'] as KernelBackend[])('FULLY_CONNECTED (%s kernels)', (backend) => {
  const before = kernelBackend();
  beforeAll(() => setKernelBackend(backend));
  afterAll(() => setKernelBackend(before));

  it('float32 matches x @ w^T + b with activations, const and non-const weights', () => {
    const r = rng(30);
    for (const [batch, k, n, act] of [[1, 1, 16, 1], [3, 17, 5, 0], [2, 64, 33, 3], [4, 7, 9, 2]] as const) {
      for (const isConst of [true, false]) {
        const xs = randf(r, batch * k, -2, 2), ws = randf(r, n * k), bs = randf(r, n);
        const [y] = runOp(FULLY_CONNECTED, node([tensor('float32', [batch, k], xs), tensor('float32', [n, k], ws, { isConst }),
          constant('float32', [n], bs)], [out('float32')], { 0: act }));
        expect(y!.shape).toEqual([batch, n]);
        const [lo, hi] = ({ 0: [-Infinity, Infinity], 1: [0, Infinity], 2: [-1, 1], 3: [0, 6] } as Record<number, [number, number]>)[act]!;
        expect(maxAbsDiff(y!.data as Float32Array, fcFloat(xs, ws, bs, batch, k, n, lo, hi))).toBeLessThan(1e-4);
      }
    }
  });

  it('flattens a rank-4 input, or keeps its dims with keep_num_dims', () => {
    const r = rng(31);
    const xs = randf(r, 2 * 3 * 4), ws = randf(r, 5 * 4);
    const [y] = runOp(FULLY_CONNECTED, node([tensor('float32', [2, 3, 4], xs), constant('float32', [5, 4], ws), null], [out('float32')], { 2: true }));
    expect(y!.shape).toEqual([2, 3, 5]);
    expect(maxAbsDiff(y!.data as Float32Array, fcFloat(xs, ws, null, 6, 4, 5))).toBeLessThan(1e-5);
    const [z] = runOp(FULLY_CONNECTED, node([tensor('float32', [1, 2, 3, 4], xs), constant('float32', [5, 12], randf(r, 60)), null], [out('float32')]));
    expect(z!.shape).toEqual([2, 5]);
  });

  it.each(['fp32', 'reference'] as const)('int8 per-tensor and per-channel match the %s requantization exactly', (mode) => {
    setRequantMode(mode);
    const r = rng(32);
    for (const [batch, k, n, perChannel, wz] of [[1, 16, 16, false, 0], [3, 40, 7, true, 0], [2, 25, 10, false, 4]] as const) {
      const xs = randi(r, batch * k, -128, 127), ws = randi(r, n * k, -127, 127), bs = randi(r, n, -5000, 5000);
      const wScales = (perChannel ? randf(r, n, 0.002, 0.02) : [0.01]).map(Math.fround);
      const xScale = Math.fround(0.07), yScale = Math.fround(0.02 * Math.sqrt(k)), xz = -12, yz = 6;
      const [y] = runOp(FULLY_CONNECTED, node([
        tensor('int8', [batch, k], xs, { quant: { scale: xScale, zeroPoint: xz } }),
        tensor('int8', [n, k], ws, { quant: { scale: wScales, zeroPoint: wz }, isConst: batch !== 3 }),
        tensor('int32', [n], bs, { isConst: batch !== 3 }),
      ], [out('int8', { scale: yScale, zeroPoint: yz })], { 0: 1 }));
      const ref = fcInt8(mode, xs, xz, ws, wz, bs, batch, k, n, xScale, wScales, yScale, yz, yz, 127);
      expect(Array.from(y!.data as Int8Array)).toEqual(ref);
    }
  });

  it('float input with int8 weights (weight-only quantization) dequantizes the weights', () => {
    const r = rng(33);
    const xs = randf(r, 8), ws = randi(r, 24, -127, 127);
    const [y] = runOp(FULLY_CONNECTED, node([tensor('float32', [1, 8], xs), constant('int8', [3, 8], ws, { quant: { scale: 0.01 } }), null], [out('float32')]));
    expect(maxAbsDiff(y!.data as Float32Array, fcFloat(xs, ws.map((v) => v * Math.fround(0.01)), null, 1, 8, 3))).toBeLessThan(1e-5);
  });

  it('rejects an input size that does not divide by the weights input size, and shuffled weights', () => {
    expect(() => FULLY_CONNECTED.prepare(node([tensor('float32', [1, 7]), constant('float32', [2, 4], new Array(8).fill(0))], [out('float32')])))
      .toThrow(KernelError);
    expect(() => FULLY_CONNECTED.prepare(node([tensor('float32', [1, 4]), constant('float32', [2, 4], new Array(8).fill(0))], [out('float32')], { 1: 1 })))
      .toThrow(/weights_format 1/);
  });
});
