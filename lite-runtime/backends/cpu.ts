/**
 * The CPU backend: ops from `ops/registry.ts`, arenas in `ArrayBuffer`s, numeric
 * kernels in WASM SIMD when available (plain TypeScript otherwise).
 *
 * ```ts
 * const cpu = await createCpuBackend();
 * ```
 */
import { initKernels } from '../kernels/index.js';
import { resolveOp } from '../ops/registry.js';
import type { Backend } from './backend.js';

export interface CpuBackendOptions {
  /** A compiled kernel module, for platforms that cannot compile WASM from bytes (Workers). */
  wasmModule?: WebAssembly.Module;
}

/** Creates the CPU backend, initializing the numeric kernels once. */
export async function createCpuBackend(opts: CpuBackendOptions = {}): Promise<Backend> {
  await initKernels(opts.wasmModule ? { wasmModule: opts.wasmModule } : {});
  return {
    kind: 'cpu',
    resolve: resolveOp,
    allocate: (bytes) => new ArrayBuffer(bytes),
    dispose: () => {},
  };
}
