/**
 * TFLite's integer requantization arithmetic (gemmlowp fixed point), exact in
 * plain JS numbers: every product that could exceed 2^53 is split.
 */

const TWO31 = 2147483648;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** A real multiplier as TFLite stores it: `real ≈ multiplier * 2^(shift - 31)`. */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/**
 * Splits a real multiplier into a Q31 fixed-point value and a power-of-two
 * shift, as TFLite's `QuantizeMultiplier` does (frexp + round half away).
 * @example quantizeMultiplier(0.5) // { multiplier: 1073741824, shift: 0 }
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0 || !Number.isFinite(real)) return { multiplier: 0, shift: 0 };
  const sign = real < 0 ? -1 : 1;
  let q = Math.abs(real);
  let shift = Math.floor(Math.log2(q)) + 1;
  q = q / 2 ** shift;
  while (q >= 1) { q /= 2; shift++; }
  while (q < 0.5) { q *= 2; shift--; }
  let fixed = Math.round(q * TWO31);
  if (fixed === TWO31) { fixed /= 2; shift++; }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) { shift = 30; fixed = INT32_MAX; }
  return { multiplier: sign * fixed, shift };
}

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b,
 * rounded to nearest (ties away from zero), saturating the single overflow case.
 * @example srdhm(1 << 30, 1 << 30) // 536870912
 */
export function srdhm(a: number, b: number): number {
  const p = a * b;
  if (p < 4503599627370496 && p > -4503599627370496) {
    // |a*b| < 2^52: the product and the nudged sum are exact doubles.
    return Math.trunc((p + (p >= 0 ? 1073741824 : -1073741823)) / TWO31) | 0;
  }
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a*b = hi * 2^16 + lo, both parts exact doubles.
  const hi = a * (b >> 16);
  const lo = a * (b & 0xffff);
  const negative = (a < 0 && b > 0) || (a > 0 && b < 0);
  const nudge = negative ? 1 - (1 << 30) : (1 << 30);
  // hi * 2^16 = q1 * 2^31 + r1 * 2^16 with 0 <= r1 < 2^15.
  const q1 = Math.floor(hi / 32768);
  const t = (hi - q1 * 32768) * 65536 + lo + nudge;
  const f = Math.floor(t / TWO31);
  let res = q1 + f;
  // C++ integer division truncates toward zero.
  if (negative && t - f * TWO31 !== 0) res += 1;
  return res;
}

/** srdhm on int16 values: (a*b + 2^14) >> 15 rounded half away from zero, saturating -1 * -1. */
export function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const p = a * b;
  return (Math.trunc((p + (p >= 0 ? 16384 : -16383)) / 32768) << 16) >> 16;
}

/**
 * gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero.
 * @example roundingDivideByPOT(5, 1) // 3
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = ((1 << exponent) - 1) | 0;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite's `MultiplyByQuantizedMultiplier(x, multiplier, shift)` (double rounding).
 * @example const m = quantizeMultiplier(0.25); mulQ(100, m.multiplier, m.shift) // 25
 */
export function mulQ(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(srdhm(left ? Math.imul(x, 1 << left) : x, multiplier), right);
}

/** TFLite's `TfLiteRound`: round half away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * True when every zero point is 0 (per-channel weights), natively: the ends of a sorted copy
 * (a JS loop over thousands of channels, cold at load, costs milliseconds).
 * @example expect(OP, node, allZero(w.quant.zeroPoint), () => 'filter zero points must be 0');
 */
export function allZero(a: Int32Array): boolean {
  const s = a.slice().sort();
  return s.length === 0 || (s[0] === 0 && s[s.length - 1] === 0);
}

/** Integer range of a quantized element type. */
export function qRange(dtype: string): [number, number] {
  switch (dtype) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    default: return [INT32_MIN, INT32_MAX];
  }
}

/**
 * Per-channel requantization multipliers for `inScale * wScale[c] / outScale`
 * (one entry when the weights are per-tensor), as TFLite's conv/FC prepare does.
 */
export function channelMultipliers(
  inScale: number, wScales: Float32Array, outScale: number, channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const ws = wScales.length === 1 ? wScales[0]! : wScales[c]!;
    const q = quantizeMultiplier((inScale * ws) / outScale);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}
