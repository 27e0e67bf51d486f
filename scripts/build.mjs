#!/usr/bin/env node
// Builds dist/: ESM bundles of the three entry points and the CLI (esbuild),
// type declarations (tsc), and the kernels' .wasm files for worker bundlers.
// Usage: npm run build
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const deps = ['commander', 'flatbuffers', 'protobufjs', 'protobufjs/*', 'esbuild', 'miniflare'];
const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

rmSync(dist, { recursive: true, force: true });
const entries = [
  { in: 'lite-runtime/index.ts', out: 'lite-runtime/index.js', platform: 'neutral' },
  { in: 'training/index.ts', out: 'training/index.js', platform: 'node' },
  { in: 'converter/index.ts', out: 'converter/index.js', platform: 'node' },
  { in: 'cli/index.ts', out: 'cli/index.js', platform: 'node', banner: '#!/usr/bin/env node' },
];
for (const e of entries) {
  if (!existsSync(join(root, e.in))) continue;
  await build({
    ...common,
    entryPoints: [e.in],
    outfile: join(dist, e.out),
    platform: e.platform,
    external: e.platform === 'node' ? deps : [],
    banner: e.banner ? { js: e.banner } : undefined,
  });
}

// The lite runtime's kernels as files: workers import them as WebAssembly.Module.
const wasmSrc = join(root, 'lite-runtime/kernels/wasm/build');
mkdirSync(join(dist, 'wasm'), { recursive: true });
for (const f of readdirSync(wasmSrc).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmSrc, f), join(dist, 'wasm', f));

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--emitDeclarationOnly', '--declaration', '--outDir', dist], { stdio: 'inherit', cwd: root });
console.log('built dist/');
