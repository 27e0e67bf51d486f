import { describe, expect, it } from 'vitest';
import { concat } from '../../lite-runtime/kernels/shape-concat.js';
import { gatherElements, scatterElements } from '../../training/kernels/shape-gather.js';
import { oneHot } from '../../training/kernels/shape-one-hot.js';
import { pad, type PadKernelMode } from '../../lite-runtime/kernels/shape-pad.js';
import { take } from '../../lite-runtime/kernels/shape-take.js';
import { takeAdd } from '../../training/kernels/shape-take.js';

// Seeded LCG so the randomized cases are reproducible.
let seed = 12345;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const strides = (s: readonly number[]) => s.map((_, i) => size(s.slice(i + 1)));
const unravel = (p: number, s: readonly number[]) => strides(s).map((st, i) => Math.floor(p / st) % s[i]);
const ravel = (c: readonly number[], s: readonly number[]) => c.reduce((acc, v, i) => acc + v * strides(s)[i], 0);

/** Per-element reference of N-d padding (numpy semantics). */
function padRef(x: Float32Array, xs: number[], b: number[], a: number[], mode: PadKernelMode, value: number): Float32Array {
  const os = xs.map((n, d) => n + b[d] + a[d]);
  const out = new Float32Array(size(os));
  for (let p = 0; p < out.length; p++) {
    const c = unravel(p, os).map((o, d) => o - b[d]);
    const src = c.map((v, d) => {
      const n = xs[d];
      if (v >= 0 && v < n) return v;
      if (mode === 'constant') return -1;
      if (mode === 'replicate') return v < 0 ? 0 : n - 1;
      if (mode === 'symmetric') return v < 0 ? -v - 1 : 2 * n - 1 - v;
      return v < 0 ? -v : 2 * (n - 1) - v;
    });
    out[p] = src.includes(-1) ? value : x[ravel(src, xs)];
  }
  return out;
}

