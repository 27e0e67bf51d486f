import { describe, it, expect } from 'vitest';
import v8 from 'node:v8';
import { embeddedWasm, instantiate } from '../../lite-runtime/kernels/wasm/runtime.js';
import { randF32, randI8, naiveMatmul, expectClose } from './ref.js';

// Node 20 keeps relaxed SIMD behind a flag; browsers and newer runtimes ship
// it, and there the FMA build is the one that loads. Turn it on to test it.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

describe('relaxed-SIMD (FMA) build', () => {
  const bytes = embeddedWasm('fma');

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

  it('runs the fused int8 GEMM (bit-exact) and the float im2col conv', () => {
    const k = instantiate(new WebAssembly.Module(bytes), 'fma');
    if (!k) throw new Error('fma build expected');
    // fused int8: y = requant(sum (a - zp) * w), compared with the plain int32 product
    const m = 9, kk = 40, n = 12, a = randI8(m * kk, 3), w = randI8(n * kk, 4);
    const scale = Float32Array.from({ length: n }, (_, j) => 0.001 + j * 0.0007), bias = Int32Array.from({ length: n }, (_, j) => j * 50 - 200);
    const block = k.packI8(w, n, kk), rq = k.packRequant(bias, scale, n, 0), y = new Int8Array(m * n);
    expect(k.qmatmulRq(a, 5, block, kk, n, rq, { zeroPoint: -3, lo: -128, hi: 127 }, y, 0, m, n)).toBe(true);
    const acc = new Int32Array(m * n);
    k.qmatmul(a, 5, block, acc, m, kk, n);
    for (let i = 0; i < m * n; i++) {
      let v = Math.fround(Math.fround(acc[i]! + bias[i % n]!) * scale[i % n]!);
      v = Math.min(130, Math.max(-125, v));
      const want = (v + 6755399441055744 - 6755399441055744) - 3;
      if (y[i] !== want) expect.fail(`fma fused int8 at ${i}: ${y[i]} != ${want}`);
    }
    // float conv: 3x3 same padding, 4 -> 5 channels, against a direct loop
    const g = { c: 4, h: 6, w: 5, kh: 3, kw: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, dilationH: 1, dilationW: 1, outH: 6, outW: 5 };
    const x = randF32(6 * 5 * 4, 5), f = randF32(5 * 36, 6), fb = randF32(5, 7), out = new Float32Array(30 * 5);
    expect(k.convPacked(x, 0, k.packB(f, 36, 5, true), 5, out, 0, g, fb, 0)).toBe(true);
    const ref = new Float64Array(30 * 5), mag = new Float64Array(30 * 5);
    for (let oy = 0; oy < 6; oy++) for (let ox = 0; ox < 5; ox++) for (let o = 0; o < 5; o++) {
      let s = fb[o]!, mm = Math.abs(fb[o]!);
      for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) for (let c = 0; c < 4; c++) {
        const iy = oy + ky - 1, ix = ox + kx - 1;
        if (iy < 0 || iy >= 6 || ix < 0 || ix >= 5) continue;
        const p = x[(iy * 5 + ix) * 4 + c]! * f[o * 36 + (ky * 3 + kx) * 4 + c]!;
        s += p; mm += Math.abs(p);
      }
      ref[(oy * 5 + ox) * 5 + o] = s; mag[(oy * 5 + ox) * 5 + o] = mm;
    }
    expectClose(out, ref, mag, 'fma conv');
  });
});
