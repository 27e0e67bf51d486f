import type { NumArray } from './strided.js';

/**
 * Cumulative sum along the axis of an [outer, n, inner] layout (float64 accumulation),
 * from the end when `reverse` (ONNX CumSum's `reverse`).
 * @example cumsumAxis([1, 2, 3], out, 1, 3, 1, false) // [1, 3, 6]
 */
export function cumsumAxis(a: NumArray, out: NumArray, outer: number, n: number, inner: number, reverse: boolean): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let s = 0;
      if (reverse) for (let j = n - 1; j >= 0; j--) { s += a[base + j]; out[base + j] = s; }
      else for (let j = 0; j < n; j++) { s += a[base + j]; out[base + j] = s; }
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * n * inner;
    for (let jj = 0; jj < n; jj++) {
      const row = base + (reverse ? n - 1 - jj : jj) * inner;
      for (let i = 0; i < inner; i++) { acc[i] += a[row + i]; out[row + i] = acc[i]; }
    }
  }
}
