import { describe, expect, it } from 'vitest';
import { erf, erfc, gelu, sigmoid } from '../../lite-runtime/kernels/math-scalar.js';
import { axisView, sumAxis } from '../../lite-runtime/kernels/math-reduce.js';
import { extremeAxis, prodOthersAxis, undoAxisView } from '../../training/kernels/math-reduce.js';
import { softmaxAxis } from '../../lite-runtime/kernels/math-softmax.js';
import { cumsumAxis } from '../../lite-runtime/kernels/math-cumsum.js';
import { topkAxis } from '../../training/kernels/math-topk.js';

// x, erf(x), erfc(x) from mpmath at 40 digits, rounded to double
const ERF: [number, number, number][] = [
  [-4.5, -0.9999999998033839, 1.999999999803384], [-4, -0.9999999845827421, 1.999999984582742],
  [-3, -0.9999779095030014, 1.9999779095030015], [-1, -0.8427007929497149, 1.8427007929497148],
  [-0.5, -0.5204998778130465, 1.5204998778130465], [-0.46875, -0.49261347321793797, 1.492613473217938],
  [-0.2, -0.22270258921047847, 1.2227025892104784], [-1e-10, -1.1283791670955126e-10, 1.000000000112838],
  [1e-300, 1.1283791670955126e-300, 1], [1e-8, 1.1283791670955126e-8, 0.9999999887162083],
  [0.1, 0.1124629160182849, 0.887537083981715], [0.3, 0.3286267594591274, 0.6713732405408726],
  [0.46, 0.4846553900016797, 0.5153446099983203], [0.46875, 0.49261347321793797, 0.507386526782062],
  [0.47, 0.4937450508860821, 0.5062549491139179], [0.49, 0.511668261188523, 0.4883317388114769],
  [0.51, 0.5292436198411704, 0.4707563801588296], [0.75, 0.7111556336535151, 0.28884436634648486],
  [1, 0.8427007929497149, 0.15729920705028513], [1.5, 0.9661051464753108, 0.033894853524689274],
  [2, 0.9953222650189527, 0.004677734981047266], [2.5, 0.999593047982555, 0.0004069520174449589],
  [3, 0.9999779095030014, 2.209049699858544e-5], [3.9, 0.9999999652077514, 3.4792248597231765e-8],
  [4, 0.9999999845827421, 1.541725790028002e-8], [4.1, 0.9999999932999724, 6.700027654084918e-9],
  [5, 0.9999999999984626, 1.537459794428035e-12], [6, 1, 2.1519736712498913e-17],
  [8, 1, 1.1224297172982926e-29], [9.5, 1, 3.7692144856548797e-41], [12, 1, 1.3562611692059042e-64],
  [20, 1, 5.395865611607901e-176], [26, 1, 5.663192408856143e-296],
];

describe('math kernels', () => {
  it('erf and erfc have relative error < 1e-15 over the whole range (erfc tails included)', () => {
    for (const [x, e, c] of ERF) {
      expect(Math.abs(erf(x) - e), `erf(${x})`).toBeLessThanOrEqual(1e-15 * Math.abs(e));
      expect(Math.abs(erfc(x) - c), `erfc(${x})`).toBeLessThanOrEqual(1e-15 * c);
    }
    expect([erf(Infinity), erf(-Infinity), erfc(Infinity), erfc(-Infinity), erfc(27.3)]).toEqual([1, -1, 0, 2, 0]);
    expect(erf(NaN)).toBeNaN();
    expect(erfc(NaN)).toBeNaN();
    expect(Object.is(erf(-0), -0)).toBe(true);
  });

  it('gelu keeps its relative precision in the negative tail; sigmoid neither overflows nor loses its tail', () => {
    // gelu(-10) = -10 * Phi(-10) = -5 * erfc(10 / sqrt 2), from mpmath
    expect(Math.abs(gelu(-10) / -7.619853024160526e-23 - 1)).toBeLessThan(1e-14);
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(Math.abs(sigmoid(-40) / 4.248354255291589e-18 - 1)).toBeLessThan(1e-14);
    expect(sigmoid(NaN)).toBeNaN();
  });

  it('axisView moves non-contiguous reduced dims last; undoAxisView restores the layout', () => {
    const shape = [2, 3, 4];
    const a = Float32Array.from({ length: 24 }, (_, i) => i);
    const v = axisView(a, shape, [0, 2]);
    expect([v.outer, v.n, v.inner]).toEqual([3, 8, 1]);
    // row o holds x[:, o, :] in (d0, d2) order
    expect(Array.from(v.data.subarray(8, 16))).toEqual([4, 5, 6, 7, 16, 17, 18, 19]);
    const back = new Float32Array(24);
    undoAxisView(v.data, shape, v, back);
    expect(back).toEqual(a);
    const c = axisView(a, shape, [1, 2]);
    expect([c.outer, c.n, c.inner, c.perm]).toEqual([2, 12, 1, null]);
    expect(c.data).toBe(a);
  });

  it('sumAxis accumulates in float64 (no drift over many float32 terms)', () => {
    const n = 1 << 20;
    const a = new Float32Array(n).fill(0.1);
    const out = new Float32Array(1);
    sumAxis(a, 1, n, 1, out, 1 / n);
    expect(out[0]).toBe(Math.fround(0.1));
  });

  it('extremeAxis propagates NaN from any position; prodOthersAxis is exact with zeros', () => {
    const out = new Float32Array(2);
    extremeAxis(Float32Array.from([1, 2, NaN, 5, 4, 3]), 2, 3, 1, out, true);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(5);
    const po = new Float32Array(4);
    prodOthersAxis(Float32Array.from([2, 0, 3, 5]), 1, 4, 1, po);
    expect(Array.from(po)).toEqual([0, 30, 0, 0]);
  });

  it('softmax with inner > 1 matches the contiguous path on the transposed data', () => {
    const outer = 2, n = 5, inner = 3;
    const a = Float32Array.from({ length: outer * n * inner }, (_, i) => Math.sin(i) * 10);
    const strided = new Float32Array(a.length);
    softmaxAxis(a, strided, outer, n, inner, false);
    const t = new Float32Array(a.length), tOut = new Float32Array(a.length);
    for (let o = 0; o < outer; o++) for (let j = 0; j < n; j++) for (let i = 0; i < inner; i++) {
      t[(o * inner + i) * n + j] = a[(o * n + j) * inner + i];
    }
    softmaxAxis(t, tOut, outer * inner, n, 1, false);
    for (let o = 0; o < outer; o++) for (let j = 0; j < n; j++) for (let i = 0; i < inner; i++) {
      expect(strided[(o * n + j) * inner + i]).toBeCloseTo(tOut[(o * inner + i) * n + j], 6);
    }
  });

  it('cumsumAxis reverse sums from the end', () => {
    const out = new Float32Array(3);
    cumsumAxis(Float32Array.from([1, 2, 3]), out, 1, 3, 1, true);
    expect(Array.from(out)).toEqual([6, 5, 3]);
  });
});

