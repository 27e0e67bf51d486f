/**
 * Errors of the WebGPU backend, thrown by `run` (both are `BackendError`s, code 'backend').
 * Small and dependency-free so that the CPU-only bundle can export them for `instanceof`.
 *
 * ```ts
 * try { await model.run([x]); } catch (e) {
 *   if (e instanceof GpuDeviceLostError) model = await loadModel(bytes, { backend: 'webgpu' });
 * }
 * ```
 */
import { BackendError } from '../format/errors.js';

/** The GPU device was lost (driver reset, `destroy`, out of memory): load the model again. */
export class GpuDeviceLostError extends BackendError {
  readonly reason: string;
  constructor(reason: string) {
    super(`WebGPU device lost (${reason}); load the model again to run it on a new device`);
    this.reason = reason;
  }
}

/** WebGPU reported a validation or out-of-memory error for the work of one `run`. */
export class GpuValidationError extends BackendError {
  readonly kind: 'validation' | 'out-of-memory' | 'internal';
  constructor(kind: 'validation' | 'out-of-memory' | 'internal', message: string) {
    super(`WebGPU ${kind} error: ${message}`);
    this.kind = kind;
  }
}
