/**
 * The wasm kernels' memory, lent to a caller that wants its buffers where the
 * kernels read and write in place (the lite interpreter's arenas). Growing the
 * memory detaches every view of it: callers re-take views when `buffer` changed,
 * and `freeze` while they hold views (a model run); allocations then never grow
 * (they throw RangeError) and kernels fall back to other paths.
 */
import { activeWasm } from './backend.js';
import { OVERREAD, type WasmKernels } from './wasm/runtime.js';

/** Blocks of the kernels' wasm memory. */
export interface KernelMemory {
  /** The memory's current buffer (a new object after each growth). */
  readonly buffer: ArrayBuffer;
  /** Byte offset of a new 64-byte aligned block with 16 readable bytes after it; RangeError when it cannot. */
  alloc(bytes: number): number;
  /** Returns a block from `alloc` (same byte count). */
  release(offset: number, bytes: number): void;
  /** No growth until the matching `thaw` (nests). */
  freeze(): void;
  thaw(): void;
}

class Lent implements KernelMemory {
  constructor(private readonly k: WasmKernels) {}
  get buffer(): ArrayBuffer { return this.k.memory.buffer; }
  alloc(bytes: number): number { return this.k.heap.alloc(bytes + OVERREAD); }
  release(offset: number, bytes: number): void { this.k.heap.release(offset, bytes + OVERREAD); }
  freeze(): void { this.k.freeze(); }
  thaw(): void { this.k.thaw(); }
}

const lent = new WeakMap<WasmKernels, Lent>();

/**
 * The active wasm kernels' memory, or null when the kernels run in JS.
 * @example const mem = kernelMemory(); const off = mem?.alloc(1024);
 */
export function kernelMemory(): KernelMemory | null {
  const k = activeWasm();
  if (!k) return null;
  let m = lent.get(k);
  if (!m) { m = new Lent(k); lent.set(k, m); }
  return m;
}
