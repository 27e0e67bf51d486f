import type { NumArray } from './strided.js';

/**
 * Numerically stable softmax (or log-softmax when `log`) along the axis of an
 * [outer, n, inner] layout: exp(x - max) / sum(exp(x - max)), in float64.
 * A row of all -Infinity gives NaN, as in PyTorch.
 * @example softmaxAxis(x, out, 2, 3, 1, false) // rows of a [2, 3] tensor
 */
export function softmaxAxis(a: NumArray, out: NumArray, outer: number, n: number, inner: number, log: boolean): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let m = -Infinity;
      for (let j = 0; j < n; j++) { const v = a[base + j]; if (v > m || v !== v) m = v; }
      let s = 0;
      if (log) {
        for (let j = 0; j < n; j++) s += Math.exp(a[base + j] - m);
        const ls = m + Math.log(s);
        for (let j = 0; j < n; j++) out[base + j] = a[base + j] - ls;
      } else {
        for (let j = 0; j < n; j++) { const e = Math.exp(a[base + j] - m); out[base + j] = e; s += e; }
        const r = 1 / s;
        for (let j = 0; j < n; j++) out[base + j] *= r;
      }
    }
    return;
  }
  const m = new Float64Array(inner), s = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    m.fill(-Infinity); s.fill(0);
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      for (let i = 0; i < inner; i++) { const v = a[row + i]; if (v > m[i] || v !== v) m[i] = v; }
    }
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      if (log) for (let i = 0; i < inner; i++) s[i] += Math.exp(a[row + i] - m[i]);
      else for (let i = 0; i < inner; i++) { const e = Math.exp(a[row + i] - m[i]); out[row + i] = e; s[i] += e; }
    }
    if (log) for (let i = 0; i < inner; i++) s[i] = m[i] + Math.log(s[i]);
    else for (let i = 0; i < inner; i++) s[i] = 1 / s[i];
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      if (log) for (let i = 0; i < inner; i++) out[row + i] = a[row + i] - s[i];
      else for (let i = 0; i < inner; i++) out[row + i] *= s[i];
    }
  }
}

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
