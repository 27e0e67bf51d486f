/**
 * Every training module loads on its own, whatever was imported before it: each is
 * imported into a fresh module registry. Catches import cycles that read a binding
 * before its module ran (tensor.ts loads the op modules that give Tensor its methods).
 */
import { readdirSync } from 'node:fs';
import { describe, it, vi } from 'vitest';

const root = new URL('../../training/', import.meta.url);
const modules = (readdirSync(root, { recursive: true }) as string[])
  // kernels/wasm/src is AssemblyScript (decorators, wasm types), compiled by scripts/build-training-wasm.mjs, not loaded
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.replace(/\\/g, '/').startsWith('kernels/wasm/src/'))
  .sort();

describe('each training module loads alone', () => {
  for (const f of modules) {
    it(f, async () => {
      vi.resetModules();
      await import(new URL(f, root).href);
    }, 30_000);
  }
});
