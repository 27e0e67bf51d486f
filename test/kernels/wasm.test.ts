import { describe, it, expect, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WasmHeap } from '../../lite-runtime/kernels/wasm/heap.js';
import { embeddedWasm, instantiate } from '../../lite-runtime/kernels/wasm/runtime.js';
import { initKernels, kernelBackend, matmul, matmulPacked, wasmFlavour, packB, freePacked, packI8, qmatmulI8Packed } from '../../lite-runtime/kernels/index.js';
import { activeWasm } from '../../lite-runtime/kernels/backend.js';
import { randF32, randI8, naiveMatmul, expectClose } from './ref.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('wasm build', () => {
  it('generated.ts and build/*.wasm are what the sources build to today', async () => {
    const script: string = '../../scripts/build-wasm.mjs';
    const { buildAll } = (await import(script)) as {
      buildAll(): Promise<{ wasm: { simd: Uint8Array; fma: Uint8Array }; generated: string }>;
    };
    const prev = process.cwd();
    process.chdir(root);
    try {
      const { wasm, generated } = await buildAll();
      const committed = await readFile(`${root}lite-runtime/kernels/wasm/generated.ts`, 'utf8');
      expect(generated === committed, 'generated.ts is stale: run node scripts/build-wasm.mjs').toBe(true);
      for (const name of ['simd', 'fma'] as const) {
        const file = await readFile(`${root}lite-runtime/kernels/wasm/build/kernels-${name}.wasm`);
        expect(Buffer.compare(file, Buffer.from(wasm[name])), `build/kernels-${name}.wasm is stale`).toBe(0);
        // the embedded copy (hex, the FMA build as edits of the SIMD one) decodes to the same bytes
        expect(Buffer.compare(Buffer.from(embeddedWasm(name)), file), `embedded ${name} build`).toBe(0);
      }
    } finally {
      process.chdir(prev);
    }
  }, 60_000); // two asc builds: ~1.5 s alone, slower on a loaded machine

  it('the SIMD128 build validates here; the FMA build uses relaxed SIMD', () => {
    const simd = embeddedWasm('simd'), fma = embeddedWasm('fma');
    expect(WebAssembly.validate(simd)).toBe(true);
    // small (the fused int8 kernels are unrolled by hand: 18 KB; float ADD/SUB/MUL and SOFTMAX 0.9 KB;
    // the float GEMM's fused bias and relu/relu6 0.4 KB)
    expect(simd.length).toBeLessThan(26_112);
    expect(fma.length).toBeLessThan(26_112);
    // The active flavour is FMA exactly where the host validates it.
    expect(kernelBackend()).toBe('wasm');
    expect(wasmFlavour()).toBe(WebAssembly.validate(fma) ? 'fma' : 'simd');
  });

  it('initKernels accepts an imported module (as workers pass it)', async () => {
    const bytes = await readFile(`${root}lite-runtime/kernels/wasm/build/kernels-simd.wasm`);
    await initKernels({ wasmModule: new WebAssembly.Module(bytes) });
    expect(kernelBackend()).toBe('wasm');
    expect(wasmFlavour()).toBe('module');
    const a = randF32(5 * 70, 1), b = randF32(70 * 9, 2), c = new Float32Array(45);
    matmul(a, b, c, 5, 70, 9);
    const ref = naiveMatmul(a, b, 5, 70, 9);
    expectClose(c, ref.c, ref.mag, 'module matmul');
  });

  it('a module that is not the kernels leaves the backend as it was', async () => {
    const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    expect(instantiate(empty, 'x')).toBeNull();
    await initKernels({ wasmModule: empty });
    expect(kernelBackend()).toBe('wasm');
  });

  it('memory grows for large operands and packed blocks are reused after freePacked', () => {
    const w = activeWasm();
    expect(w).not.toBeNull();
    if (!w) return;
    const k = 700, n = 600;
    const before = w.heap.used();
    const ws = Array.from({ length: 3 }, (_, i) => packB(randF32(k * n, i), k, n));
    expect(w.heap.used()).toBeGreaterThanOrEqual(before + 3 * k * n * 4);
    const size = w.memory.buffer.byteLength;
    ws.forEach((p) => freePacked(p));
    expect(w.heap.used()).toBe(before);
    const again = packB(randF32(k * n, 9), k, n);
    expect(w.memory.buffer.byteLength).toBe(size); // the freed blocks were reused
    const a = randF32(2 * k, 3), c = new Float32Array(2 * n);
    matmulPacked(a, again, c, 2);
    const ref = naiveMatmul(a, randF32(k * n, 9), 2, k, n);
    expectClose(c, ref.c, ref.mag, 'repacked');
    const inUse = w.heap.used(); // the call may have grown the scratch area
    freePacked(again);
    freePacked(again); // twice is harmless
    expect(w.heap.used()).toBe(inUse - k * n * 4); // n = 600 is a multiple of 8: no padding
  });
});

