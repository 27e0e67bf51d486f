/** Weight handling shared by CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV. */

import type { OpNode, RtTensor, TypedArray } from '../op.js';
import { describe, fail } from './check.js';

/**
 * Float32 view of a weight tensor: float32 as is, int8 / int16 weights of a
 * float op dequantized (per channel along `quant.axis`), float16 widened.
 * Runs at prepare, so the result is reused every run.
 */
export function floatWeights(op: string, node: OpNode, role: string, t: RtTensor): Float32Array {
  if (t.dtype === 'float32') return t.data as Float32Array;
  if (t.dtype === 'float16') {
    const src = t.data as Uint16Array;
    const dst = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) dst[i] = halfToFloat(src[i]!);
    return dst;
  }
  if ((t.dtype === 'int8' || t.dtype === 'int16' || t.dtype === 'uint8') && t.quant && t.quant.scale.length) {
    return dequantizeAxis(t);
  }
  throw fail(op, node, `${describe(role, t)}: weights must be float32, float16 or quantized int8`);
}

/** real = scale[c] * (q - zp[c]), c the index along `quant.axis` (per-tensor when one scale). */
export function dequantizeAxis(t: RtTensor): Float32Array {
  const q = t.quant!;
  const src = t.data as Int8Array | Int16Array | Uint8Array;
  const dst = new Float32Array(src.length);
  if (q.scale.length === 1) {
    const s = q.scale[0]!, z = q.zeroPoint[0] ?? 0;
    for (let i = 0; i < src.length; i++) dst[i] = s * (src[i]! - z);
    return dst;
  }
  const axis = q.axis;
  let inner = 1;
  for (let d = axis + 1; d < t.shape.length; d++) inner *= t.shape[d]!;
  const dim = t.shape[axis]!;
  for (let i = 0; i < src.length; i++) {
    const c = Math.floor(i / inner) % dim;
    dst[i] = q.scale[c]! * (src[i]! - (q.zeroPoint[c] ?? 0));
  }
  return dst;
}

const F16_BUF = new DataView(new ArrayBuffer(4));

/**
 * IEEE 754 half -> float (subnormals, infinities and NaN included).
 * @example halfToFloat(0x3c00) // 1
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  F16_BUF.setUint32(0, ((h & 0x8000) << 16) | ((exp + 112) << 23) | (frac << 13));
  return F16_BUF.getFloat32(0);
}

/**
 * Float32 weights for a float op: converted once when constant; when computed at
 * run time they must already be float32 and are read from the node each run (null here).
 */
export function floatWeightsOrLive(op: string, node: OpNode, role: string, t: RtTensor): Float32Array | null {
  if (t.isConst) return floatWeights(op, node, role, t);
  if (t.dtype !== 'float32') throw fail(op, node, `${describe(role, t)}: weights computed at run time must be float32`);
  return null;
}

/** The data of a constant operand (kept from prepare), or null for one computed at run time. */
export function constData<T extends TypedArray>(t: RtTensor | null): T | null {
  return t && t.isConst ? (t.data as T) : null;
}

/**
 * An operand's data at run: the value kept at prepare, else the node's live tensor.
 * @example const w = live(node, 1, s.weights);
 */
export function live<T extends TypedArray>(node: OpNode, i: number, kept: T | null): T {
  return kept ?? (node.inputs[i]!.data as T);
}
