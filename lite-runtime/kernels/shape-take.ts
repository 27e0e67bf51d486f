import type { NumArray } from './strided.js';

/** Indices of a take: int32 (or any numbers) or int64. */
export type IndexArray = ArrayLike<number> | BigInt64Array;

/** Extents of a take along `dim`: outer = prod(shape[:dim]), size = shape[dim], inner = prod(shape[dim+1:]). */
export function takeExtents(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

/**
 * -1 when every index lies in [0, size) (or [-size, size) with `negative`), else the flat
 * position of the first that does not.
 */
export function findBadIndex(index: IndexArray, size: number, negative = false): number {
  const lo = negative ? -size : 0;
  for (let i = 0; i < index.length; i++) {
    const v = index[i]!;
    if (!(v >= lo && v < size)) return i;
  }
  return -1;
}

/**
 * ONNX Gather / TFLite GATHER / torch.index_select / embedding lookup: takes whole slices of
 * `x` along `dim` at `index` (any shape; negative indices count from the end when `negative`).
 * out shape = xShape[:dim] + indexShape + xShape[dim+1:]. Slices of 64 or more elements of
 * the same type are block copies. Returns -1, or the flat position of the first out-of-range
 * index (nothing written).
 * @example take(weight, [10, 4], ids, 0, out) // rows of a [10, 4] table
 */
export function take(x: NumArray, xShape: readonly number[], index: IndexArray, dim: number, out: NumArray, negative = false): number {
  const [outer, size, inner] = takeExtents(xShape, dim);
  const bad = findBadIndex(index, size, negative);
  if (bad >= 0) return bad;
  const n = index.length;
  const block = inner >= 64 && x.constructor === out.constructor;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * size * inner;
    for (let k = 0; k < n; k++, o += inner) {
      let at = Number(index[k]);
      if (at < 0) at += size;
      const from = base + at * inner;
      if (inner === 1) out[o] = x[from];
      else if (block) (out as Float32Array).set((x as Float32Array).subarray(from, from + inner), o);
      else for (let j = 0; j < inner; j++) out[o + j] = x[from + j];
    }
  }
  return -1;
}
