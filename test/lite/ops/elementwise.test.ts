import { describe, expect, it } from 'vitest';
import { ADD } from '../../../lite-runtime/ops/add.js';
import { SUB } from '../../../lite-runtime/ops/sub.js';
import { MUL } from '../../../lite-runtime/ops/mul.js';
import { DIV } from '../../../lite-runtime/ops/div.js';
import { MAXIMUM } from '../../../lite-runtime/ops/maximum.js';
import { MINIMUM } from '../../../lite-runtime/ops/minimum.js';
import { RELU } from '../../../lite-runtime/ops/relu.js';
import { RELU6 } from '../../../lite-runtime/ops/relu6.js';
import { LOGISTIC } from '../../../lite-runtime/ops/logistic.js';
import { TANH } from '../../../lite-runtime/ops/tanh.js';
import { EXP } from '../../../lite-runtime/ops/exp.js';
import { SQRT } from '../../../lite-runtime/ops/sqrt.js';
import { RSQRT } from '../../../lite-runtime/ops/rsqrt.js';
import { HARD_SWISH } from '../../../lite-runtime/ops/hard_swish.js';
import { LEAKY_RELU } from '../../../lite-runtime/ops/leaky_relu.js';
import { GELU } from '../../../lite-runtime/ops/gelu.js';
import { erf } from '../../../lite-runtime/kernels/math-scalar.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { mulQ, quantizeMultiplier } from '../../../lite-runtime/ops/util/quant.js';
import { setRequantMode } from '../../../lite-runtime/ops/util/requant.js';
import type { LiteOp } from '../../../lite-runtime/ops/op.js';
import { maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';

/** Reference broadcast: out[i] = f(a[ia], b[ib]) with numpy rules. */
function bcast(a: number[], as: number[], b: number[], bs: number[], f: (x: number, y: number) => number): { y: number[]; shape: number[] } {
  const r = Math.max(as.length, bs.length);
  const A = [...new Array(r - as.length).fill(1), ...as], B = [...new Array(r - bs.length).fill(1), ...bs];
  const shape = A.map((d, i) => Math.max(d, B[i]!));
  const n = shape.reduce((x, y) => x * y, 1);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    let rem = i, ai = 0, bi = 0, sa = 1, sb = 1;
    for (let d = r - 1; d >= 0; d--) {
      const p = rem % shape[d]!; rem = Math.floor(rem / shape[d]!);
      ai += (A[d] === 1 ? 0 : p) * sa; sa *= A[d]!;
      bi += (B[d] === 1 ? 0 : p) * sb; sb *= B[d]!;
    }
    y.push(f(a[ai]!, b[bi]!));
  }
  return { y, shape };
}

const SHAPES: Array<[number[], number[]]> = [[[2, 3], [2, 3]], [[2, 1, 3], [4, 1]], [[5], [1]], [[1], [3, 2]], [[2, 2, 1, 3], [2, 1, 2, 3]]];

