import { describe, it, expect } from 'vitest';
import {
  qmatmulI8, packI8, qmatmulI8Packed, freePacked, setKernelBackend, type KernelBackend,
} from '../../lite-runtime/kernels/index.js';
import { randI8 } from './ref.js';

/** acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k], exact in doubles. */
function naiveQ(a: Int8Array, aZero: number, b: Int8Array, m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (a[i * k + p] - aZero) * b[j * k + p];
    out.push(s);
  }
  return out;
}

const SIZES = [1, 3, 7, 8, 17, 65, 257];
const CASES: Array<[number, number, number]> = [];
for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) if (m * k * n <= 150_000) CASES.push([m, k, n]);

for (const backend of ['wasm', 'js'] as KernelBackend[]) {
  describe(`qmatmulI8 (${backend})`, () => {
    it('matches the naive int32 product for odd sizes and zero points', () => {
      setKernelBackend(backend);
      let seed = 1;
      for (const [m, k, n] of CASES) {
        const a = randI8(m * k, seed++), b = randI8(n * k, seed++);
        const aZero = [0, -128, 127, -3][seed % 4];
        const acc = new Int32Array(m * n).fill(0x55555555);
        qmatmulI8(a, aZero, b, acc, m, k, n);
        expect(Array.from(acc), `${m}x${k}x${n} aZero=${aZero}`).toEqual(naiveQ(a, aZero, b, m, k, n));
      }
    });

    it('extreme values: a = -128 with aZero = 127 against b = -128 over k = 1000', () => {
      setKernelBackend(backend);
      const m = 3, k = 1000, n = 5;
      const a = new Int8Array(m * k).fill(-128), b = new Int8Array(n * k).fill(-128);
      const acc = new Int32Array(m * n);
      qmatmulI8(a, 127, b, acc, m, k, n);
      expect(Array.from(acc)).toEqual(new Array(m * n).fill(255 * 128 * 1000));
    });

    it('packed weights give the same result and can be freed', () => {
      setKernelBackend(backend);
      let seed = 900;
      for (const [m, k, n] of [[1, 784, 128], [4, 27, 16], [33, 9, 65], [1, 1, 1]] as const) {
        const a = randI8(m * k, seed++), b = randI8(n * k, seed++);
        const w = packI8(b, n, k);
        b.fill(0); // packing copies: later changes to b do not leak in
        const acc = new Int32Array(m * n);
        qmatmulI8Packed(a, 5, w, acc, m);
        const ref = randI8(n * k, seed - 1);
        expect(Array.from(acc), `${m}x${k}x${n}`).toEqual(naiveQ(a, 5, ref, m, k, n));
        freePacked(w);
        expect(() => qmatmulI8Packed(a, 5, w, acc, m)).toThrow(/qmatmulI8Packed: the packed matrix was freed/);
      }
    });

    it('k = 0 gives zero sums, packed or not', () => {
      setKernelBackend(backend);
      const acc = new Int32Array(6).fill(7);
      qmatmulI8(new Int8Array(0), 3, new Int8Array(0), acc, 2, 0, 3);
      expect(Array.from(acc)).toEqual([0, 0, 0, 0, 0, 0]);
      acc.fill(7);
      qmatmulI8Packed(new Int8Array(0), 3, packI8(new Int8Array(0), 3, 0), acc, 2);
      expect(Array.from(acc)).toEqual([0, 0, 0, 0, 0, 0]);
    });

    it('rejects bad input with typed errors', () => {
      setKernelBackend(backend);
      const a = new Int8Array(6), b = new Int8Array(6), acc = new Int32Array(4);
      expect(() => qmatmulI8(a, 128, b, acc, 2, 3, 2)).toThrow('qmatmulI8: aZero must be an integer in [-128, 127], got 128');
      expect(() => qmatmulI8(a, 0, b, new Int32Array(6), 2, 3, 3)).toThrow('qmatmulI8: b has 6 elements, needs n*k = 9');
      expect(() => qmatmulI8(a, 0, b, new Int32Array(3), 2, 3, 2)).toThrow('qmatmulI8: acc has 3 elements, needs m*n = 4');
      expect(() => packI8(b, 2, 4)).toThrow('packI8: b has 6 elements, needs n*k = 8');
      expect(() => qmatmulI8Packed(a, 0, packI8(b, 2, 3), acc, 3)).toThrow('qmatmulI8Packed: a has 6 elements, needs m*k = 9');
    });
  });
}
