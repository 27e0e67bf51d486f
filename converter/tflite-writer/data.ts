/**
 * Constant tensor contents -> the little-endian bytes a TFLite buffer holds.
 */
import { DTYPE_BYTES } from '../../lite-runtime/format/schema.js';
import type { LiteDType } from '../../lite-runtime/ops/op.js';
import { fmtShape } from '../../lite-runtime/errors.js';
import { TfliteWriteError } from './errors.js';
import type { TensorData } from './types.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * IEEE half-precision bits of `x` (round to nearest even; overflow -> inf; NaN kept).
 * Example: `float16Bits(1) === 0x3c00`.
 */
export function float16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > half || (rest === half && (h & 1))) h++;
    return sign | h;
  }
  const rest = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return sign | h;
}

function fromNumbers(values: ArrayLike<number>, dtype: LiteDType, where: string): Uint8Array {
  const n = values.length;
  let out: ArrayBufferView;
  switch (dtype) {
    case 'float32': out = Float32Array.from(values); break;
    case 'float64': out = Float64Array.from(values); break;
    case 'float16': out = Uint16Array.from(Array.from(values, float16Bits)); break;
    case 'int8': out = Int8Array.from(values); break;
    case 'uint8': out = Uint8Array.from(values); break;
    case 'bool': out = Uint8Array.from(values, (v) => (v ? 1 : 0)); break;
    case 'int16': out = Int16Array.from(values); break;
    case 'int32': out = Int32Array.from(values); break;
    case 'int64': out = BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v)))); break;
    case 'string': throw new TfliteWriteError(`${where}: string data must be given as raw bytes (Uint8Array)`);
  }
  if (dtype === 'int8' || dtype === 'uint8' || dtype === 'int16' || dtype === 'int32') {
    const [lo, hi] = dtype === 'int8' ? [-128, 127] : dtype === 'uint8' ? [0, 255] : dtype === 'int16' ? [-32768, 32767] : [-(2 ** 31), 2 ** 31 - 1];
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < lo || v > hi) throw new TfliteWriteError(`${where}: element ${i} = ${v} is not a ${dtype} value`);
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Typed arrays accepted as data per dtype, besides Uint8Array / Buffer (raw bytes of any dtype). */
const VIEW_TYPES: Record<LiteDType, string[]> = {
  float32: ['Float32Array'], float16: ['Uint16Array'], float64: ['Float64Array'],
  int8: ['Int8Array'], uint8: [], bool: [], int16: ['Int16Array'],
  int32: ['Int32Array'], int64: ['BigInt64Array'], string: [],
};

/**
 * The bytes of a constant tensor, checked against its shape and dtype. A typed array
 * must be of the dtype's element type (or a Uint8Array of raw bytes), so that e.g.
 * float values are never reinterpreted as int8 bytes.
 * Example: `tensorBytes([1, 2], 'float32', [1], 't') -> 8 bytes`.
 */
export function tensorBytes(data: TensorData, dtype: LiteDType, shape: readonly number[], where: string): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (ArrayBuffer.isView(data)) {
    const kind = data.constructor.name;
    if (!(data instanceof Uint8Array) && !VIEW_TYPES[dtype].includes(kind)) {
      throw new TfliteWriteError(`${where}: ${kind} data for a ${dtype} tensor (give ${[...VIEW_TYPES[dtype], 'Uint8Array (raw bytes)', 'a number array'].join(', ')})`);
    }
  }
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : fromNumbers(data, dtype, where);
  const size = DTYPE_BYTES[dtype];
  if (size !== 0 && bytes.byteLength !== count * size) {
    throw new TfliteWriteError(
      `${where}: data holds ${bytes.byteLength} bytes, shape ${fmtShape(shape)} ${dtype} needs ${count * size}`);
  }
  return bytes;
}
