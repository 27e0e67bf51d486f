/**
 * Packed operands: float weights packed once for `matmulPacked`, int8
 * weights held for `qmatmulI8Packed`. A matrix packed under the wasm backend
 * lives in wasm memory and is multiplied there; one packed under 'js' stays a
 * typed array. Either way it is freed by `freePacked` (or when collected).
 */
import { KernelArgumentError } from './errors.js';
import type { WasmBlock, WasmKernels } from './wasm/runtime.js';

/** Float weights packed by `packB` for repeated products. */
export interface PackedMatrix {
  readonly k: number;
  readonly n: number;
}

/** Int8 weights [n, k] held by `packI8` for repeated `qmatmulI8Packed` calls. */
export interface PackedI8 {
  readonly k: number;
  readonly n: number;
}

/** Releases wasm blocks of packed matrices that were dropped without freePacked. */
const reclaim = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ owner: WasmKernels; block: WasmBlock }>((h) => h.owner.heap.release(h.block.off, h.block.bytes))
  : null;

/** Storage of a packed matrix: a JS array or a resident wasm block. */
export class Packed<T extends Float32Array | Int8Array> implements PackedMatrix {
  private js: T | null;
  private wasm: { owner: WasmKernels; block: WasmBlock } | null;

  constructor(readonly kind: 'f32' | 'i8', readonly k: number, readonly n: number,
    js: T | null, wasm: { owner: WasmKernels; block: WasmBlock } | null) {
    this.js = js;
    this.wasm = wasm;
    if (wasm && reclaim) reclaim.register(this, wasm, this);
  }

  /** The storage, or a KernelArgumentError when freed. */
  storage(kernel: string): { js: T } | { owner: WasmKernels; block: WasmBlock } {
    if (this.js) return { js: this.js };
    if (this.wasm) return this.wasm;
    throw new KernelArgumentError(kernel, 'the packed matrix was freed by freePacked');
  }

  /** Bytes held: the wasm block, or the JS copy. */
  get bytes(): number {
    return this.wasm ? this.wasm.block.bytes : this.js ? this.js.byteLength : 0;
  }

  free(): void {
    if (this.wasm) {
      reclaim?.unregister(this);
      this.wasm.owner.heap.release(this.wasm.block.off, this.wasm.block.bytes);
    }
    this.js = null;
    this.wasm = null;
  }
}

/** Narrows a user-supplied packed matrix, or throws naming the kernel. */
export function asPacked<K extends 'f32' | 'i8'>(kernel: string, p: unknown, kind: K):
  Packed<K extends 'f32' ? Float32Array : Int8Array> {
  if (!(p instanceof Packed) || p.kind !== kind) {
    const from = kind === 'f32' ? 'packB' : 'packI8';
    throw new KernelArgumentError(kernel, `expected a matrix returned by ${from}`);
  }
  return p as Packed<K extends 'f32' ? Float32Array : Int8Array>;
}

/** A block held in wasm memory for a fused kernel (freed by `free` or when collected). */
export class Resident {
  private wasm: { owner: WasmKernels; block: WasmBlock } | null;

  constructor(owner: WasmKernels, block: WasmBlock) {
    this.wasm = { owner, block };
    reclaim?.register(this, this.wasm, this);
  }

  /** Bytes held in wasm memory (0 once freed). */
  get bytes(): number {
    return this.wasm ? this.wasm.block.bytes : 0;
  }

  /** The block when it is still held by `k` (the active kernels), else null. */
  blockFor(k: WasmKernels): WasmBlock | null {
    return this.wasm && this.wasm.owner === k ? this.wasm.block : null;
  }

  free(): void {
    if (!this.wasm) return;
    reclaim?.unregister(this);
    this.wasm.owner.heap.release(this.wasm.block.off, this.wasm.block.bytes);
    this.wasm = null;
  }
}

/** The wasm storage of a packed int8 matrix, or null (JS storage, freed, or wrong kind). */
export function wasmBlockOf(p: unknown): { owner: WasmKernels; block: WasmBlock } | null {
  if (!(p instanceof Packed) || p.kind !== 'i8') return null;
  try {
    const s = p.storage('qmatmulI8PackedRequant');
    return 'owner' in s ? s : null;
  } catch {
    return null;
  }
}
