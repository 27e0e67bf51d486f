/**
 * The small contract between the interpreter and a compute backend: which ops it
 * has, and where tensor memory lives. The CPU backend runs the `OpDef`s of
 * `ops/registry.ts` on arenas of plain `ArrayBuffer`s; a WebGPU backend mirrors it.
 *
 * ```ts
 * const backend = await createBackend('auto'); // the CPU backend today
 * backend.resolve(BuiltinOp.ADD);              // OpDef | undefined
 * ```
 */
import type { OpDef } from '../ops/op.js';

export type BackendKind = 'cpu' | 'webgpu';

export interface Backend {
  readonly kind: BackendKind;
  /** The op implementing a builtin code, or undefined when this backend lacks it. */
  resolve(code: number): OpDef | undefined;
  /** Memory for one arena of `bytes` bytes (zero-filled). */
  allocate(bytes: number): ArrayBuffer;
  /** Releases backend resources (device, kernels); the model is unusable afterwards. */
  dispose(): void;
}
