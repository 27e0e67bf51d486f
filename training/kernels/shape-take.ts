import type { NumArray } from '../../lite-runtime/kernels/strided.js';
import { findBadIndex, takeExtents } from '../../lite-runtime/kernels/shape-take.js';

/** Training's half of take (the forward kernel is lite-runtime/kernels/shape-take.ts): its adjoint. */

/**
 * The adjoint of `take`: out[..., index[k], ...] += src[..., k, ...] along `dim`, in place on
 * `out` (shape `outShape`); src shape = outShape[:dim] + index shape + outShape[dim+1:].
 * Returns -1, or the flat position of the first out-of-range index (nothing written).
 * @example takeAdd(gradW, [10, 4], ids, 0, gradRows)
 */
export function takeAdd(out: NumArray, outShape: readonly number[], index: ArrayLike<number>, dim: number, src: NumArray): number {
  const [outer, size, inner] = takeExtents(outShape, dim);
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