describe('binary elementwise ops', () => {
  const fl: Array<[LiteOp<unknown>, (x: number, y: number) => number]> = [
    [ADD as LiteOp<unknown>, (x, y) => x + y], [SUB as LiteOp<unknown>, (x, y) => x - y], [MUL as LiteOp<unknown>, (x, y) => x * y],
    [DIV as LiteOp<unknown>, (x, y) => x / y], [MAXIMUM as LiteOp<unknown>, Math.max], [MINIMUM as LiteOp<unknown>, Math.min],
  ];
  it('float32 with broadcasting matches numpy-style references', () => {
    const r = rng(60);
    for (const [op, f] of fl) for (const [as, bs] of SHAPES) {
      const a = randf(r, as.reduce((x, y) => x * y, 1), -3, 3), b = randf(r, bs.reduce((x, y) => x * y, 1), 0.5, 3);
      const [y] = runOp(op, node([tensor('float32', as, a), tensor('float32', bs, b)], [out('float32')]));
      const ref = bcast(a, as, b, bs, (x, z) => Math.fround(f(Math.fround(x), Math.fround(z))));
      expect(y!.shape).toEqual(ref.shape);
      expect(maxAbsDiff(y!.data as Float32Array, ref.y)).toBeLessThan(1e-6);
    }
  });

  it('fused activations clamp (ADD RELU6, MUL RELU_N1_TO_1, SUB RELU)', () => {
    const a = [-8, -0.5, 0.5, 8], b = [1, 1, 1, 1];
    const t = (x: number[]) => tensor('float32', [4], x);
    expect(Array.from(runOp(ADD, node([t(a), t(b)], [out('float32')], { 0: 3 }))[0]!.data as ArrayLike<number>)).toEqual([0, 0.5, 1.5, 6]);
    expect(Array.from(runOp(MUL, node([t(a), t(b)], [out('float32')], { 0: 2 }))[0]!.data as ArrayLike<number>)).toEqual([-1, -0.5, 0.5, 1]);
    expect(Array.from(runOp(SUB, node([t(a), t(b)], [out('float32')], { 0: 1 }))[0]!.data as ArrayLike<number>)).toEqual([0, 0, 0, 7]);
  });

  it('int32 arithmetic (shape math), DIV truncates and rejects a zero divisor at run', () => {
    const a = [7, -7, 9, 100], b = [2, 2, -4, 3];
    const t = (x: number[]) => tensor('int32', [4], x);
    expect(Array.from(runOp(ADD, node([t(a), t(b)], [out('int32')]))[0]!.data as ArrayLike<number>)).toEqual([9, -5, 5, 103]);
    expect(Array.from(runOp(MUL, node([t(a), t(b)], [out('int32')]))[0]!.data as ArrayLike<number>)).toEqual([14, -14, -36, 300]);
    expect(Array.from(runOp(DIV, node([t(a), t(b)], [out('int32')]))[0]!.data as ArrayLike<number>)).toEqual([3, -3, -2, 33]);
    expect(() => runOp(DIV, node([t(a), t([1, 0, 1, 1])], [out('int32')]))).toThrow(/division by zero/);
  });

  // The default (XNNPACK's arithmetic, as LiteRT.js) is checked bit for bit in test/lite/int8/.
  it("int8 ADD/SUB in 'reference' mode (TFLite Micro) follow TFLite rescaling and stay within one step of the real result", () => {
    const r = rng(61);
    setRequantMode('reference');
    try {
    for (const [op, sign] of [[ADD, 1], [SUB, -1]] as const) {
      const a = randi(r, 60, -128, 127), b = randi(r, 60, -128, 127);
      const qa = { scale: 0.05, zeroPoint: -10 }, qb = { scale: 0.03, zeroPoint: 7 }, qy = { scale: 0.08, zeroPoint: 3 };
      const [y] = runOp(op, node([tensor('int8', [60], a, { quant: qa }), tensor('int8', [60], b, { quant: qb })], [out('int8', qy)]));
      const sa = Math.fround(0.05), sb = Math.fround(0.03), sy = Math.fround(0.08);
      const tw = 2 * Math.max(sa, sb);
      const [m1, m2, mo] = [sa / tw, sb / tw, tw / (2 ** 20 * sy)].map(quantizeMultiplier);
      a.forEach((av, i) => {
        const x1 = mulQ((av + 10) * 2 ** 20, m1!.multiplier, m1!.shift), x2 = mulQ((b[i]! - 7) * 2 ** 20, m2!.multiplier, m2!.shift);
        const ref = Math.max(-128, Math.min(127, mulQ(x1 + sign * x2, mo!.multiplier, mo!.shift) + 3));
        const got = (y!.data as Int8Array)[i]!;
        expect(got).toBe(ref);
        const real = (sa * (av + 10) + sign * sb * (b[i]! - 7)) / sy + 3;
        expect(Math.abs(got - Math.max(-128, Math.min(127, real)))).toBeLessThanOrEqual(1);
      });
    }
    } finally { setRequantMode('fp32'); }
  });

  it('int8 MUL and DIV are within one step of the real result', () => {
    const r = rng(62);
    const a = randi(r, 50, -128, 127), b = randi(r, 50, -128, 127).map((v) => (v === 5 ? 6 : v));
    const qa = { scale: 0.02, zeroPoint: 1 }, qb = { scale: 0.04, zeroPoint: 5 };
    const [m] = runOp(MUL, node([tensor('int8', [50], a, { quant: qa }), tensor('int8', [50], b, { quant: qb })], [out('int8', { scale: 0.05, zeroPoint: 0 })]));
    const [d] = runOp(DIV, node([tensor('int8', [50], a, { quant: qa }), tensor('int8', [50], b, { quant: qb })], [out('int8', { scale: 0.1, zeroPoint: -2 })]));
    a.forEach((av, i) => {
      const x = Math.fround(0.02) * (av - 1), z = Math.fround(0.04) * (b[i]! - 5);
      expect(Math.abs((m!.data as Int8Array)[i]! - Math.max(-128, Math.min(127, x * z / Math.fround(0.05))))).toBeLessThanOrEqual(1);
      expect(Math.abs((d!.data as Int8Array)[i]! - Math.max(-128, Math.min(127, x / z / Math.fround(0.1) - 2)))).toBeLessThanOrEqual(1);
    });
  });

  it('rejects mismatched dtypes, shapes that do not broadcast, and int8 MAXIMUM across quantizations', () => {
    expect(() => ADD.prepare(node([tensor('float32', [2]), tensor('int32', [2])], [out('float32')]))).toThrow(KernelError);
    expect(() => ADD.prepare(node([tensor('float32', [2, 3]), tensor('float32', [4])], [out('float32')]))).toThrow(/do not broadcast/);
    expect(() => MAXIMUM.prepare(node([tensor('int8', [2], undefined, { quant: { scale: 1 } }), tensor('int8', [2], undefined, { quant: { scale: 2 } })],
      [out('int8', { scale: 1 })]))).toThrow(/quantization/);
  });
});

