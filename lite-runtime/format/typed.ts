/**
 * Typed-array views by dtype, shared by the model parser (constants) and the planner (arena).
 *
 * ```ts
 * const w = typedView('float32', bytes.buffer, 64, 10); // Float32Array of 10 at byte 64
 * ```
 */
import type { LiteDType, TypedArray } from '../ops/op.js';
import { DTYPE_BYTES } from './schema.js';

/** A typed view of `count` elements of `dtype` at `byteOffset` (must be aligned to the element size). */
export function typedView(dtype: LiteDType, buffer: ArrayBufferLike, byteOffset: number, count: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, byteOffset, count);
    case 'float64': return new Float64Array(buffer, byteOffset, count);
    case 'float16': return new Uint16Array(buffer, byteOffset, count);
    case 'int8': return new Int8Array(buffer, byteOffset, count);
    case 'int16': return new Int16Array(buffer, byteOffset, count);
    case 'int32': return new Int32Array(buffer, byteOffset, count);
    case 'int64': return new BigInt64Array(buffer, byteOffset, count);
    case 'uint8': case 'bool': case 'string': return new Uint8Array(buffer, byteOffset, count);
  }
}

/** An empty array of the dtype's element type (placeholder before planning). */
export function emptyTyped(dtype: LiteDType): TypedArray {
  return typedView(dtype, new ArrayBuffer(0), 0, 0);
}

/** Bytes per element (1 for 'string', whose data is raw bytes). */
export function elemBytes(dtype: LiteDType): number {
  return DTYPE_BYTES[dtype] || 1;
}

/**
 * Views `bytes` as `dtype` in place when aligned, else copies into a fresh aligned buffer.
 * `bytes.length` must be a multiple of the element size.
 */
export function viewOrCopy(dtype: LiteDType, bytes: Uint8Array): TypedArray {
  const size = elemBytes(dtype);
  const count = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return typedView(dtype, bytes.buffer, bytes.byteOffset, count);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return typedView(dtype, copy.buffer, 0, count);
}

/** Number of elements of a shape (1 for a scalar). */
export function numElements(shape: ArrayLike<number>): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Copies `src` into `dst` (same element type and length), as raw bytes. */
export function copyData(dst: TypedArray, src: TypedArray): void {
  new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength)
    .set(new Uint8Array(src.buffer, src.byteOffset, Math.min(src.byteLength, dst.byteLength)));
}
