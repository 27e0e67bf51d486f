/**
 * The integer SVDF steps around the feature GEMM, as TFLite's integer SVDF computes them
 * (int32 sums that wrap, gemmlowp requantization), each one pass with no scratch.
 * The state is [batch, filters, memory], newest activation last.
 */
import { quantizeMultiplier } from './quant.js';

const P15 = 1 / 32768;
const P31 = 1 / 2147483648;
/** Products below 2^53 in magnitude are exact doubles (so are their nudged sums, below 2^53 + 2^30). */
const EXACT = 9007199254740992 - 1073741824;

/**
 * A real multiplier in TFLite's fixed point (`quantizeMultiplier`), held as the pieces
 * `mulQFixed` uses: the Q31 value split into 16-bit halves, the left / right shifts, and
 * `scale` = m * 2^(-31 - right), the real value a left-shifted input is multiplied by.
 */
export interface FixedMul { m: number; mh: number; ml: number; left: number; right: number; scale: number }

/**
 * @example const fm = fixedMul(0.0123); mulQFixed(1000, fm) // mulQ(1000, ...quantizeMultiplier(0.0123))
 */
export function fixedMul(real: number): FixedMul {
  const { multiplier: m, shift } = quantizeMultiplier(real);
  const left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return { m, mh: m >> 16, ml: m & 0xffff, left, right, scale: m * 2 ** (-31 - right) };
}

/**
 * TFLite's `MultiplyByQuantizedMultiplier(x, m, shift)` (what `mulQ` computes), exact for every
 * int32 `x`. `m` is never INT32_MIN (quantizeMultiplier keeps |m| < 2^31), so srdhm's one
 * saturating case cannot occur.
 * @example mulQFixed(1000, fixedMul(0.5)) // 500
 */
export function mulQFixed(x: number, fm: FixedMul): number {
  return mulShifted(fm.left ? Math.imul(x, 1 << fm.left) : x, fm);
}

/**
 * clamp(mulQFixed(x, fm) + zp, lo, hi). The fixed-point result is within 1 of its real value
 * a * scale (two roundings of at most 1/2, the second scaled down by 2^right), so an
 * estimate beyond lo - 2 or hi + 2 clamps without the exact rounding.
 * @example requantClamp(acc, fm, -128, -128, 127)
 */
