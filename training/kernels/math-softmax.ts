import type { NumArray } from '../../lite-runtime/kernels/strided.js';

/** Training's half of softmax: its gradient (the forward kernel is lite-runtime/kernels/math-softmax.ts). */

/**
 * Backward of softmax / log-softmax along the axis, from the output y and its gradient g:
 * softmax: y * (g - sum(g * y)); log-softmax: g - exp(y) * sum(g). One pass per row, float64 sums.
 * @example softmaxGradAxis(y, g, out, 2, 3, 1, false)
 */
export function softmaxGradAxis(y: NumArray, g: NumArray, out: NumArray, outer: number, n: number, inner: number, log: boolean): void {
  const s = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    s.fill(0);
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      if (log) for (let i = 0; i < inner; i++) s[i] += g[row + i];
      else for (let i = 0; i < inner; i++) s[i] += g[row + i] * y[row + i];
    }
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      if (log) for (let i = 0; i < inner; i++) out[row + i] = g[row + i] - Math.exp(y[row + i]) * s[i];
      else for (let i = 0; i < inner; i++) out[row + i] = y[row + i] * (g[row + i] - s[i]);
    }
  }
}
