import { describe, it, expect, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KERNELS_FMA_WASM, KERNELS_SIMD_WASM } from '../../lite-runtime/kernels/wasm/generated.js';
import { WasmHeap } from '../../lite-runtime/kernels/wasm/heap.js';
import { instantiate } from '../../lite-runtime/kernels/wasm/runtime.js';
import { initKernels, kernelBackend, matmul, matmulPacked, wasmFlavour, packB, freePacked } from '../../lite-runtime/kernels/index.js';
import { activeWasm } from '../../lite-runtime/kernels/backend.js';
import { randF32, naiveMatmul, expectClose } from './ref.js';

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
      }
    } finally {
      process.chdir(prev);
    }
  }, 60_000); // two asc builds: ~1.5 s alone, slower on a loaded machine

  it('the SIMD128 build validates here; the FMA build uses relaxed SIMD', () => {
    const simd = Buffer.from(KERNELS_SIMD_WASM, 'base64'), fma = Buffer.from(KERNELS_FMA_WASM, 'base64');
    expect(WebAssembly.validate(simd)).toBe(true);
    expect(simd.length).toBeLessThan(16_384);
    expect(fma.length).toBeLessThan(16_384);
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

  it('a product with resident weights reports exhaustion as a KernelError', () => {
    const w = activeWasm();
    if (!w) throw new Error('wasm backend expected');
    const p = packB(randF32(64 * 32, 1), 64, 32);
    const grow = vi.spyOn(w.heap, 'alloc').mockImplementation(() => { throw new RangeError('Maximum memory size exceeded'); });
    try {
      const m = 40_000; // more rows than any scratch area so far
      expect(() => matmulPacked(new Float32Array(m * 64), p, new Float32Array(m * 32), m))
        .toThrow(/matmulPacked: wasm memory cannot grow for m = 40000 rows/);
    } finally {
      grow.mockRestore();
      freePacked(p);
    }
  });
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
