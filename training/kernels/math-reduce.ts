import { stridedCopy, type NumArray } from '../../lite-runtime/kernels/strided.js';
import type { AxisView } from '../../lite-runtime/kernels/math-reduce.js';

/*
 * Training's reductions beyond the shared ones (lite-runtime/kernels/math-reduce.ts: axisView,
 * sumAxis, prodAxis): max/min and arg max/min with PyTorch's NaN rule, the gradients of
 * prod and max/min, and undoing an axis view.
 */

/** Copies `src`, laid out in `view.perm` order of `shape`, back into row-major `shape` order. */
export function undoAxisView(src: NumArray, shape: readonly number[], view: AxisView, out: NumArray): void {
  if (view.perm === null) { out.set(src); return; }
  const perm = view.perm;
  const pShape = perm.map((d) => shape[d]);
  const pStrides = new Array<number>(perm.length);
  let acc = 1;
  for (let i = perm.length - 1; i >= 0; i--) { pStrides[i] = acc; acc *= pShape[i]; }
  const inv = new Array<number>(perm.length);
  perm.forEach((d, i) => { inv[d] = i; });
  stridedCopy(src, 0, inv.map((p) => pStrides[p]), out, shape);
}

/**
 * out[o, i] = max_j (or min_j) a[o, j, i]; NaN wins (propagates), as in PyTorch. n must be >= 1.
 * @example extremeAxis(a, 1, 4, 1, out, true)
 */
export function extremeAxis(a: NumArray, outer: number, n: number, inner: number, out: NumArray, isMax: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let p = o * n * inner + i;
      let best = a[p];
      for (let j = 1; j < n; j++) {
        p += inner;
        const v = a[p];
        if (best !== best) break;
        if (v !== v || (isMax ? v > best : v < best)) best = v;
      }
      out[o * inner + i] = best;
    }
  }
}

/**
 * Index (and value) of the max/min along the axis: the first one on ties; a NaN counts as
 * the extreme (the first NaN wins), as PyTorch's argmax/argmin and max(dim). n must be >= 1.
 * @example argExtremeAxis(a, 2, 3, 1, idx, vals, true)
 */
export function argExtremeAxis(a: NumArray, outer: number, n: number, inner: number,
  outIdx: Int32Array, outVal: NumArray | null, isMax: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let p = o * n * inner + i;
      let best = a[p], at = 0;
      for (let j = 1; j < n && best === best; j++) {
        p += inner;
        const v = a[p];
        if (v !== v || (isMax ? v > best : v < best)) { best = v; at = j; }
      }
      outIdx[o * inner + i] = at;
      if (outVal !== null) outVal[o * inner + i] = best;
    }
  }
}

/**
 * out[o, j, i] = prod_{j' != j} a[o, j', i]: the gradient of a product, exact with zeros
 * (one zero: only its slot is non-zero; two or more: all zero), without dividing by a[j].
 * @example prodOthersAxis(a, 1, 3, 1, out) // [2, 0, 3] -> [0, 6, 0]
 */
export function prodOthersAxis(a: NumArray, outer: number, n: number, inner: number, out: NumArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const first = o * n * inner + i;
      let p = first, nonzero = 1, zeros = 0, zeroAt = -1;
      for (let j = 0; j < n; j++, p += inner) {
        const v = a[p];
        if (v === 0) { zeros++; zeroAt = p; } else nonzero *= v;
      }
      p = first;
      for (let j = 0; j < n; j++, p += inner) {
        out[p] = zeros === 0 ? nonzero / a[p] : zeros === 1 && p === zeroAt ? nonzero : 0;
      }
    }
  }
}

/**
 * Backward of max/min over the axis: g (one per group) split evenly among the elements equal
 * to the result y (NaN results go to the NaN elements), 0 elsewhere. PyTorch's rule for amax,
 * amin and full max()/min().
 * @example extremeGradAxis([1, 3, 3], 1, 3, 1, [3], [1], out) // [0, 0.5, 0.5]
 */
export function extremeGradAxis(x: NumArray, outer: number, n: number, inner: number, y: NumArray, g: NumArray, out: NumArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const r = o * inner + i, want = y[r], isNaN_ = want !== want;
      const first = o * n * inner + i;
      let count = 0;
      for (let j = 0, p = first; j < n; j++, p += inner) { const v = x[p]; if (v === want || (isNaN_ && v !== v)) count++; }
      const share = g[r] / count;
      for (let j = 0, p = first; j < n; j++, p += inner) { const v = x[p]; out[p] = v === want || (isNaN_ && v !== v) ? share : 0; }
    }
  }
}
