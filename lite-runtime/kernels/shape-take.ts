import type { NumArray } from './strided.js';

/** Extents of a take along `dim`: outer = prod(shape[:dim]), size = shape[dim], inner = prod(shape[dim+1:]). */
function extents(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

/** -1 when every index lies in [0, size), else the flat position of the first that does not. */
export function findBadIndex(index: ArrayLike<number>, size: number): number {
  for (let i = 0; i < index.length; i++) {
    const v = index[i];
    if (!(v >= 0 && v < size)) return i;
  }
  return -1;
}

/**
 * ONNX Gather / torch.index_select / embedding lookup: takes whole slices of `x`
 * along `dim` at `index` (any shape). out shape = xShape[:dim] + indexShape + xShape[dim+1:].
 * Returns -1, or the flat position of the first out-of-range index (nothing written).
 * @example take(weight, [10, 4], ids, 0, out) // rows of a [10, 4] table
 */
export function take(x: NumArray, xShape: readonly number[], index: ArrayLike<number>, dim: number, out: NumArray): number {
  const [outer, size, inner] = extents(xShape, dim);
  const bad = findBadIndex(index, size);
  if (bad >= 0) return bad;
  const n = index.length;
  const sameType = x.constructor === out.constructor;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * size * inner;
    for (let k = 0; k < n; k++, o += inner) {
      const from = base + index[k] * inner;
      if (inner === 1) out[o] = x[from];
      else if (sameType) (out as Float32Array).set((x as Float32Array).subarray(from, from + inner), o);
      else for (let j = 0; j < inner; j++) out[o + j] = x[from + j];
    }
  }
  return -1;
}

/**
 * The adjoint of `take`: out[..., index[k], ...] += src[..., k, ...] along `dim`, in place on
 * `out` (shape `outShape`); src shape = outShape[:dim] + index shape + outShape[dim+1:].
 * Returns -1, or the flat position of the first out-of-range index (nothing written).
 * @example takeAdd(gradW, [10, 4], ids, 0, gradRows)
 */
export function takeAdd(out: NumArray, outShape: readonly number[], index: ArrayLike<number>, dim: number, src: NumArray): number {
  const [outer, size, inner] = extents(outShape, dim);
  const bad = findBadIndex(index, size);
  if (bad >= 0) return bad;
  const n = index.length;
  let s = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * size * inner;
    for (let k = 0; k < n; k++, s += inner) {
      const to = base + index[k] * inner;
      for (let j = 0; j < inner; j++) out[to + j] += src[s + j];
    }
  }
  return -1;
}
