import { describe, expect, it } from 'vitest';
import { arithBroadcast, reluBackward, unaryKernel } from '../../training/kernels/arith.js';
import { reduceSumTo } from '../../training/kernels/broadcast.js';

describe('arith kernels', () => {
  it('relu and its gradient handle signed zeros, infinities, NaN and subnormals (branch-free bit paths)', () => {
    const x = new Float32Array([1.5, -2, 0, -0, Infinity, -Infinity, NaN, 3e-40, -3e-40]);
    const y = new Float32Array(x.length);
    unaryKernel('relu', x, y);
    expect(Array.from(y)).toEqual([1.5, 0, 0, 0, Infinity, 0, NaN, Math.fround(3e-40), 0]);
    expect(Object.is(y[3], 0)).toBe(true); // -0 -> +0
    const g = new Float32Array(x.length).fill(7);
    reluBackward(g, x, y);
    expect(Array.from(y)).toEqual([7, 0, 0, 0, 7, 0, 7, 7, 0]);
    const xi = new Int32Array([-5, 0, 5, -2147483648]), yi = new Int32Array(4);
    unaryKernel('relu', xi, yi);
    expect(Array.from(yi)).toEqual([0, 0, 5, 0]);
  });

  it('relu keeps a NaN of either sign and passes its gradient, as torch does, in the JS and the WASM paths', () => {
    for (const n of [9, 20000]) { // below and above the size where the WASM loops take over
      const x = new Float32Array(n), bits = new Int32Array(x.buffer);
      for (let i = 0; i < n; i++) x[i] = (i % 3) - 1;
      bits[1] = 0xffc00000 | 0; bits[n - 1] = 0x7fc00001; bits[4] = 0xff800001 | 0; // -NaN, +NaN (payload), -NaN (signalling)
      const y = new Float32Array(n);
      unaryKernel('relu', x, y);
      for (const i of [1, 4, n - 1]) expect(y[i], `relu at ${i} (n ${n})`).toBeNaN();
      expect(y[0]).toBe(0);
      const g = new Float32Array(n).fill(2), d = new Float32Array(n);
      reluBackward(g, x, d);
      for (const i of [1, 4, n - 1]) expect(d[i], `grad at ${i} (n ${n})`).toBe(2);
      expect([d[0], d[2]]).toEqual([0, 2]);
    }
  });

  it('broadcasts like NumPy and matches a per-element reference for every op', () => {
    const a = Float32Array.from({ length: 24 }, (_, i) => (i % 7) - 3);
    const b = Float32Array.from({ length: 4 }, (_, i) => i - 1.5);
    const ref = { add: (p: number, q: number) => p + q, sub: (p: number, q: number) => p - q, mul: (p: number, q: number) => p * q,
      div: (p: number, q: number) => p / q, maximum: Math.max, minimum: Math.min, gt: (p: number, q: number) => +(p > q), le: (p: number, q: number) => +(p <= q) };
    for (const [op, f] of Object.entries(ref)) {
      const out = new Float32Array(24);
      arithBroadcast(op as keyof typeof ref, a, [2, 3, 4], b, [4], out, [2, 3, 4]);
      out.forEach((v, i) => expect(v, `${op}[${i}]`).toBeCloseTo(Math.fround(f(a[i], b[i % 4])), 5));
      const col = new Float32Array(24);
      arithBroadcast(op as keyof typeof ref, a, [2, 3, 4], b.subarray(0, 3), [3, 1], col, [2, 3, 4]);
      col.forEach((v, i) => expect(v, `${op} col[${i}]`).toBeCloseTo(Math.fround(f(a[i], b[Math.floor(i / 4) % 3])), 5));
    }
    const nan = new Float32Array(2);
    arithBroadcast('maximum', new Float32Array([NaN, 1]), [2], new Float32Array([1, NaN]), [2], nan, [2]);
    expect(Array.from(nan)).toEqual([NaN, NaN]);
  });

  it('float32 row sums (a bias gradient) round as a row-by-row float32 accumulation, and the float32 arith loops equal the general ones', () => {
    let seed = 3;
    const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed / 2 ** 32 - 0.5) * 2 ** ((seed >>> 3) % 20 - 10); };
    for (const [rows, inner] of [[64, 512], [7, 13], [1, 3], [33, 1]]) {
      const a = Float32Array.from({ length: rows * inner }, rnd);
      const want = new Float32Array(inner);
      for (let i = 0; i < rows; i++) for (let j = 0; j < inner; j++) want[j] += a[i * inner + j];
      const out = new Float32Array(inner).fill(5);
      reduceSumTo(a, [rows, inner], out, [1, inner]);
      expect(out).toEqual(want);
      const b = Float32Array.from({ length: inner }, rnd);
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const f32 = new Float32Array(rows * inner), any = new Float64Array(rows * inner);
        arithBroadcast(op, a, [rows, inner], b, [inner], f32, [rows, inner]);
        arithBroadcast(op, a, [rows, inner], b, [inner], any, [rows, inner]); // the general loop (a float64 output)
        expect(f32).toEqual(Float32Array.from(any));
      }
    }
  });
});
