/**
 * The CPU backend: ops from `ops/resolver.ts`, numeric kernels in WASM SIMD when
 * available (plain TypeScript otherwise). Arenas live in the kernels' WASM memory,
 * where the int8 kernels read and write them in place; in `ArrayBuffer`s otherwise.
 *
 * ```ts
 * const cpu = await createCpuBackend();
 * ```
 */
import { initKernels, kernelMemory, type KernelMemory } from '../kernels/index.js';
import { resolveOp } from '../ops/resolver.js';
import type { ArenaBlock, Backend } from './backend.js';

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
    allocateArena: wasmArena,
    dispose: () => {},
  };
}

/** Releases blocks of arenas dropped without `release` (a model never disposed). */
const reclaim = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ mem: KernelMemory; offset: number; bytes: number }>((b) => b.mem.release(b.offset, b.bytes))
  : null;

class WasmArena implements ArenaBlock {
  private held: { mem: KernelMemory; offset: number; bytes: number } | null;
  constructor(private readonly mem: KernelMemory, readonly offset: number, readonly bytes: number) {
    this.held = { mem, offset, bytes };
    reclaim?.register(this, this.held, this);
  }
  get buffer(): ArrayBuffer { return this.mem.buffer; }
  freeze(): void { this.mem.freeze(); }
  thaw(): void { this.mem.thaw(); }
  release(): void {
    if (!this.held) return;
    reclaim?.unregister(this);
    this.mem.release(this.offset, this.bytes);
    this.held = null;
  }
}

/** A zero-filled arena block in the kernels' WASM memory; null without WASM or when the memory cannot grow now. */
function wasmArena(bytes: number): ArenaBlock | null {
  const mem = kernelMemory();
  if (!mem) return null;
  let offset: number;
  try {
    offset = mem.alloc(bytes);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
  new Uint8Array(mem.buffer, offset, bytes).fill(0);
  return new WasmArena(mem, offset, bytes);
}