describe('shape kernels against per-element references', () => {
  it('pad: 300 random shapes, pads (crops included) and modes', () => {
    for (let t = 0; t < 300; t++) {
      const rank = 1 + rnd(4);
      const xs = Array.from({ length: rank }, () => 1 + rnd(5));
      const mode = (['constant', 'reflect', 'replicate', 'symmetric'] as const)[rnd(4)];
      const lim = (n: number) => (mode === 'reflect' ? n : mode === 'symmetric' ? n + 1 : 3);
      const b = xs.map((n) => (mode === 'constant' ? rnd(4) - 1 : rnd(lim(n))));
      const a = xs.map((n) => (mode === 'constant' ? rnd(4) - 1 : rnd(lim(n))));
      // no padding on the trailing dims (moved as blocks) in a third of the cases
      if (t % 3 === 1) for (let d = rank - 1; d > 0 && rnd(3) > 0; d--) { b[d] = 0; a[d] = 0; }
      if (xs.some((n, d) => n + b[d] + a[d] < 0)) continue;
      // wide rows exercise the bulk-copy path
      if (t % 10 === 0) xs[rank - 1] = 70 + rnd(10);
      const x = Float32Array.from({ length: size(xs) }, (_, i) => i + 1);
      const out = new Float32Array(size(xs.map((n, d) => n + b[d] + a[d])));
      pad(x, xs, b, a, mode, -7, out);
      expect(Array.from(out), `${mode} ${xs} ${b} ${a}`).toEqual(Array.from(padRef(x, xs, b, a, mode, -7)));
    }
  });

  it('gatherElements / scatterElements: random shapes and dims', () => {
    for (let t = 0; t < 200; t++) {
      const rank = 1 + rnd(3);
      const xs = Array.from({ length: rank }, () => 1 + rnd(4));
      const dim = rnd(rank);
      const is = xs.map((n, d) => (d === dim ? 1 + rnd(5) : 1 + rnd(n)));
      const x = Float32Array.from({ length: size(xs) }, (_, i) => i * 0.5);
      const index = Int32Array.from({ length: size(is) }, () => rnd(xs[dim]));
      const out = new Float32Array(index.length);
      expect(gatherElements(x, xs, index, is, dim, out)).toBe(-1);
      const acc = new Float32Array(x.length);
      expect(scatterElements(acc, xs, index, is, out, is, dim, true)).toBe(-1);
      const accRef = new Float32Array(x.length);
      for (let p = 0; p < index.length; p++) {
        const c = unravel(p, is);
        c[dim] = index[p];
        expect(out[p]).toBe(x[ravel(c, xs)]);
        accRef[ravel(c, xs)] += out[p];
      }
      expect(Array.from(acc)).toEqual(Array.from(accRef));
    }
  });

  it('report the first bad index position and leave nothing half-done for take', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6);
    const out = new Float32Array(6);
    expect(gatherElements(x, [2, 3], Int32Array.of(0, 3), [1, 2], 1, out)).toBe(1);
    expect(scatterElements(new Float32Array(6), [2, 3], Int32Array.of(-1), [1, 1], x, [1, 1], 1, false)).toBe(0);
    const t = new Float32Array(4);
    expect(take(x, [3, 2], Int32Array.of(1, 3), 0, t)).toBe(1);
    expect(Array.from(t)).toEqual([0, 0, 0, 0]);
    expect(takeAdd(t, [2, 2], Int32Array.of(2), 0, x)).toBe(0);
    expect(oneHot(Int32Array.of(0, 2, 5), 3, new Int32Array(9))).toBe(2);
  });

  it('take / takeAdd along a middle dim; concat converts element types', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i); // [2, 3, 2]
    const out = new Float32Array(2 * 2 * 2);
    take(x, [2, 3, 2], Int32Array.of(2, 0), 1, out);
    expect(Array.from(out)).toEqual([4, 5, 0, 1, 10, 11, 6, 7]);
    const back = new Float32Array(12);
    takeAdd(back, [2, 3, 2], Int32Array.of(2, 2), 1, Float32Array.of(1, 1, 1, 1, 2, 2, 2, 2));
    expect(Array.from(back)).toEqual([0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 4, 4]);
    const c = new Float32Array(6);
    concat([Int32Array.of(1, 2), new Float32Array(0), Uint8Array.of(1, 0), Float32Array.of(0.5, 0.25)], [1, 0, 1, 1], [2, 3], 1, c);
    expect(Array.from(c)).toEqual([1, 1, 0.5, 2, 0, 0.25]);
  });

  it('take: negative indices count from the end only when asked; int64 indices; slices of 64+ copied as blocks', () => {
    const x = Float32Array.from({ length: 6 }, (_, i) => i), out = new Float32Array(2);
    expect(take(x, [6], Int32Array.of(-1, 0), 0, out)).toBe(0);
    expect(take(x, [6], Int32Array.of(-1, -6), 0, out, true)).toBe(-1);
    expect(Array.from(out)).toEqual([5, 0]);
    expect(take(x, [6], BigInt64Array.of(2n, -7n), 0, out, true)).toBe(1);
    expect(take(x, [6], BigInt64Array.of(2n, -2n), 0, out, true)).toBe(-1);
    expect(Array.from(out)).toEqual([2, 4]);
    const w = Float32Array.from({ length: 3 * 80 }, (_, i) => i), rows = new Float32Array(2 * 80);
    take(w, [3, 80], Int32Array.of(2, 0), 0, rows);
    expect(Array.from(rows)).toEqual([...Array.from(w.subarray(160, 240)), ...Array.from(w.subarray(0, 80))]);
  });

  it('concat: block copies (runs of 64 or more) and element copies give the same layout', () => {
    const a = Float32Array.from({ length: 3 * 70 }, (_, i) => i), b = Float32Array.of(-1, -2, -3);
    const out = new Float32Array(3 * 71);
    concat([a, b], [70, 1], [3, 71], 1, out);
    const want = Array.from({ length: 3 }, (_, r) => [...Array.from(a.subarray(r * 70, r * 70 + 70)), b[r]!]).flat();
    expect(Array.from(out)).toEqual(want);
  });
});
