/**
 * The integer SVDF is bit-exact: `mulQFixed` against a BigInt MultiplyByQuantizedMultiplier
 * (random and rounding-boundary products), and the op against a plain transcription of
 * TFLite's integer SVDF (shift, feature sums, time sums, rank reduction, bias) over
 * sequences of runs, on both kernel backends, with int8/int16 state and time weights,
 * state zero points, rank > 1, batch > 1, odd memory and operands computed at run time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SVDF } from '../../../lite-runtime/ops/svdf.js';
import { fixedMul, mulQFixed, requantClamp } from '../../../lite-runtime/ops/util/svdf.js';
import { mulQ, qRange, quantizeMultiplier } from '../../../lite-runtime/ops/util/quant.js';
import { kernelBackend, setKernelBackend } from '../../../lite-runtime/kernels/index.js';
import type { LiteDType, RtTensor } from '../../../lite-runtime/ops/op.js';
import { alloc, constant, node, out, randi, rng, tensor } from './helpers.js';

const I31 = 1n << 31n;

/** gemmlowp MultiplyByQuantizedMultiplier in BigInt: x * 2^left wraps to int32, srdhm, rounding shift. */
function refMulQ(x: number, m: number, shift: number): number {
  const left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const a = BigInt.asIntN(32, BigInt(x) << BigInt(left));
  if (a === -I31 && BigInt(m) === -I31) return 2147483647;
  const ab = a * BigInt(m);
  const r = (ab + (ab >= 0n ? 1n << 30n : 1n - (1n << 30n))) / I31; // truncates toward zero
  const mask = (1n << BigInt(right)) - 1n;
  const rem = r & mask, threshold = (mask >> 1n) + (r < 0n ? 1n : 0n);
  return Number((r >> BigInt(right)) + (rem > threshold ? 1n : 0n));
}