export function requantClamp(x: number, fm: FixedMul, zp: number, lo: number, hi: number): number {
  const a = fm.left ? Math.imul(x, 1 << fm.left) : x;
  const est = a * fm.scale + zp;
  if (est < lo - 2) return lo;
  if (est > hi + 2) return hi;
  const v = mulShifted(a, fm) + zp;
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * srdhm(a, m) then the rounding right shift. A product below 2^53 is exact and rounds as is;
 * a larger one is rounded from its double value, off by at most 2^-21 after the scaling by
 * 2^-31, unless that lands within 1e-6 of a rounding boundary: then the 62-bit product is
 * taken apart in 16-bit pieces.
 */
function mulShifted(a: number, fm: FixedMul): number {
  const p = a * fm.m;
  const nudge = p >= 0 ? 1073741824 : -1073741823;
  let r: number;
  if (p < EXACT && p > -EXACT) {
    r = Math.trunc((p + nudge) * P31); // truncation toward zero, as C++ integer division
  } else {
    const d = (p + nudge) * P31;
    r = Math.floor(d);
    const frac = d - r;
    if (frac > 1e-6 && frac < 0.999999) {
      if (p < 0) r += 1; // not an integer: truncation toward zero
    } else {
      // a * m = hi * 2^16 + lo = q * 2^31 + (rem * 2^16 + lo), rem = hi mod 2^15: all exact doubles.
      const hi = a * fm.mh, q = Math.floor(hi * P15);
      const t = (hi - q * 32768) * 65536 + a * fm.ml + nudge;
      const f = Math.floor(t * P31);
      r = q + f + (p < 0 && t !== f * 2147483648 ? 1 : 0);
    }
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
  for (let f = 0, slot = memory - 1; f < rows; f++, slot += memory) st[slot] = requantClamp(acc[f]!, toState, stateZp, stateMin, stateMax);
}

/**
 * sum_j wt[w + j] * st[i + j] over `n` terms, wrapping as int32 sums do (two chains of sums).
 * @example dotI(state, 0, weights, 0, 8)
 */
function dotI(st: Int16Array | Int8Array, i: number, wt: Int16Array | Int8Array, w: number, n: number): number {
  let s0 = 0, s1 = 0;
  const e = i + n;
  for (; i + 1 < e; i += 2, w += 2) {
    s0 = (s0 + wt[w]! * st[i]!) | 0;
    s1 = (s1 + wt[w + 1]! * st[i + 1]!) | 0;
  }
  if (i < e) s0 = (s0 + wt[w]! * st[i]!) | 0;
  return (s0 + s1) | 0;
}

/** `dotI` of the weights with (state - zp); each product is exact, the sum wraps as int32. */
function dotZpI(st: Int16Array | Int8Array, i: number, wt: Int16Array | Int8Array, w: number, n: number, zp: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s = (s + wt[w + j]! * (st[i + j]! - zp)) | 0;
  return s;
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
  if (rank === 1 && zp === 0) {
    timeReduceRank1(st, wt, bias, y, batch, units, memory, q);
    return;
  }
  const filters = units * rank;
  for (let b = 0; b < batch; b++) {
    const sb = b * filters * memory;
    for (let u = 0; u < units; u++) {
      let acc = bias ? bias[u]! : 0;
      for (let f = u * rank, fe = f + rank; f < fe; f++) {
        const w = f * memory;
        acc = (acc + (zp === 0 ? dotI(st, sb + w, wt, w, memory) : dotZpI(st, sb + w, wt, w, memory, zp))) | 0;
      }
      y[b * units + u] = requantClamp(acc, toOut, outZp, lo, hi);
    }
  }
}

/** `timeReduceI` for rank 1 and state zero point 0 (as TFLite's int16 states): one flat pass. */
function timeReduceRank1(
  st: Int16Array | Int8Array, wt: Int16Array | Int8Array, bias: Int32Array | null, y: Int8Array,
  batch: number, units: number, memory: number, q: SvdfQuant,
): void {
  const { toOut, outZp, lo, hi } = q;
  for (let b = 0; b < batch; b++) {
    const sb = b * units * memory, yb = b * units;
    for (let u = 0, j = 0; u < units; u++) {
      let s0 = bias ? bias[u]! : 0, s1 = 0;
      for (const e = j + memory - 1; j < e; j += 2) {
        s0 = (s0 + wt[j]! * st[sb + j]!) | 0;
        s1 = (s1 + wt[j + 1]! * st[sb + j + 1]!) | 0;
      }
      if (memory & 1) { s0 = (s0 + wt[j]! * st[sb + j]!) | 0; j++; }
      y[yb + u] = requantClamp((s0 + s1) | 0, toOut, outZp, lo, hi);
    }
  }
}

const LITTLE_ENDIAN = new Uint16Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Int16 data seen as int32 words of two elements (element 2i in the low half), for
 * `timeReducePairs`; null where it cannot be (odd length, unaligned, big-endian platform).
 * @example const words = pairView(state);
 */
export function pairView(a: Int16Array): Int32Array | null {
  return LITTLE_ENDIAN && a.length % 2 === 0 && a.byteOffset % 4 === 0 ? new Int32Array(a.buffer, a.byteOffset, a.length / 2) : null;
}

/**
 * `timeReduceI` for rank 1, state zero point 0 and even `memory`, over `pairView`s of the
 * int16 state and time weights: each load brings two elements (about a quarter faster).
 * @example timeReducePairs(pairView(state)!, pairView(wt)!, bias, y, 1, 64, 8, q);
 */
export function timeReducePairs(
  st: Int32Array, wt: Int32Array, bias: Int32Array | null, y: Int8Array,
  batch: number, units: number, memory: number, q: SvdfQuant,
): void {
  const { toOut, outZp, lo, hi } = q;
  const half = memory >> 1;
  for (let b = 0; b < batch; b++) {
    const sb = b * units * half, yb = b * units;
    for (let u = 0, j = 0; u < units; u++) {
      let s0 = bias ? bias[u]! : 0, s1 = 0, s2 = 0, s3 = 0;
      for (const e = j + half - 1; j < e; j += 2) {
        const w0 = wt[j]!, x0 = st[sb + j]!, w1 = wt[j + 1]!, x1 = st[sb + j + 1]!;
        s0 = (s0 + ((w0 << 16) >> 16) * ((x0 << 16) >> 16)) | 0;
        s1 = (s1 + (w0 >> 16) * (x0 >> 16)) | 0;
        s2 = (s2 + ((w1 << 16) >> 16) * ((x1 << 16) >> 16)) | 0;
        s3 = (s3 + (w1 >> 16) * (x1 >> 16)) | 0;
      }
      if (half & 1) {
        const w0 = wt[j]!, x0 = st[sb + j]!;
        s0 = (s0 + ((w0 << 16) >> 16) * ((x0 << 16) >> 16)) | 0;
        s1 = (s1 + (w0 >> 16) * (x0 >> 16)) | 0;
        j++;
      }
      y[yb + u] = requantClamp((s0 + s1 + s2 + s3) | 0, toOut, outZp, lo, hi);
    }
  }
}
