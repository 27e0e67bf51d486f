/** Naive references and seeded data for the kernel tests. */
import { expect } from 'vitest';

/** Deterministic uniform numbers in [-1, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export function randF32(n: number, seed: number): Float32Array {
  const r = rng(seed), a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r();
  return a;
}

export function randI8(n: number, seed: number): Int8Array {
  const r = rng(seed), a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor((r() + 1) * 128) - 128;
  return a;
}

/**
 * op(A) @ op(B) in float64, plus sum |a||b| per element (the scale of the
 * float32 rounding error).
 */
export function naiveMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  transA = false, transB = false): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(m * n), mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, g = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * m + i] : a[i * k + p];
        const y = transB ? b[j * k + p] : b[p * n + j];
        s += x * y;
        g += Math.abs(x * y);
      }
      c[i * n + j] = s;
      mag[i * n + j] = g;
    }
  }
  return { c, mag };
}

/** Expects |got - want| <= 2^-20 * mag + 1e-7 everywhere; reports the first miss. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, mag: ArrayLike<number> | null, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = (mag ? mag[i] : Math.abs(want[i])) * 2 ** -20 + 1e-6;
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      expect.fail(`${what}: element ${i} is ${got[i]}, want ${want[i]} (tolerance ${tol})`);
    }
  }
}
