/**
 * Constants as the GPU holds them: float32 real values. int8/uint8/int16/int32 weights and
 * biases with quantization are dequantized at load (`scale[c] * (q - zeroPoint[c])`, per
 * channel along `quant.axis`); float16 buffers are widened. The choice for int8 models:
 * compute in float32 on dequantized weights, fake-quantizing every quantized activation at
 * the op that writes it (program.ts `epilogue`), instead of int8 kernels. Results follow the
 * int8 CPU path within a few quantization steps (rounding happens in float, not in the
 * fixed-point multipliers of the reference kernels).
 *
 * ```ts
 * realValues(weightsTensor); // Float32Array of the dequantized weights
 * ```
 */
import type { RtTensor } from '../../ops/op.js';

/** f16 bits -> number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** float32 -> f16 bits, rounded to nearest even (values from float16 weights convert exactly). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!, s = (x >>> 16) & 0x8000, e = (x >>> 23) & 0xff, m = x & 0x7fffff;
  if (e === 0xff) return s | 0x7c00 | (m ? 0x200 : 0);
  const he = e - 127 + 15;
  if (he >= 0x1f) return s | 0x7c00;
  if (he <= 0) {
    if (he < -10) return s;
    const mm = m | 0x800000, shift = 14 - he;
    let h = mm >>> shift;
    const rem = mm & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return s | h;
  }
  let h = (he << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return s | h;
}
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);

/** `v` as f16 bits (length padded to even, so the buffer is 4-byte sized). */
export function toHalf(v: Float32Array): Uint16Array {
  const out = new Uint16Array(v.length + (v.length & 1));
  for (let i = 0; i < v.length; i++) out[i] = floatToHalf(v[i]!);
  return out;
}

/** The real values of a constant tensor as float32, or null when its dtype has no real meaning here. */
export function realValues(t: RtTensor, shape: ReadonlyArray<number> = t.shape): Float32Array | null {
  const d = t.data;
  if (t.dtype === 'float32') return d as Float32Array;
  if (t.dtype === 'float16') return Float32Array.from(d as Uint16Array, halfToFloat);
  if (!(t.dtype === 'int8' || t.dtype === 'uint8' || t.dtype === 'int16' || t.dtype === 'int32') || !t.quant) return null;
  const q = t.quant, out = new Float32Array(d.length), src = d as Int32Array;
  if (q.scale.length === 1) {
    const s = q.scale[0]!, z = q.zeroPoint[0] ?? 0;
    for (let i = 0; i < out.length; i++) out[i] = s * (src[i]! - z);
    return out;
  }
  let inner = 1;
  for (let k = q.axis + 1; k < shape.length; k++) inner *= shape[k]!;
  const ch = q.scale.length;
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / inner) % ch;
    out[i] = q.scale[c]! * (src[i]! - (q.zeroPoint[c] ?? 0));
  }
  return out;
}

/**
 * The real values of a bias: float as is; int32 by its own quantization when it has one, else
 * by `inScale * wScale[c]` (TFLite's convention for quantized convolutions).
 */
export function biasValues(b: RtTensor, inScale: number, wScales: ArrayLike<number> | null): Float32Array | null {
  if (b.dtype !== 'int32' || (b.quant && b.quant.scale.length > 0)) return realValues(b);
  if (!wScales) return null;
  const src = b.data as Int32Array, out = new Float32Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = src[i]! * inScale * (wScales.length === 1 ? wScales[0]! : wScales[i]!);
  return out;
}

/** `w` as a [rows, cols] matrix transposed to [cols, colsPad = ceil(rows / 4) * 4] (zero padded): B of a GEMM. */
export function transposePadded(w: Float32Array, rows: number, cols: number): { data: Float32Array; pad: number } {
  const pad = Math.ceil(rows / 4) * 4;
  const out = new Float32Array(cols * pad);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * pad + r] = w[r * cols + c]!;
  return { data: out, pad };
}