describe('unary elementwise ops', () => {
  const cases: Array<[LiteOp<unknown>, (x: number) => number, Record<number, number | boolean>]> = [
    [RELU as LiteOp<unknown>, (x) => Math.max(0, x), {}],
    [RELU6 as LiteOp<unknown>, (x) => Math.min(6, Math.max(0, x)), {}],
    [LOGISTIC as LiteOp<unknown>, (x) => 1 / (1 + Math.exp(-x)), {}],
    [TANH as LiteOp<unknown>, Math.tanh, {}],
    [EXP as LiteOp<unknown>, Math.exp, {}],
    [SQRT as LiteOp<unknown>, (x) => Math.sqrt(Math.abs(x)), {}],
    [RSQRT as LiteOp<unknown>, (x) => 1 / Math.sqrt(Math.abs(x)), {}],
    [HARD_SWISH as LiteOp<unknown>, (x) => x * Math.min(6, Math.max(0, x + 3)) / 6, {}],
    [LEAKY_RELU as LiteOp<unknown>, (x) => (x >= 0 ? x : 0.2 * x), { 0: 0.2 }],
    [GELU as LiteOp<unknown>, (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), {}],
    [GELU as LiteOp<unknown>, (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))), { 0: true }],
  ];

  it('float32 matches the math (relative 1e-6)', () => {
    const r = rng(70);
    for (const [op, f, o] of cases) {
      const pos = op === SQRT || op === RSQRT;
      const xs = randf(r, 40, pos ? 0.01 : -7, 7).map(Math.fround);
      const [y] = runOp(op, node([tensor('float32', [4, 10], xs)], [out('float32')], o));
      (y!.data as Float32Array).forEach((v, i) => expect(Math.abs(v - f(xs[i]!))).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(f(xs[i]!)))));
    }
  });

  it('int8 tables are within half a step of the real function (HARD_SWISH: TFLite\'s fixed-point kernel, one step)', () => {
    for (const [op, f, o] of cases) {
      const pos = op === SQRT || op === RSQRT;
      const qx = pos ? { scale: 0.05, zeroPoint: -128 } : { scale: 0.05, zeroPoint: 0 };
      const qy = op === EXP ? { scale: 0.2, zeroPoint: -128 } : { scale: 0.04, zeroPoint: -20 };
      const xs = Array.from({ length: 256 }, (_, i) => i - 128);
      const [y] = runOp(op, node([tensor('int8', [256], xs, { quant: qx })], [out('int8', qy)], o));
      (y!.data as Int8Array).forEach((q, i) => {
        const real = f(Math.fround(qx.scale) * (xs[i]! - qx.zeroPoint)) / Math.fround(qy.scale) + qy.zeroPoint;
        const want = Math.max(-128, Math.min(127, real));
        // HARD_SWISH equals the real runtimes' fixed-point arithmetic (test/lite/int8/elementwise-sweep.test.ts)
        if (Number.isFinite(real)) expect(Math.abs(q - want)).toBeLessThanOrEqual(op === HARD_SWISH ? 1 : 0.5 + 1e-6);
      });
    }
  });

  it('erf matches known values', () => {
    const known: Array<[number, number]> = [[0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [2, 0.9953222650189527], [2.5, 0.9995930479825550], [3, 0.9999779095030014], [-1.5, -0.9661051464753108], [4, 0.9999999845827421]];
    for (const [x, v] of known) expect(Math.abs(erf(x) - v)).toBeLessThan(1e-14);
  });
});
