/**
 * int8 elementwise arithmetic as XNNPACK computes it, hence as LiteRT.js and tfjs-tflite
 * (the TFLite interpreter with its XNNPACK delegate) compute it. TFLite's own kernels
 * (`quant.ts`: a 2^20 headroom, three Q31 multipliers) run only where the delegate
 * declines a node: ADD/SUB with an input-to-output scale ratio outside [2^-10, 2^8),
 * MUL with a product-to-output ratio outside [2^-16, 2^8).
 *
 * ADD/SUB (one rounding): with ra = f32(sa / sy), rb = ±f32(sb / sy) (minus for SUB),
 *   shift = 20 - exponent(max(|ra|, |rb|)), ma = lrintf(ra * 2^shift), mb likewise,
 *   y = ((2^(shift-1) - ma*za - mb*zb + ma*a + mb*b) >> shift) + zy, clamped.
 * MUL (float): y = roundHalfEven(f32((a - za) * (b - zb) * f32(f32(sa * sb) / sy))) + zy, clamped.
 */

import { Activation } from '../../format/schema.js';

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** IEEE single bits of a number rounded to float32. */
function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0]!;
}

/** Round half to even (C's lrintf in the default rounding mode). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/** Fixed-point parameters of XNNPACK's int8 add: y = ((bias + ma*a + mb*b) >> shift) + zy. */
export interface XnnAddParams {
  ma: number;
  mb: number;
  shift: number;
  /** 2^(shift-1) - ma*za - mb*zb: the rounding and both input zero points. */
  bias: number;
}

/** True when XNNPACK's delegate takes an int8 ADD/SUB with these scales. */
export function xnnAddSupported(sa: number, sb: number, sy: number): boolean {
  const ok = (r: number): boolean => r >= 2 ** -10 && r < 256;
  return ok(Math.fround(sa / sy)) && ok(Math.fround(sb / sy));
}

/** True when XNNPACK's delegate takes an int8 MUL with these scales. */
export function xnnMulSupported(sa: number, sb: number, sy: number): boolean {
  const r = xnnMulScale(sa, sb, sy);
  return r >= 2 ** -16 && r < 256;
}

/** The float32 scale XNNPACK's int8 MUL multiplies the integer product by. */
export function xnnMulScale(sa: number, sb: number, sy: number): number {
  return Math.fround(Math.fround(sa * sb) / sy);
}

/**
 * XNNPACK's int8 add parameters (`negateB` for SUB). Assumes `xnnAddSupported`.
 * @example xnnAddParams(0.5, 0.5, 1, 0, 0, false) // { ma: 1048576, mb: 1048576, shift: 21, bias: 1048576 }
 */
export function xnnAddParams(sa: number, sb: number, sy: number, za: number, zb: number, negateB: boolean): XnnAddParams {
  const ra = Math.fround(sa / sy), rb = Math.fround(sb / sy);
  const exponent = (f32Bits(Math.max(ra, rb)) >>> 23) - 127;
  const shift = 20 - exponent;
  // ratio * 2^shift is exact in float32 (an exponent change); lrintf rounds it half to even
  const ma = roundHalfEven(Math.fround(ra * 2 ** shift));
  const mbAbs = roundHalfEven(Math.fround(rb * 2 ** shift));
  const mb = negateB ? -mbAbs : mbAbs;
  return { ma, mb, shift, bias: 2 ** (shift - 1) - ma * za - mb * zb };
}

/**
 * Clamp range of a fused activation as XNNPACK quantizes it for int8 outputs:
 * lrintf(f32(bound / scale) + zp) (ties to even, after adding the zero point), within
 * [-128, 127]. TFLite's own kernels round `bound / scale` half away from zero instead.
 * @example xnnActRange(Activation.RELU_N1_TO_1, 2, 0) // [0, 0] (TFLite's kernels: [-1, 1])
 */
export function xnnActRange(act: number, scale: number, zeroPoint: number): [number, number] {
  const q = (f: number): number => {
    const v = roundHalfEven(Math.fround(Math.fround(f / scale) + zeroPoint));
    return v < -128 ? -128 : v > 127 ? 127 : v;
  };
  switch (act) {
    case Activation.RELU: return [q(0), 127];
    case Activation.RELU_N1_TO_1: return [q(-1), q(1)];
    case Activation.RELU6: return [q(0), q(6)];
    default: return [-128, 127];
  }
}

/**
 * How the wasm int8 elementwise kernels can run a broadcast: the operand with the output's
 * element count (`swap`: it is input 1) and the period `bn` at which the other repeats
 * (the output's element count: same shape; 1: a scalar; else its trailing dims), or null.
 * @example elementwisePlan([1, 8, 8, 16], [1, 1, 1, 16], [1, 8, 8, 16]) // { swap: false, bn: 16 }
 */
export function elementwisePlan(a: readonly number[], b: readonly number[], out: readonly number[]): { swap: boolean; bn: number } | null {
  const count = (s: readonly number[]): number => s.reduce((x, y) => x * y, 1);
  const n = count(out);
  // s broadcasts as a block that repeats: its dims after the leading 1s are the output's last ones
  const trailing = (s: readonly number[]): boolean => {
    let k = 0;
    while (k < s.length && s[k] === 1) k++;
    const t = s.slice(k);
    return t.every((d, i) => d === out[out.length - t.length + i]);
  };
  if (count(a) === n && (count(b) === n || trailing(b))) return { swap: false, bn: count(b) };
  if (count(b) === n && trailing(a)) return { swap: true, bn: count(a) };
  return null;
}
