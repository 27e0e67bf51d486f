/**
 * Layout arithmetic for lowerings: a Perm lists, for each physical dim, the
 * logical dim stored there (NHWC of an NCHW value is [0, 2, 3, 1]).
 */
import type { Perm } from '../convert-traits.js';

export const NHWC: Perm = [0, 2, 3, 1];

export const identity = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);

export const isIdentity = (p: Perm): boolean => p.every((d, i) => d === i);

export const samePerm = (a: Perm, b: Perm): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The physical shape of a logical `shape` stored in `perm`. */
export const permuted = (shape: readonly number[], perm: Perm): number[] => perm.map((d) => shape[d]);

/** Inverse permutation. */
export function inverse(p: Perm): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((d, i) => { inv[d] = i; });
  return inv;
}

/** The physical position of logical `axis` (negative axes count from the end). */
export const physicalAxis = (perm: Perm, axis: number): number => perm.indexOf(axis < 0 ? axis + perm.length : axis);

/** The layout of a value after removing logical `axes` (a reduction without keepdim) from one in `perm`. */
export function withoutAxes(perm: Perm, axes: readonly number[]): number[] {
  const rank = perm.length;
  const gone = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const kept = perm.filter((d) => !gone.has(d));
  const rename = new Map(identity(rank).filter((d) => !gone.has(d)).map((d, i) => [d, i]));
  return kept.map((d) => rename.get(d)!);
}

/** Moves data in logical layout into `perm` (a copy). */
export function permuteData<T extends ArrayLike<number> & { length: number }>(
  data: T, shape: readonly number[], perm: Perm, make: (n: number) => T & { [i: number]: number },
): T {
  const rank = shape.length;
  const out = make(data.length);
  if (rank === 0 || isIdentity(perm)) { for (let i = 0; i < data.length; i++) out[i] = data[i]; return out; }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  const pshape = permuted(shape, perm);
  const pstr = perm.map((d) => strides[d]);
  // one row of the innermost output dim per step of the index counter over the outer dims
  const last = rank - 1, row = pshape[last], step = pstr[last];
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o += row) {
    let src = 0;
    for (let d = 0; d < last; d++) src += idx[d] * pstr[d];
    for (let j = 0; j < row; j++) out[o + j] = data[src + j * step];
    for (let d = last - 1; d >= 0; d--) { if (++idx[d] < pshape[d]) break; idx[d] = 0; }
  }
  return out;
}

/** Whether going from layout `from` to `to` of `shape` moves only size-1 dims (same bytes: a RESHAPE suffices). */
export function sameMemoryOrder(shape: readonly number[], from: Perm, to: Perm): boolean {
  const a = from.filter((d) => shape[d] !== 1), b = to.filter((d) => shape[d] !== 1);
  return samePerm(a, b);
}
