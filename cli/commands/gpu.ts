import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from './bundle.js';

let kept: unknown = null;

/**
 * The WebGPU entry object in Node: Dawn from the npm package `webgpu`, on the Vulkan
 * driver named by VK_ICD_FILENAMES, else TGLITE_VK_ICD, the SwiftShader driver that
 * scripts/setup-webgpu.sh puts in .webgpu/, or an installed Chromium's. Throws a clear
 * error where there is no adapter.
 * @example const gpu = await nodeGpu(); await loadModel(bytes, { backend: 'webgpu', gpu });
 */
export async function nodeGpu(): Promise<unknown> {
  if (kept) return kept;
  if (!process.env.VK_ICD_FILENAMES) {
    let root = '';
    try { root = packageRoot(); } catch { /* not in a package */ }
    const icd = [process.env.TGLITE_VK_ICD, root && join(root, '.webgpu/vk_swiftshader_icd.json'), '/usr/lib/chromium/vk_swiftshader_icd.json']
      .find((p): p is string => !!p && existsSync(p));
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  // Dawn complains on stderr when this is unset (no display here; nothing uses it)
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'tglite-xdg-'));
  let mod: { create(flags: string[]): { requestAdapter(): Promise<unknown> }; globals: object };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch {
    throw new Error("--backend webgpu in Node needs the npm package 'webgpu' (npm i -D webgpu@0.6.2)");
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  if (!(await gpu.requestAdapter())) {
    throw new Error('--backend webgpu: no WebGPU adapter here (a Vulkan driver is needed; without a GPU run scripts/setup-webgpu.sh for SwiftShader)');
  }
  kept = gpu; // Dawn must stay referenced while any device lives
  return gpu;
}
