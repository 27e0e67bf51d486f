import { describe, it, expect, vi, afterEach } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { randF32, naiveMatmul, expectClose } from './ref.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
type Kernels = typeof import('../../lite-runtime/kernels/index.js');

/** A fresh copy of the kernels module, loaded while `WebAssembly` is replaced. */
async function freshKernels(wasm: unknown): Promise<Kernels> {
  vi.resetModules();
  vi.stubGlobal('WebAssembly', wasm);
  return import('../../lite-runtime/kernels/index.js');
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('fallback to the TypeScript kernels', () => {
  it('without WebAssembly, runs on js silently', async () => {
    const K = await freshKernels(undefined);
    expect(K.kernelBackend()).toBe('js');
    const a = randF32(6 * 5, 1), b = randF32(5 * 7, 2), c = new Float32Array(42);
    K.matmul(a, b, c, 6, 5, 7);
    const ref = naiveMatmul(a, b, 6, 5, 7);
    expectClose(c, ref.c, ref.mag, 'js fallback');
    expect(() => K.setKernelBackend('wasm')).toThrow(/cannot be loaded on this host/);
    expect(K.kernelBackend()).toBe('js');
  });

  it('where compiling from bytes is refused (workers), falls back, then initKernels({ wasmModule }) switches to wasm', async () => {
    const real = WebAssembly;
    const bytes = await readFile(`${root}lite-runtime/kernels/wasm/build/kernels-simd.wasm`);
    const imported = new real.Module(bytes); // what a worker gets from `import k from './kernels.wasm'`
    const refusing = {
      ...Object.fromEntries(Object.getOwnPropertyNames(real).map((n) => [n, (real as unknown as Record<string, unknown>)[n]])),
      Module: function Module() { throw new real.CompileError('Wasm code generation disallowed by embedder'); },
    };
    const K = await freshKernels(refusing);
    expect(K.kernelBackend()).toBe('js');
    await K.initKernels({ wasmModule: imported });
    expect(K.kernelBackend()).toBe('wasm');
    expect(K.wasmFlavour()).toBe('module');
    const a = randF32(9 * 70, 3), b = randF32(70 * 13, 4), c = new Float32Array(9 * 13);
    K.matmul(a, b, c, 9, 70, 13, { transB: false });
    const ref = naiveMatmul(a, b, 9, 70, 13);
    expectClose(c, ref.c, ref.mag, 'imported module');
  });
});
