import { alignedStrides, collapseDims, type NumArray } from './broadcast.js';

/**
 * Reduces `a` (shape `shape`) into `out` whose shape `keepShape` has the same rank
 * with 1 on reduced dims: out[j] = combine(out[j], a[i]) starting from `init`.
 * @example reduceInto(a, [2, 3], out, [2, 1], -Infinity, Math.max)
 */
export function reduceInto(a: NumArray, fullShape: readonly number[], out: NumArray, fullKeepShape: readonly number[],
  init: number, combine: (acc: number, x: number) => number): void {
  out.fill(init);
  const [shape, keepShape] = collapseDims(fullShape, fullKeepShape);
  const rank = shape.length;
  if (rank === 0) { if (a.length) out[0] = combine(init, a[0]); return; }
  const so = alignedStrides(keepShape, shape);
  const inner = shape[rank - 1];
  const io = so[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < a.length; i += inner) {
    let p = off;
    for (let j = 0; j < inner; j++) { out[p] = combine(out[p], a[i + j]); p += io; }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      off += so[d];
      if (idx[d] < shape[d]) break;
      off -= so[d] * shape[d];
      idx[d] = 0;
    }
  }
}
