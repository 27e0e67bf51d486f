/** Weight handling shared by CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV. */

import type { OpNode, RtTensor } from '../op.js';
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
