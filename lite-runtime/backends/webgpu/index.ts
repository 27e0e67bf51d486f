/**
 * The WebGPU backend, loaded only when asked for (`loadModel(bytes, { backend: 'webgpu' })`
 * imports this module dynamically, so the CPU-only bundle does not carry it).
 *
 * ```ts
 * const { openWebGpu } = await import('./backends/webgpu/index.js');
 * const session = await openWebGpu(gpu);           // gpu: navigator.gpu, or Dawn's create([]) in Node
 * const exec = await compileSubgraph(session, runner, new Set(), 'requested');
 * ```
 */
import { BackendError } from '../../format/errors.js';
import { findGpu, openSession, type GpuSession } from './device.js';

export { compileSubgraph, GpuExecutor } from './compile.js';
export { GPU_KERNELS } from './kernels.js';
export { checkGpuInput, gpuInputs } from './chain.js';
export type { GpuTensor, GpuInput } from './chain.js';
export type { GpuSession } from './device.js';

/** Opens (or shares) the device of `gpu` (default `navigator.gpu`); BackendError when there is no adapter. */
export async function openWebGpu(gpu?: unknown): Promise<GpuSession> {
  const g = findGpu(gpu);
  if (!g) {
    throw new BackendError("the 'webgpu' backend needs navigator.gpu, or LoadOptions.gpu (in Node: create([]) of the npm package 'webgpu')");
  }
  return openSession(g);
}
