/**
 * Backend selection for `loadModel`.
 *
 * ```ts
 * const backend = await createBackend('cpu');
 * ```
 */
import { BackendError } from '../format/errors.js';
import type { Backend } from './backend.js';
import { createCpuBackend, type CpuBackendOptions } from './cpu.js';

export type { Backend, BackendKind } from './backend.js';

/** Creates the requested backend; 'auto' picks the best available (CPU until WebGPU lands). */
export async function createBackend(kind: 'cpu' | 'webgpu' | 'auto', opts: CpuBackendOptions = {}): Promise<Backend> {
  switch (kind) {
    case 'cpu':
    case 'auto':
      return createCpuBackend(opts);
    case 'webgpu':
      throw new BackendError("the 'webgpu' backend is not available in this build; use 'cpu' or 'auto'");
    default:
      throw new BackendError(`unknown backend ${JSON.stringify(kind)}; expected 'cpu', 'webgpu' or 'auto'`);
  }
}