describe('math kernels: cumsum layouts', () => {
  it('inner = 1 and inner > 1 paths agree, forward and reverse, inclusive and exclusive', () => {
    const outer = 2, n = 4, inner = 3;
    const a = Float32Array.from({ length: outer * n * inner }, (_, i) => Math.cos(i) * 3);
    for (const reverse of [false, true]) for (const exclusive of [false, true]) {
      const strided = new Float32Array(a.length);
      cumsumAxis(a, strided, outer, n, inner, reverse, exclusive);
      const t = new Float32Array(a.length), tOut = new Float32Array(a.length);
      for (let o = 0; o < outer; o++) for (let j = 0; j < n; j++) for (let i = 0; i < inner; i++) {
        t[(o * inner + i) * n + j] = a[(o * n + j) * inner + i];
      }
      cumsumAxis(t, tOut, outer * inner, n, 1, reverse, exclusive);
      for (let o = 0; o < outer; o++) for (let j = 0; j < n; j++) for (let i = 0; i < inner; i++) {
        expect(strided[(o * n + j) * inner + i]).toBeCloseTo(tOut[(o * inner + i) * n + j], 5);
      }
    }
  });

  it('exclusive leaves each element out, in place too; int32 sums wrap as int32 adds', () => {
    const x = Float32Array.from([1, 2, 3, 4]);
    cumsumAxis(x, x, 1, 4, 1, false, true);
    expect(Array.from(x)).toEqual([0, 1, 3, 6]);
    const r = new Float32Array(4);
    cumsumAxis(Float32Array.from([1, 2, 3, 4]), r, 1, 4, 1, true, true);
    expect(Array.from(r)).toEqual([9, 7, 4, 0]);
    const big = Int32Array.from([2147483647, 1, 5]), w = new Int32Array(3);
    cumsumAxis(big, w, 1, 3, 1, false);
    expect(Array.from(w)).toEqual([2147483647, -2147483648, -2147483643]);
  });
});

describe('math kernels: topk', () => {
  /** Brute-force reference: stable sort of indices by rank (NaN above every number), first k. */
  function reference(row: number[], k: number, largest: boolean): number[] {
    const rank = (v: number) => (Number.isNaN(v) ? (largest ? Infinity : -Infinity) : v);
    const idx = row.map((_, j) => j);
    idx.sort((p, q) => {
      const a = row[p], b = row[q];
      if (Number.isNaN(a) && Number.isNaN(b)) return p - q;
      if (Number.isNaN(a) !== Number.isNaN(b)) return Number.isNaN(a) === largest ? -1 : 1;
      const d = largest ? rank(b) - rank(a) : rank(a) - rank(b);
      return d !== 0 ? d : p - q;
    });
    return idx.slice(0, k);
  }

  it('matches a brute-force reference for both selection paths, with ties, NaN and +-Infinity', () => {
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const pool = [NaN, Infinity, -Infinity, 0, -0, 1, 1, 2.5];
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rnd() * 60);
      const row = Array.from({ length: n }, () => (rnd() < 0.3 ? pool[Math.floor(rnd() * pool.length)] : Math.round(rnd() * 20) / 4));
      for (const k of [0, 1, Math.min(n, 5), Math.min(n, 17), Math.min(n, 40), n]) {
        for (const largest of [true, false]) {
          const vals = new Float32Array(k), idx = new Int32Array(k);
          topkAxis(Float32Array.from(row), 1, n, 1, k, largest, vals, idx);
          const want = reference(row, k, largest);
          expect(Array.from(idx), `n=${n} k=${k} largest=${largest} row=${row}`).toEqual(want);
          want.forEach((j, r) => expect(Object.is(vals[r], Math.fround(row[j])) || (Number.isNaN(vals[r]) && Number.isNaN(row[j]))).toBe(true));
        }
      }
    }
  });
});