describe('wasm memory exhaustion', () => {
  it('falls back to the js kernels for that call when the wasm memory cannot grow', () => {
    const w = activeWasm();
    if (!w) throw new Error('wasm backend expected');
    const grow = vi.spyOn(w.heap, 'alloc').mockImplementation(() => { throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'); });
    try {
      const a = randF32(5 * 600, 1), b = randF32(600 * 300, 2), c = new Float32Array(5 * 300);
      matmul(a, b, c, 5, 600, 300); // needs a larger scratch area than any earlier test
      const ref = naiveMatmul(a, b, 5, 600, 300);
      expectClose(c, ref.c, ref.mag, 'fallback matmul');
      const p = packB(b, 600, 300); // packed as a js matrix instead
      const c2 = new Float32Array(5 * 300);
      matmulPacked(a, p, c2, 5);
      expectClose(c2, ref.c, ref.mag, 'fallback packed');
      expect(grow).toHaveBeenCalled();
    } finally {
      grow.mockRestore();
    }
    expect(kernelBackend()).toBe('wasm');
  });

  it('a product with resident weights computes in JS from the packed panels when no scratch can be had', () => {
    const w = activeWasm();
    if (!w) throw new Error('wasm backend expected');
    const k = 300, n = 37, b = randF32(k * n, 1), p = packB(b, k, n);
    const qb = randI8(n * k, 2), qp = packI8(qb, n, k);
    const grow = vi.spyOn(w.heap, 'alloc').mockImplementation(() => { throw new RangeError('Maximum memory size exceeded'); });
    try {
      const m = 40_000; // more rows than any scratch area so far
      const a = randF32(m * k, 3), c = new Float32Array(m * n);
      const bias = randF32(n, 4);
      matmulPacked(a, p, c, m, bias, 'relu');
      const rows = 50, ref = naiveMatmul(a.subarray(0, rows * k), b, rows, k, n);
      const want = ref.c.map((v, i) => Math.max(0, v + bias[i % n]!));
      expectClose(c.subarray(0, rows * n), want, ref.mag, 'panels fallback');
      const qa = randI8(m * k, 5), acc = new Int32Array(m * n);
      qmatmulI8Packed(qa, 3, qp, acc, m);
      for (const i of [0, 1, m - 1]) for (const j of [0, n - 1]) {
        let s = 0;
        for (let q = 0; q < k; q++) s += (qa[i * k + q]! - 3) * qb[j * k + q]!;
        expect(acc[i * n + j]).toBe(s);
      }
      expect(grow).toHaveBeenCalled();
    } finally {
      grow.mockRestore();
      freePacked(p);
      freePacked(qp);
    }
  }, 30_000); // ~0.9 GMAC in plain JS on purpose
});

describe('WasmHeap', () => {
  it('allocates aligned blocks, coalesces freed ones and grows the memory', () => {
    const mem = new WebAssembly.Memory({ initial: 1 });
    const heap = new WasmHeap(mem, 100);
    const a = heap.alloc(10), b = heap.alloc(100), c = heap.alloc(70_000);
    expect(a % 64).toBe(0);
    expect(b).toBe(a + 64);
    expect(c).toBe(b + 128);
    expect(mem.buffer.byteLength).toBeGreaterThanOrEqual(c + 70_000);
    heap.release(a, 10);
    heap.release(b, 100);
    expect(heap.alloc(150)).toBe(a); // the two freed blocks merged
    heap.release(a, 150);
    heap.release(c, 70_000);
    expect(heap.used()).toBe(0);
    expect(heap.alloc(64)).toBe(a);
  });

  it('throws RangeError when the memory cannot grow', () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const heap = new WasmHeap(mem, 0);
    expect(() => heap.alloc(3 * 65536)).toThrow(RangeError);
    expect(heap.alloc(1000)).toBe(0);
  });
});
