/**
 * Strided copies over typed arrays: the layout kernels (permute, expand, slice, the
 * reductions' axis views) shared by training and the lite runtime.
 */

/** Numeric arrays the kernels read and write. */
export type NumArray = Float32Array | Int32Array | Uint8Array | Int8Array | Float64Array;

/** Row-major strides of `from` aligned to the broadcast shape `to` (0 on broadcast dims). */
export function alignedStrides(from: readonly number[], to: readonly number[]): number[] {
  const out = new Array<number>(to.length).fill(0);
  let acc = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    const o = to.length - from.length + i;
    out[o] = from[i] === 1 ? 0 : acc;
    acc *= from[i];
  }
  return out;
}

/**
 * Generic strided copy: out (contiguous, shape `shape`) from `a` read with `strides` starting at `offset`.
 * Used for permute/expand/slice.
 */
export function stridedCopy(a: NumArray, offset: number, strides: readonly number[], out: NumArray, shape: readonly number[]): void {
  const rank = shape.length;
  const n = out.length;
  if (n === 0) return;
  if (rank === 0) { out[0] = a[offset]; return; }
  // a short last dim (NCHW -> NHWC: the channels) is copied with the dim before it, that one innermost
  const two = rank > 1 && shape[rank - 1] < 16 ? 1 : 0, top = rank - 1 - two;
  const inner = shape[rank - 1], mid = two ? shape[top] : 1, ms = two ? strides[top] : 0;
  const is = strides[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  // long contiguous runs are block copies: copyWithin where both live in one buffer (the lite arena)
  const block = !two && is === 1 && a.constructor === out.constructor, e = a.BYTES_PER_ELEMENT;
  const one = block && a.buffer === out.buffer ? new (a.constructor as new (b: ArrayBufferLike, o: number, n: number) => NumArray)(a.buffer, 0, a.buffer.byteLength / e | 0) : null;
  const ao = a.byteOffset / e, oo = out.byteOffset / e;
  let off = offset;
  for (let o = 0; o < n; o += inner * mid) {
    let p = off;
    if (two) for (let j = 0; j < inner; j++) for (let i = 0, q = p + j * is; i < mid; i++, q += ms) out[o + i * inner + j] = a[q];
    else if (one) one.copyWithin(oo + o, ao + p, ao + p + inner);
    else if (block) out.set(a.subarray(p, p + inner), o);
    else if (is === 1) for (let j = 0; j < inner; j++) out[o + j] = a[p + j];
    else for (let j = 0; j < inner; j++) { out[o + j] = a[p]; p += is; }
    for (let d = top - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}
