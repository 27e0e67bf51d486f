/**
 * Output requantization of the int8 GEMM-like ops (CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, TRANSPOSE_CONV, BATCH_MATMUL). Two arithmetics exist in TFLite:
 * - 'fp32' (default): what the real TFLite runtimes compute through XNNPACK
 *   (LiteRT.js, tfjs-tflite): y = roundHalfEven(f32(f32(acc) * f32(inScale * wScale / outScale))) + zp,
 *   clamped before rounding. Matches their int8 outputs bit for bit on the real models.
 * - 'reference': TFLite's reference kernels and TFLite Micro (gemmlowp fixed point,
 *   MultiplyByQuantizedMultiplier).
 * The two differ by at most one step on an element, and only rarely.
 *
 * A model picks one with `loadModel(bytes, { requant: 'reference' })`; `setRequantMode` sets the
 * default of models loaded without that option.
 *
 * @example await loadModel(bytes, { requant: 'reference' }); // to match TFLite Micro
 */
import { InputError } from '../../format/errors.js';
import { channelMultipliers, mulQ } from './quant.js';

export type RequantMode = 'fp32' | 'reference';

let mode: RequantMode = 'fp32';

const ROUND_MAGIC = 6755399441055744; // 1.5 * 2^52: adding and subtracting rounds half to even

/** Sets the default requantization arithmetic of models loaded without `requant` (and of ops prepared directly). */
export function setRequantMode(m: RequantMode): void {
  if (m !== 'fp32' && m !== 'reference') throw new InputError(`requantization mode must be 'fp32' or 'reference', got '${String(m)}'`);
  mode = m;
}

/** The requantization arithmetic new prepares use. */
export function requantMode(): RequantMode {
  return mode;
}

/** Per-channel requantization parameters of one node (one entry when per-tensor). */
export interface Requant {
  fp32: boolean;
  /** f32(f32(inScale * wScale[c]) / outScale), for 'fp32'. */
  scale: Float32Array;
  /** Q31 multiplier and shift, for 'reference' (empty for 'fp32'). */
  mult: Int32Array;
  shift: Int32Array;
  outZp: number;
  /** Clamp range (integers, output quantization). */
  lo: number;
  hi: number;
}

/**
 * Builds the requantization of `channels` outputs for the current mode (or `m`, where an op
 * knows the real runtime runs TFLite's own kernel).
 * @example const rq = makeRequant(0.5, w.quant.scale, 0.25, -3, -128, 127, 8);
 */
export function makeRequant(
  inScale: number, wScales: Float32Array, outScale: number, outZp: number, lo: number, hi: number, channels: number,
  m: RequantMode = mode,
): Requant {
  // the fixed-point multipliers only where 'reference' reads them (thousands of channels cost load time)
  const { multipliers, shifts } = m === 'fp32' ? { multipliers: new Int32Array(0), shifts: new Int32Array(0) }
    : channelMultipliers(inScale, wScales, outScale, channels);
  const scale = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const ws = wScales.length === 1 ? wScales[0]! : wScales[c]!;
    scale[c] = Math.fround(Math.fround(inScale * ws) / outScale);
  }
  return { fp32: m === 'fp32', scale, mult: multipliers, shift: shifts, outZp, lo, hi };
}

/**
 * Requantizes one int32 accumulator (bias included) of channel `c`.
 * @example y[i] = requant(rq, acc[i] + bias[c], c);
 */
export function requant(rq: Requant, acc: number, c: number): number {
  if (rq.fp32) {
    let v = Math.fround(Math.fround(acc) * rq.scale[c]!);
    const lo = rq.lo - rq.outZp, hi = rq.hi - rq.outZp;
    v = v < lo ? lo : v > hi ? hi : v;
    return (v + ROUND_MAGIC - ROUND_MAGIC) + rq.outZp;
  }
  const v = mulQ(acc, rq.mult[c]!, rq.shift[c]!) + rq.outZp;
  return v < rq.lo ? rq.lo : v > rq.hi ? rq.hi : v;
}


/**
 * Requantizes a [rows, channels] block of int32 accumulators into int8 `y` starting at
 * `yOff` (rows `yStride` apart), adding `bias[c0 + c]` and, when given, `rowCorr[r]`;
 * channel c uses the scale of channel `c0 + c` (grouped convolutions pass their offset).
 * @example requantBlock(rq, acc, m, oc, bias, y, 0);
 */
export function requantBlock(
  rq: Requant, acc: Int32Array, rows: number, channels: number, bias: Int32Array | null,
  y: Int8Array, yOff: number, rowCorr: Int32Array | null = null, c0 = 0, yStride = channels,
): void {
  const perChannel = rq.scale.length > 1, zp = rq.outZp;
  if (rq.fp32 && perChannel && bias && !rowCorr) {
    // the common conv case, without per-element branches
    const sc = rq.scale, lo = rq.lo - zp, hi = rq.hi - zp;
    for (let r = 0, i = 0; r < rows; r++) {
      const o = yOff + r * yStride;
      for (let c = 0, cc = c0; c < channels; c++, i++, cc++) {
        let v = Math.fround(Math.fround(acc[i]! + bias[cc]!) * sc[cc]!);
        v = v < lo ? lo : v > hi ? hi : v;
        y[o + c] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
      }
    }
    return;
  }
  if (rq.fp32) {
    const sc = rq.scale, lo = rq.lo - zp, hi = rq.hi - zp, s0 = sc[0]!;
    for (let r = 0, i = 0; r < rows; r++) {
      const corr = rowCorr ? rowCorr[r]! : 0, o = yOff + r * yStride;
      for (let c = 0; c < channels; c++, i++) {
        let v = Math.fround(Math.fround(acc[i]! + corr + (bias ? bias[c0 + c]! : 0)) * (perChannel ? sc[c0 + c]! : s0));
        v = v < lo ? lo : v > hi ? hi : v;
        y[o + c] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
      }
    }
    return;
  }
  for (let r = 0, i = 0; r < rows; r++) {
    const corr = rowCorr ? rowCorr[r]! : 0, o = yOff + r * yStride;
    for (let c = 0; c < channels; c++, i++) {
      y[o + c] = requant(rq, acc[i]! + corr + (bias ? bias[c0 + c]! : 0), perChannel ? c0 + c : 0);
    }
  }
}
