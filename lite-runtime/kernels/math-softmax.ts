import type { NumArray } from './broadcast.js';

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
      for (let j = 0; j < n; j++) s += Math.exp(a[base + j] - m);
      if (log) {
        const ls = m + Math.log(s);
        for (let j = 0; j < n; j++) out[base + j] = a[base + j] - ls;
      } else {
        const r = 1 / s;
        for (let j = 0; j < n; j++) out[base + j] = Math.exp(a[base + j] - m) * r;
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
      for (let i = 0; i < inner; i++) s[i] += Math.exp(a[row + i] - m[i]);
    }
    if (log) for (let i = 0; i < inner; i++) s[i] = m[i] + Math.log(s[i]);
    else for (let i = 0; i < inner; i++) s[i] = 1 / s[i];
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      if (log) for (let i = 0; i < inner; i++) out[row + i] = a[row + i] - s[i];
      else for (let i = 0; i < inner; i++) out[row + i] = Math.exp(a[row + i] - m[i]) * s[i];
    }
  }
}
