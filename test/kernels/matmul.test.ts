import { describe, it, expect } from 'vitest';
import {
  matmul, packB, matmulPacked, freePacked, kernelBackend, setKernelBackend, KernelArgumentError, type KernelBackend,
} from '../../lite-runtime/kernels/index.js';
import { randF32, naiveMatmul, expectClose } from './ref.js';

const SIZES = [1, 3, 7, 17, 65, 257];
// Every (m, k, n) from SIZES up to ~200k multiply-adds, plus shapes that cross
// the blocking boundaries (K block 256, M block 64, JS column block 256).
const CASES: Array<[number, number, number]> = [];
for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) if (m * k * n <= 200_000) CASES.push([m, k, n]);
CASES.push([130, 520, 70], [2, 513, 300], [67, 9, 259]);

const BACKENDS: KernelBackend[] = ['wasm', 'js'];

describe('kernel backends', () => {
  it('loads the wasm backend in Node by default', () => {
    expect(kernelBackend()).toBe('wasm');
  });
  it('rejects an unknown backend', () => {
    expect(() => setKernelBackend('gpu' as KernelBackend)).toThrow(/unknown backend 'gpu'/);
  });
});

for (const backend of BACKENDS) {
  describe(`matmul (${backend})`, () => {
    it('matches the naive product for all sizes and transposes', () => {
      setKernelBackend(backend);
      expect(kernelBackend()).toBe(backend);
      let seed = 1;
      for (const [m, k, n] of CASES) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const a = randF32(m * k, seed++), b = randF32(k * n, seed++);
            const c = new Float32Array(m * n).fill(Number.NaN);
            matmul(a, b, c, m, k, n, { transA, transB });
            const ref = naiveMatmul(a, b, m, k, n, transA, transB);
            expectClose(c, ref.c, ref.mag, `${backend} ${m}x${k}x${n} transA=${transA} transB=${transB}`);
          }
        }
      }
    });

    it('accumulates into C and leaves elements past m*n alone', () => {
      setKernelBackend(backend);
      for (const [m, k, n] of [[3, 7, 17], [65, 257, 9], [1, 300, 33]] as const) {
        const a = randF32(m * k, 10), b = randF32(k * n, 11), c0 = randF32(m * n + 5, 12);
        const c = c0.slice();
        matmul(a, b, c, m, k, n, { accumulate: true, transB: true });
        const ref = naiveMatmul(a, b, m, k, n, false, true);
        expectClose(c.subarray(0, m * n), ref.c.map((v, i) => v + c0[i]), ref.mag.map((v, i) => v + Math.abs(c0[i])), `accumulate ${m}x${k}x${n}`);
        expect(Array.from(c.subarray(m * n))).toEqual(Array.from(c0.subarray(m * n)));
      }
    });

    it('handles k = 0 (zeros, or C unchanged when accumulating) and m = 0', () => {
      setKernelBackend(backend);
      const c = new Float32Array([1, 2, 3, 4]);
      matmul(new Float32Array(0), new Float32Array(0), c, 2, 0, 2, { accumulate: true });
      expect(Array.from(c)).toEqual([1, 2, 3, 4]);
      matmul(new Float32Array(0), new Float32Array(0), c, 2, 0, 2);
      expect(Array.from(c)).toEqual([0, 0, 0, 0]);
      matmul(new Float32Array(0), new Float32Array(6), new Float32Array(0), 0, 3, 2);
    });

    it('works on subarray views at offsets', () => {
      setKernelBackend(backend);
      const buf = randF32(1000, 20);
      const a = buf.subarray(3, 3 + 5 * 9), b = buf.subarray(101, 101 + 9 * 11);
      const out = new Float32Array(80);
      const c = out.subarray(7, 7 + 55);
      matmul(a, b, c, 5, 9, 11);
      const ref = naiveMatmul(a, b, 5, 9, 11);
      expectClose(c, ref.c, ref.mag, 'views');
      expect(out[6]).toBe(0);
      expect(out[62]).toBe(0);
    });

    it('packed B with bias and relu / relu6 matches, for m = 1 and batches', () => {
      setKernelBackend(backend);
      let seed = 100;
      for (const [m, k, n] of [[1, 1, 1], [1, 784, 128], [1, 257, 1000], [3, 7, 17], [64, 300, 10], [65, 17, 259]] as const) {
        for (const transB of [false, true]) {
          const a = randF32(m * k, seed++), b = randF32(k * n, seed++), bias = randF32(n, seed++);
          const w = packB(b, k, n, transB);
          expect([w.k, w.n]).toEqual([k, n]);
          const ref = naiveMatmul(a, b, m, k, n, false, transB);
          for (const act of [null, 'relu', 'relu6'] as const) {
            for (const withBias of [false, true]) {
              const c = new Float32Array(m * n).fill(Number.NaN);
              // Scale A so relu6 clips some outputs.
              const as = a.map((v) => v * 8);
              matmulPacked(as, w, c, m, withBias ? bias : null, act);
              const want = ref.c.map((v, i) => {
                let y = 8 * v + (withBias ? bias[i % n] : 0);
                if (act) y = Math.max(0, y);
                if (act === 'relu6') y = Math.min(6, y);
                return y;
              });
              expectClose(c, want, ref.mag.map((v, i) => 8 * v + (withBias ? Math.abs(bias[i % n]) : 0)),
                `${backend} packed ${m}x${k}x${n} transB=${transB} act=${act} bias=${withBias}`);
            }
          }
          freePacked(w);
        }
      }
    });

    it('NaN and Inf propagate through the product and the activations', () => {
      setKernelBackend(backend);
      const k = 3, n = 11;
      const b = randF32(k * n, 4);
      b[0] = Number.NaN; // column 0 of row 0 (a SIMD lane)
      b[9] = Number.NaN; // column 9 (the scalar tail of the activation)
      b[n + 5] = Infinity; // column 5 of row 1
      const w = packB(b, k, n);
      for (const act of [null, 'relu', 'relu6'] as const) {
        const c = new Float32Array(n);
        matmulPacked(new Float32Array([1, 1, 0]), w, c, 1, null, act);
        expect(c[0], `act=${act}`).toBeNaN();
        expect(c[9], `act=${act}`).toBeNaN();
        expect(c[5]).toBe(act === 'relu6' ? 6 : Infinity);
        for (const j of [1, 2, 3, 4, 6, 7, 8, 10]) expect(Number.isFinite(c[j])).toBe(true);
      }
      const c = new Float32Array(n);
      matmul(new Float32Array([0, 1, 1]), b, c, 1, k, n); // 0 * NaN = NaN
      expect(c[0]).toBeNaN();
      freePacked(w);
    });

    it('a freed or foreign packed matrix is a KernelArgumentError', () => {
      setKernelBackend(backend);
      const w = packB(randF32(6, 1), 2, 3);
      freePacked(w);
      expect(() => matmulPacked(new Float32Array(2), w, new Float32Array(3), 1)).toThrow(/matmulPacked: the packed matrix was freed/);
      expect(() => matmulPacked(new Float32Array(2), { k: 2, n: 3 }, new Float32Array(3), 1)).toThrow(/expected a matrix returned by packB/);
    });

    it('rejects bad sizes with typed errors naming the argument', () => {
      setKernelBackend(backend);
      const a = new Float32Array(6), b = new Float32Array(6);
      expect(() => matmul(a, b, new Float32Array(3), 2, 3, 2)).toThrow(KernelArgumentError);
      expect(() => matmul(a, b, new Float32Array(3), 2, 3, 2)).toThrow('matmul: c has 3 elements, needs m*n = 4');
      expect(() => matmul(a, b, new Float32Array(4), 2, 4, 2)).toThrow('matmul: a has 6 elements, needs m*k = 8');
      expect(() => matmul(a, b, new Float32Array(4), 2, 1.5, 2)).toThrow('k must be a non-negative integer, got 1.5');
      expect(() => matmul(a, b, new Float32Array(4), -1, 3, 2)).toThrow('m must be a non-negative integer, got -1');
      expect(() => packB(b, 4, 2)).toThrow('packB: b has 6 elements, needs k*n = 8');
      const w = packB(b, 3, 2);
      expect(() => matmulPacked(a, w, new Float32Array(4), 2, new Float32Array(1))).toThrow('matmulPacked: bias has 1 elements, needs n = 2');
      expect(() => matmulPacked(a, w, new Float32Array(4), 2, null, 'tanh' as 'relu')).toThrow(/act must be/);
    });
  });
}

