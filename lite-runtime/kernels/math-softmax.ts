import type { NumArray } from './strided.js';

/**
 * Numerically stable softmax (or log-softmax when `log`) of beta * x along the axis of an
 * [outer, n, inner] layout: exp(beta (x - max)) / sum(exp(beta (x - max))), in float64
 * (beta > 0: TFLite SOFTMAX's beta; training and LOG_SOFTMAX use 1). A row of all
 * -Infinity gives NaN, as in PyTorch; so does a row holding a NaN. `out` may alias `a`.
 * @example softmaxAxis(x, out, 2, 3, 1, false) // rows of a [2, 3] tensor
 */
export function softmaxAxis(a: NumArray, out: NumArray, outer: number, n: number, inner: number, log: boolean, beta = 1): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let m = -Infinity;
      for (let j = 0; j < n; j++) { const v = a[base + j]; if (v > m || v !== v) m = v; }
      let s = 0;
      if (log) {
        for (let j = 0; j < n; j++) s += Math.exp(beta * (a[base + j] - m));
        const ls = beta * m + Math.log(s);
        for (let j = 0; j < n; j++) out[base + j] = beta * a[base + j] - ls;
      } else {
        for (let j = 0; j < n; j++) { const e = Math.exp(beta * (a[base + j] - m)); out[base + j] = e; s += e; }
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
      if (log) for (let i = 0; i < inner; i++) s[i] += Math.exp(beta * (a[row + i] - m[i]));
      else for (let i = 0; i < inner; i++) { const e = Math.exp(beta * (a[row + i] - m[i])); out[row + i] = e; s[i] += e; }
    }
    if (log) for (let i = 0; i < inner; i++) s[i] = beta * m[i] + Math.log(s[i]);
    else for (let i = 0; i < inner; i++) s[i] = 1 / s[i];
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      if (log) for (let i = 0; i < inner; i++) out[row + i] = beta * a[row + i] - s[i];
      else for (let i = 0; i < inner; i++) out[row + i] *= s[i];
    }
  }
}
