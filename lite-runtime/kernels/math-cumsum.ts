import type { NumArray } from './strided.js';

/**
 * Cumulative sum along the axis of an [outer, n, inner] layout (float64 accumulation),
 * from the end when `reverse` (ONNX CumSum's and TFLite CUMSUM's `reverse`), each element
 * leaving itself out when `exclusive`. Into an Int32Array the sums wrap as int32 adds do
 * (exactly while the running sum stays below 2^53). `out` may alias `a`.
 * @example cumsumAxis([1, 2, 3], out, 1, 3, 1, false) // [1, 3, 6]
 */
export function cumsumAxis(a: NumArray, out: NumArray, outer: number, n: number, inner: number, reverse: boolean, exclusive = false): void {
  if (inner === 1) {
    const start = reverse ? n - 1 : 0, step = reverse ? -1 : 1;
    for (let o = 0; o < outer; o++) {
      let s = 0;
      if (exclusive) for (let j = 0, p = o * n + start; j < n; j++, p += step) { const v = a[p]; out[p] = s; s += v; }
      else for (let j = 0, p = o * n + start; j < n; j++, p += step) { s += a[p]; out[p] = s; }
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    const base = o * n * inner;
    for (let jj = 0; jj < n; jj++) {
      const row = base + (reverse ? n - 1 - jj : jj) * inner;
      if (exclusive) for (let i = 0; i < inner; i++) { const v = a[row + i]; out[row + i] = acc[i]; acc[i] += v; }
      else for (let i = 0; i < inner; i++) { acc[i] += a[row + i]; out[row + i] = acc[i]; }
    }
  }
}
