/**
 * The small contract between the interpreter and a compute backend: which ops it
 * has, and where tensor memory lives. The CPU backend runs the `LiteOp`s of
 * `ops/resolver.ts` on arenas of plain `ArrayBuffer`s.
 *
 * ```ts
 * const backend = await createBackend('auto'); // the CPU backend today
 * backend.resolve(BuiltinOp.ADD);              // LiteOp | undefined
 * ```
 */
import type { LiteOp } from '../ops/op.js';

export type BackendKind = 'cpu' | 'webgpu';

/**
 * An arena block inside memory that can grow (the WASM kernels' memory), so that kernels
 * read and write tensors in place. Growth replaces `buffer` (views of the old one read as
 * empty): holders re-take views when it changed, and `freeze` while they use views.
 */
export interface ArenaBlock {
  /** The memory's current buffer. */
  readonly buffer: ArrayBuffer;
  /** Byte offset of the block in `buffer` (fixed; 64-byte aligned). */
  readonly offset: number;
  readonly bytes: number;
  /** No growth of the memory until the matching `thaw` (nests). */
  freeze(): void;
  thaw(): void;
  release(): void;
}

export interface Backend {
  readonly kind: BackendKind;
  /** The op implementing a builtin code, or undefined when this backend lacks it. */
  resolve(code: number): LiteOp | undefined;
  /** Memory for one arena of `bytes` bytes (zero-filled). */
  allocate(bytes: number): ArrayBuffer;
  /** Optional: an arena block (zero-filled) where the kernels work in place; null when none can be had now. */
  allocateArena?(bytes: number): ArenaBlock | null;
  /** Releases backend resources (device, kernels); the model is unusable afterwards. */
  dispose(): void;
}
