/**
 * Backend selection: the WebAssembly kernels when this host can load them
 * (compiled lazily on first use, or from a module passed to `initKernels`),
 * else plain TypeScript. Tests force 'js' to cover the fallback.
 */
import { KernelArgumentError } from './errors.js';
import { instantiate, loadEmbedded, type WasmKernels } from './wasm/runtime.js';

/** Which implementation runs the kernels. */
export type KernelBackend = 'wasm' | 'js';

let loaded: WasmKernels | null | undefined; // undefined: not tried yet
let forceJs = false;

/** The wasm kernels when they are the active backend, else null. */
export function activeWasm(): WasmKernels | null {
  if (forceJs) return null;
  if (loaded === undefined) loaded = loadEmbedded();
  return loaded;
}

/**
 * The backend the kernels use now (tries to load wasm on first call).
 * @example if (kernelBackend() === 'js') console.warn('no WebAssembly SIMD here');
 */
export function kernelBackend(): KernelBackend {
  return activeWasm() ? 'wasm' : 'js';
}

/**
 * Forces a backend. 'wasm' throws a KernelArgumentError where it cannot load.
 * @example setKernelBackend('js'); // run the TypeScript fallback
 */
export function setKernelBackend(b: KernelBackend): void {
  if (b === 'js') { forceJs = true; return; }
  if (b !== 'wasm') throw new KernelArgumentError('setKernelBackend', `unknown backend '${String(b)}', expected 'wasm' or 'js'`);
  forceJs = false;
  if (!activeWasm()) {
    forceJs = true;
    throw new KernelArgumentError('setKernelBackend', 'WebAssembly SIMD kernels cannot be loaded on this host');
  }
}

/** Which wasm build is loaded ('fma', 'simd', or 'module' from initKernels), or null. */
export function wasmFlavour(): string | null {
  if (loaded === undefined) loaded = loadEmbedded();
  return loaded ? loaded.flavour : null;
}

/**
 * Prepares the kernels. Optional in Node and browsers (they load lazily from
 * embedded bytes). Workers, which forbid compiling WebAssembly from bytes,
 * pass the imported module (lite-runtime/kernels/wasm/build/kernels-*.wasm).
 * An unusable module leaves the current backend in place.
 * @example
 * import kernels from './kernels-simd.wasm';
 * await initKernels({ wasmModule: kernels });
 */
export async function initKernels(opts: { wasmModule?: WebAssembly.Module } = {}): Promise<void> {
  if (opts.wasmModule) {
    const k = instantiate(opts.wasmModule, 'module');
    if (k) loaded = k;
    else if (loaded === undefined) loaded = null;
    return;
  }
  activeWasm();
}
