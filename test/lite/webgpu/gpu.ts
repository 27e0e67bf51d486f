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

/** Mesa's lavapipe (has shader-f16), where scripts/setup-webgpu.sh extracted it. */
const LAVAPIPE = path.join(SETUP, 'lavapipe/lvp_icd.json');

let gpuPromise: Promise<unknown | null> | null = null;
/** Keeps Dawn's GPU object referenced for the whole test process. */
let keep: unknown = null;

/** Dawn's GPU object with a working adapter, or null (with a visible message) where there is none and none is required. */
export function testGpu(): Promise<unknown | null> {
  gpuPromise ??= (async () => {
    const icd = icdPath();
    const both = !!icd && !process.env.VK_ICD_FILENAMES && fs.existsSync(LAVAPIPE);
    if (icd && !process.env.VK_ICD_FILENAMES) process.env.VK_ICD_FILENAMES = both ? `${icd}:${LAVAPIPE}` : icd;
    let why = icd ? '' : 'no SwiftShader ICD (run scripts/setup-webgpu.sh)';
    if (icd) {
      try {
        const { create, globals } = await import('webgpu');
        Object.assign(globalThis, globals);
        const gpu = create(both ? ['adapter=SwiftShader'] : []);
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

let f16Promise: Promise<unknown | null> | null = null;
let keepF16: unknown = null;

/**
 * Dawn's GPU object on an adapter with `shader-f16` (lavapipe from Mesa 25, extracted by
 * scripts/setup-webgpu.sh into .webgpu/lavapipe), or null with the reason logged.
 */
export function testGpuF16(): Promise<unknown | null> {
  f16Promise ??= (async () => {
    await testGpu(); // sets VK_ICD_FILENAMES (both drivers where lavapipe is there)
    if (!fs.existsSync(LAVAPIPE) || !process.env.VK_ICD_FILENAMES?.includes(LAVAPIPE)) {
      console.warn('[webgpu f16 tests skipped] no lavapipe with shader-f16 in .webgpu/lavapipe (scripts/setup-webgpu.sh)');
      return null;
    }
    const { create } = await import('webgpu');
    const gpu = create(['adapter=llvmpipe']);
    keepF16 = gpu;
    const adapter = await gpu.requestAdapter();
    if (adapter?.features.has('shader-f16')) return gpu;
    console.warn('[webgpu f16 tests skipped] lavapipe adapter without shader-f16');
    return null;
  })();
  return f16Promise;
}

export function keptGpu(): unknown {
  return keep ?? keepF16;
}