describe('mulQFixed', () => {
  it('equals MultiplyByQuantizedMultiplier on random int32 values and multipliers', () => {
    const r = rng(401);
    let checked = 0;
    for (let k = 0; k < 60; k++) {
      const real = 2 ** (-40 + 48 * r()) * (r() < 0.1 ? -1 : 1);
      const fm = fixedMul(real), { multiplier, shift } = quantizeMultiplier(real);
      for (let i = 0; i < 400; i++) {
        const bits = 1 + Math.floor(r() * 32);
        const x = Math.floor((r() * 2 - 1) * 2 ** (bits - 1)) | 0;
        const want = refMulQ(x, multiplier, shift);
        expect(mulQFixed(x, fm), `x ${x} real ${real}`).toBe(want);
        expect(mulQ(x, multiplier, shift)).toBe(want);
        checked++;
      }
      for (const x of [0, 1, -1, 2147483647, -2147483648, 1 << 30, -(1 << 30)]) expect(mulQFixed(x, fm)).toBe(refMulQ(x, multiplier, shift));
    }
    expect(checked).toBe(24000);
  });

  it('is exact where a * m + nudge lands within 3 of a multiple of 2^31 (where its double is not)', () => {
    const r = rng(402);
    const M31 = I31 - 1n;
    const inverse = (m: bigint): bigint => { // m odd: m^-1 mod 2^31 by Newton's iteration
      let inv = m;
      for (let i = 0; i < 5; i++) inv = (inv * (2n - m * inv)) & M31;
      return inv;
    };
    let naiveWrong = 0, checked = 0;
    for (let k = 0; k < 400; k++) {
      const real = 2 ** (-24 + 23 * r());
      const fm = fixedMul(real), { multiplier: m, shift } = quantizeMultiplier(real);
      if (m % 2 === 0 || shift > 0) continue;
      const inv = inverse(BigInt(m));
      for (let e = -3; e <= 3; e++) {
        for (const negative of [false, true]) {
          const nudge = negative ? 1n - (1n << 30n) : 1n << 30n;
          // a * m + nudge == e (mod 2^31)
          const a0 = Number((((BigInt(e) - nudge) % I31 + I31) * inv) & M31);
          const a = negative ? a0 - 2147483648 : a0;
          if (a === 0 || a === -2147483648) continue;
          const want = refMulQ(a, m, shift);
          expect(mulQFixed(a, fm), `x ${a} m ${m} shift ${shift}`).toBe(want);
          if (mulQ(a, m, shift) !== want) throw new Error(`mulQ(${a}, ${m}, ${shift})`);
          const p = a * m, naive = Math.trunc((p + (p >= 0 ? 2 ** 30 : 1 - 2 ** 30)) / 2 ** 31);
          if (naive !== Number((BigInt(a) * BigInt(m) + nudge) / I31)) naiveWrong++;
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
    expect(naiveWrong).toBeGreaterThan(100); // the cases the plain double rounding gets wrong
  });

  it('requantClamp equals clamp(MultiplyByQuantizedMultiplier + zero point), left shifts that wrap included', () => {
    const r = rng(403);
    let estimated = 0, exact = 0;
    for (let k = 0; k < 200; k++) {
      const real = 2 ** (-30 + 36 * r());
      const fm = fixedMul(real), { multiplier, shift } = quantizeMultiplier(real);
      const [lo, hi] = r() < 0.5 ? [-128, 127] : [-32768, 32767];
      const zp = randi(r, 1, lo, hi)[0]!;
      for (let i = 0; i < 200; i++) {
        const x = Math.floor((r() * 2 - 1) * 2 ** (1 + Math.floor(r() * 31))) | 0;
        const v = refMulQ(x, multiplier, shift) + zp;
        const want = v < lo ? lo : v > hi ? hi : v;
        expect(requantClamp(x, fm, zp, lo, hi), `x ${x} real ${real} zp ${zp}`).toBe(want);
        if (v < lo - 3 || v > hi + 3) estimated++;
        else exact++;
      }
    }
    expect(Math.min(estimated, exact)).toBeGreaterThan(5000);
  });
});

interface Cfg {
  batch: number; inSize: number; filters: number; rank: number; memory: number;
  stateType: 'int16' | 'int8'; timeType: 'int16' | 'int8'; stateZp: number; bias: boolean; constWeights: boolean;
  sx: number; swf: number; swt: number; ss: number; sy: number; xZp: number; yZp: number;
}

let wrapped = 0;

/** TFLite's integer SVDF, step by step as its reference kernel writes it (int32 wrapping sums). */
function refStep(c: Cfg, x: Int8Array, wf: Int8Array, wt: ArrayLike<number>, bias: Int32Array | null, state: Int16Array | Int8Array): Int8Array {
  const { batch, inSize, filters, rank, memory } = c, units = filters / rank;
  const e1 = quantizeMultiplier((Math.fround(c.sx) * Math.fround(c.swf)) / Math.fround(c.ss));
  const e2 = quantizeMultiplier((Math.fround(c.ss) * Math.fround(c.swt)) / Math.fround(c.sy));
  const [smin, smax] = qRange(c.stateType);
  const n = batch * filters * memory;
  for (let i = 0; i < n - 1; i++) state[i] = state[i + 1]!;
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < filters; f++) {
      let acc = 0;
      for (let i = 0; i < inSize; i++) acc += wf[f * inSize + i]! * (x[b * inSize + i]! - c.xZp);
      state[(b * filters + f) * memory + memory - 1] = Math.max(smin, Math.min(smax, mulQ(acc, e1.multiplier, e1.shift) + c.stateZp));
    }
  }
  const y = new Int8Array(batch * units);
  for (let b = 0; b < batch; b++) {
    const scratch = new Int32Array(filters);
    for (let f = 0; f < filters; f++) {
      let acc = 0, exact = 0;
      for (let j = 0; j < memory; j++) {
        const p = wt[f * memory + j]! * (state[(b * filters + f) * memory + j]! - c.stateZp);
        acc = (acc + p) | 0;
        exact += p;
      }
      if (exact !== acc) wrapped++;
      scratch[f] = acc;
    }
    for (let u = 0; u < units; u++) {
      let acc = bias ? bias[u]! : 0;
      for (let r = 0; r < rank; r++) acc = (acc + scratch[u * rank + r]!) | 0;
      y[b * units + u] = Math.max(-128, Math.min(127, mulQ(acc, e2.multiplier, e2.shift) + c.yZp));
    }
  }
  return y;
}

/** Runs `steps` steps against `refStep`; returns the share of outputs inside (-128, 127) and how many values occur. */
function runSequence(c: Cfg, seed: number, steps: number): { inside: number; distinct: number } {
  const r = rng(seed);
  const { batch, inSize, filters, rank, memory } = c, units = filters / rank;
  const timeMax = c.timeType === 'int16' ? 32767 : 127;
  const wf = Int8Array.from(randi(r, filters * inSize, -127, 127));
  const wt = (c.timeType === 'int16' ? Int16Array : Int8Array).from(randi(r, filters * memory, -timeMax, timeMax));
  const biasMax = Math.min(2 ** 30, Math.round((memory * rank * timeMax * (c.stateType === 'int16' ? 32767 : 127)) / 8));
  const bias = c.bias ? Int32Array.from(randi(r, units, -biasMax, biasMax)) : null;
  const mk = (dtype: LiteDType, shape: number[], data: ArrayLike<number>, quant: { scale: number; zeroPoint?: number }): RtTensor =>
    (c.constWeights ? constant : tensor)(dtype, shape, data, { quant });
  const x = tensor('int8', [batch, inSize], undefined, { quant: { scale: c.sx, zeroPoint: c.xZp } });
  const state = tensor(c.stateType, [batch, filters * memory], undefined, { quant: { scale: c.ss, zeroPoint: c.stateZp } });
  const n = node([x, mk('int8', [filters, inSize], wf, { scale: c.swf }), mk(c.timeType, [filters, memory], wt, { scale: c.swt }),
    bias ? mk('int32', [units], bias, { scale: c.ss * c.swt }) : null, state], [out('int8', { scale: c.sy, zeroPoint: c.yZp })], { 0: rank });
  // as the interpreter: tensors computed at run time hold no data during prepare
  const live = n.inputs.map((t) => (t && !t.isConst ? t.data : null));
  n.inputs.forEach((t) => { if (t && !t.isConst) t.data = alloc(t.dtype, 0); });
  const s = SVDF.prepare(n);
  n.inputs.forEach((t, i) => { if (t && live[i]) t.data = live[i]!; });
  n.outputs[0]!.data = new Int8Array(batch * units);
  let inside = 0;
  const seen = new Set<number>();
  const refState = (c.stateType === 'int16' ? Int16Array : Int8Array).from(state.data as Int16Array);
  for (let t = 0; t < steps; t++) {
    (x.data as Int8Array).set(randi(r, batch * inSize, -128, 127));
    SVDF.run(n, s);
    const want = refStep(c, x.data as Int8Array, wf, wt, bias, refState);
    expect(Array.from(state.data as Int16Array), `state, step ${t}`).toEqual(Array.from(refState));
    expect(Array.from(n.outputs[0]!.data as Int8Array), `output, step ${t}`).toEqual(Array.from(want));
    inside += want.filter((v) => v > -128 && v < 127).length;
    want.forEach((v) => seen.add(v));
  }
  return { inside: inside / (steps * batch * units), distinct: seen.size };
}

const BASE: Cfg = {
  batch: 1, inSize: 96, filters: 64, rank: 1, memory: 8, stateType: 'int16', timeType: 'int16', stateZp: 0, bias: true,
  constWeights: true, sx: 0.02, swf: 0.004, swt: 1 / 32768, ss: 0.0009, sy: 0.05, xZp: 5, yZp: 3,
};
const CASES: [string, Partial<Cfg>, number][] = [
  ['keyword_scrambled layer 1 (int16 state and time weights, memory 8)', { sy: 0.5, yZp: -128 }, 500],
  ['memory 32, 32 filters, saturating state', { inSize: 16, filters: 32, memory: 32, ss: 0.00005 }, 501],
  ['batch 2, memory 10 (an odd count of element pairs)', { batch: 2, inSize: 11, filters: 6, memory: 10 }, 520],
  ['rank 3, batch 2, odd memory, no bias', { batch: 2, inSize: 7, filters: 12, rank: 3, memory: 5, bias: false }, 502],
  ['int8 state with a zero point, int8 time weights', { stateType: 'int8', timeType: 'int8', stateZp: -7, ss: 0.04, swt: 0.01, memory: 3, filters: 6, rank: 2 }, 503],
  ['int16 state with a zero point, memory 1', { stateZp: 311, memory: 1, filters: 10, inSize: 9 }, 504],
  ['weights and bias computed at run time', { constWeights: false, inSize: 20, filters: 8, rank: 2, memory: 9 }, 505],
  ['time sums that wrap int32', { memory: 33, filters: 16, inSize: 6, ss: 0.00003, sy: 0.015, yZp: 0, bias: false }, 506],
];

for (const backend of ['wasm', 'js'] as const) {
  describe(`integer SVDF equals TFLite's arithmetic [${backend}]`, () => {
    const before = kernelBackend();
    afterAll(() => setKernelBackend(before));
    CASES.forEach(([name, over, seed]) => it(name, () => {
      setKernelBackend(backend);
      wrapped = 0;
      const { inside, distinct } = runSequence({ ...BASE, ...over }, seed, 12);
      expect(inside).toBeGreaterThan(0.3); // outputs mostly not clamped,
      expect(distinct).toBeGreaterThan(10); // nor all alike
      if (name.includes('wrap')) expect(wrapped).toBeGreaterThan(10);
    }));
  });
}