describe('packed matrices across backends', () => {
  it('a matrix packed under wasm still multiplies after switching to js', () => {
    setKernelBackend('wasm');
    const b = randF32(40 * 24, 5), a = randF32(3 * 40, 6);
    const w = packB(b, 40, 24);
    setKernelBackend('js');
    const c = new Float32Array(3 * 24);
    matmulPacked(a, w, c, 3);
    const ref = naiveMatmul(a, b, 3, 40, 24);
    expectClose(c, ref.c, ref.mag, 'cross-backend');
    setKernelBackend('wasm');
  });
});

describe('matmul on operands in the kernels\' memory (the lite arena)', () => {
  it('reads A and B and writes C in place, transposes and accumulate included', async () => {
    const { activeWasm } = await import('../../lite-runtime/kernels/backend.js');
    const k = activeWasm()!;
    for (const [m, kk, n] of [[5, 7, 9], [67, 9, 33], [3, 260, 17]] as const) {
      for (const [transA, transB, accumulate] of [[false, false, false], [true, true, true], [false, true, false]]) {
        const a = randF32(m * kk, m + kk), b = randF32(kk * n, kk + n), c0 = randF32(m * n, m * n);
        const at = k.heap.alloc((m * kk + kk * n + m * n) * 4 + 64);
        const ra = k.f32(at, m * kk), rb = k.f32(at + m * kk * 4, kk * n), rc = k.f32(at + (m * kk + kk * n) * 4, m * n);
        ra.set(a); rb.set(b); rc.set(c0);
        matmul(ra, rb, rc, m, kk, n, { transA, transB, accumulate });
        const ref = naiveMatmul(a, b, m, kk, n, transA, transB);
        if (accumulate) for (let i = 0; i < m * n; i++) ref.c[i] += c0[i]!;
        expectClose(k.f32(at + (m * kk + kk * n) * 4, m * n), ref.c, ref.mag, `${m}x${kk}x${n} ${transA} ${transB} ${accumulate}`);
        expect(Array.from(k.f32(at, m * kk))).toEqual(Array.from(a)); // A untouched
        k.heap.release(at, (m * kk + kk * n + m * n) * 4 + 64);
      }
    }
  });
});
