import { describe, it, expect } from 'vitest';
import v8 from 'node:v8';
import { KERNELS_FMA_WASM } from '../../lite-runtime/kernels/wasm/generated.js';
import { instantiate } from '../../lite-runtime/kernels/wasm/runtime.js';
import { randF32, randI8, naiveMatmul, expectClose } from './ref.js';

// Node 20 keeps relaxed SIMD behind a flag; browsers and newer runtimes ship
// it, and there the FMA build is the one that loads. Turn it on to test it.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

describe('relaxed-SIMD (FMA) build', () => {
  const bytes = Uint8Array.from(Buffer.from(KERNELS_FMA_WASM, 'base64'));

  it('validates once relaxed SIMD is enabled and matches the naive products', () => {
    expect(WebAssembly.validate(bytes)).toBe(true);
    const k = instantiate(new WebAssembly.Module(bytes), 'fma');
    expect(k).not.toBeNull();
    if (!k) return;
    let seed = 1;
    for (const [m, kk, n] of [[1, 1, 1], [3, 7, 17], [65, 257, 9], [4, 300, 33], [130, 520, 70]] as const) {
      for (const transA of [false, true]) for (const transB of [false, true]) {
        const a = randF32(m * kk, seed++), b = randF32(kk * n, seed++), c = new Float32Array(m * n);
        k.matmul(a, b, c, m, kk, n, transA, transB, false);
        const ref = naiveMatmul(a, b, m, kk, n, transA, transB);
        expectClose(c, ref.c, ref.mag, `fma ${m}x${kk}x${n} ${transA} ${transB}`);
      }
      const a = randF32(m * kk, seed++), b = randF32(kk * n, seed++), bias = randF32(n, seed++);
      const packed = k.packB(b, kk, n, false), c = new Float32Array(m * n);
      k.matmulPacked(a, packed, c, m, kk, n, bias, 1);
      const ref = naiveMatmul(a, b, m, kk, n);
      expectClose(c, ref.c.map((v, i) => Math.max(0, v + bias[i % n])), ref.mag.map((v, i) => v + Math.abs(bias[i % n])), 'fma packed relu');
      const qa = randI8(m * kk, seed++), qb = randI8(n * kk, seed++), acc = new Int32Array(m * n);
      k.qmatmul(qa, -7, qb, acc, m, kk, n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < kk; p++) s += (qa[i * kk + p] + 7) * qb[j * kk + p];
        if (acc[i * n + j] !== s) expect.fail(`fma qmatmul ${m}x${kk}x${n} at ${i},${j}: ${acc[i * n + j]} != ${s}`);
      }
    }
  });
});
