/**
 * The integer SVDF steps around the feature GEMM, as TFLite's integer SVDF computes them
 * (int32 sums that wrap, gemmlowp requantization), each one pass with no scratch.
 * The state is [batch, filters, memory], newest activation last.
 */
import { quantizeMultiplier } from './quant.js';

const P15 = 1 / 32768;
const P31 = 1 / 2147483648;

/**
 * A real multiplier in TFLite's fixed point (`quantizeMultiplier`), held as the pieces
 * `mulQFixed` uses: the Q31 value split into 16-bit halves and the left / right shifts.
 */
export interface FixedMul { m: number; mh: number; ml: number; left: number; right: number }

/**
 * @example const fm = fixedMul(0.0123); mulQFixed(1000, fm) // mulQ(1000, ...quantizeMultiplier(0.0123))
 */
export function fixedMul(real: number): FixedMul {
  const { multiplier: m, shift } = quantizeMultiplier(real);
  return { m, mh: m >> 16, ml: m & 0xffff, left: shift > 0 ? shift : 0, right: shift > 0 ? 0 : -shift };
}

/**
 * TFLite's `MultiplyByQuantizedMultiplier(x, m, shift)` (what `mulQ` computes), exact for every
 * int32 `x`: the product's rounding is taken from its double value, which is off by at most
 * 2^-21 after the scaling by 2^-31; within 1e-6 of a rounding boundary the 62-bit product is
 * taken apart in 16-bit pieces instead. `m` is never INT32_MIN (quantizeMultiplier keeps
 * |m| < 2^31), so srdhm's one saturating case cannot occur.
 * @example mulQFixed(1000, fixedMul(0.5)) // 500
 */
export function mulQFixed(x: number, fm: FixedMul): number {
  const a = fm.left ? Math.imul(x, 1 << fm.left) : x;
  const p = a * fm.m;
  const nudge = p >= 0 ? 1073741824 : -1073741823;
  const d = (p + nudge) * P31;
  let r = Math.floor(d);
  const frac = d - r;
  if (frac > 1e-6 && frac < 0.999999) {
    if (p < 0) r += 1; // not an integer: truncation toward zero, as C++ integer division
  } else {
    // a * m = hi * 2^16 + lo = q * 2^31 + (rem * 2^16 + lo), rem = hi mod 2^15: all exact doubles.
    const hi = a * fm.mh, q = Math.floor(hi * P15);
    const t = (hi - q * 32768) * 65536 + a * fm.ml + nudge;
    const f = Math.floor(t * P31);
    r = q + f + (p < 0 && t !== f * 2147483648 ? 1 : 0);
  }
  const ri = r | 0, right = fm.right;
  if (right === 0) return ri;
  const mask = ((1 << right) - 1) | 0;
  return (ri >> right) + ((ri & mask) > (mask >> 1) + (ri < 0 ? 1 : 0) ? 1 : 0);
}

/** Requantization of one SVDF: feature sums -> state, time sums -> output. */
export interface SvdfQuant {
  toState: FixedMul; stateZp: number; stateMin: number; stateMax: number;
  toOut: FixedMul; outZp: number; lo: number; hi: number;
}

/**
 * Shifts every filter's history left by one step and writes the requantized feature sums
 * `acc` [rows] (rows = batch * filters) into the newest slot.
 * @example pushStateI(acc, state, batch * filters, memory, q);
 */
export function pushStateI(acc: Int32Array, st: Int16Array | Int8Array, rows: number, memory: number, q: SvdfQuant): void {
  if (rows === 0) return;
  st.copyWithin(0, 1, rows * memory);
  const { toState, stateZp, stateMin, stateMax } = q;
  for (let f = 0, slot = memory - 1; f < rows; f++, slot += memory) {
    const v = mulQFixed(acc[f]!, toState) + stateZp;
    st[slot] = v < stateMin ? stateMin : v > stateMax ? stateMax : v;
  }
}

/**
 * y[b,u] = clamp(mulQ(bias[u] + sum over the unit's `rank` filters of
 * sum_j wt[f,j] * (state[b,f,j] - stateZp)) + outZp), every sum wrapping as int32 does in TFLite.
 * @example timeReduceI(state, wt, bias, y, 1, 64, 1, 8, q);
 */
export function timeReduceI(
  st: Int16Array | Int8Array, wt: Int16Array | Int8Array, bias: Int32Array | null, y: Int8Array,
  batch: number, units: number, rank: number, memory: number, q: SvdfQuant,
): void {
  const { stateZp: zp, toOut, outZp, lo, hi } = q;
  const filters = units * rank;
  for (let b = 0; b < batch; b++) {
    for (let u = 0, i = b * filters * memory, w = 0; u < units; u++) {
      let acc = bias ? bias[u]! : 0;
      for (let r = 0; r < rank; r++) {
        // two chains of int32 sums (mod 2^32, whatever the products); the zero point after
        const e = i + memory, w0 = w;
        let s0 = 0, s1 = 0;
        for (; i + 1 < e; i += 2, w += 2) {
          s0 = (s0 + wt[w]! * st[i]!) | 0;
          s1 = (s1 + wt[w + 1]! * st[i + 1]!) | 0;
        }
        if (i < e) s0 = (s0 + wt[w++]! * st[i++]!) | 0;
        acc = (acc + s0 + s1) | 0;
        if (zp !== 0) {
          let ws = 0;
          for (let j = w0; j < w; j++) ws += wt[j]!;
          acc = (acc - Math.imul(zp, ws)) | 0;
        }
      }
      const v = mulQFixed(acc, toOut) + outZp;
      y[b * units + u] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}
