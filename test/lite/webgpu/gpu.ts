/**
 * The WebGPU adapter for tests: Dawn (npm `webgpu`) on the SwiftShader Vulkan driver that
 * scripts/setup-webgpu.sh puts in .webgpu/ (or the one given by TGLITE_VK_ICD, or an
 * installed chromium's). Where the setup ran (.webgpu/ready, as in CI) or
 * TGLITE_REQUIRE_WEBGPU=1, a missing adapter fails the tests; elsewhere they skip, saying so.
 *
 * ```ts
 * const gpu = await testGpu();
 * describe.skipIf(!gpu)('webgpu', { timeout: 60_000 }, () => { ... loadModel(bytes, { backend: 'webgpu', gpu }) ... });
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../helpers/paths.js';

const SETUP = path.join(ROOT, '.webgpu');

/** True where the WebGPU tests must run (the setup script ran, or the environment asks for it). */
export const REQUIRED = process.env.TGLITE_REQUIRE_WEBGPU === '1' || fs.existsSync(path.join(SETUP, 'ready'));

function icdPath(): string | null {
  const candidates = [process.env.TGLITE_VK_ICD, path.join(SETUP, 'vk_swiftshader_icd.json'), '/usr/lib/chromium/vk_swiftshader_icd.json'];
  return candidates.find((p): p is string => !!p && fs.existsSync(p)) ?? null;
}

let gpuPromise: Promise<unknown | null> | null = null;
/** Keeps Dawn's GPU object referenced for the whole test process. */
let keep: unknown = null;

/** Dawn's GPU object with a working adapter, or null (with a visible message) where there is none and none is required. */
export function testGpu(): Promise<unknown | null> {
  gpuPromise ??= (async () => {
    const icd = icdPath();
    if (icd && !process.env.VK_ICD_FILENAMES) process.env.VK_ICD_FILENAMES = icd;
    let why = icd ? '' : 'no SwiftShader ICD (run scripts/setup-webgpu.sh)';
    if (icd) {
      try {
        const { create, globals } = await import('webgpu');
        Object.assign(globalThis, globals);
        const gpu = create([]);
        keep = gpu;
        const adapter = await gpu.requestAdapter();
        if (adapter) return gpu;
        why = `requestAdapter() returned null with VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}`;
      } catch (e) {
        why = `loading Dawn failed: ${(e as Error).message}`;
      }
    }
    if (REQUIRED) throw new Error(`WebGPU tests are required here (.webgpu/ready or TGLITE_REQUIRE_WEBGPU=1) but: ${why}`);
    console.warn(`[webgpu tests skipped] ${why}`);
    return null;
  })();
  return gpuPromise;
}

export function keptGpu(): unknown {
  return keep;
}
