#!/usr/bin/env node
// Bundles the lite runtime (lite-runtime/index.ts: loadModel, CPU backend, every op,
// the WASM kernels embedded) the way an app or a worker would ship it: esbuild, ESM,
// minified, target es2022, platform neutral. Prints raw and gzipped sizes of what a CPU
// app loads, and of the chunks loaded on demand (WebGPU backend, rarely used ops).
//   node scripts/bundle-lite.mjs [--out dist/lite.min.js]
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles lite-runtime/index.ts with code splitting: the entry (and the chunks it imports
 * statically) is what a CPU-only app loads; chunks reached only by dynamic import (the
 * WebGPU backend, the recurrent and control-flow ops) load when asked for. Returns the
 * entry's code, every output file, the sizes of the statically loaded part and of the lazy
 * part (in all and per chunk, with the module each lazy entry chunk loads), and the largest inputs.
 */
export async function bundleLite() {
  const res = await build({
    absWorkingDir: ROOT,
    entryPoints: ['lite-runtime/index.ts'],
    bundle: true,
    splitting: true,
    outdir: 'out',
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outs = res.metafile.outputs;
  const rel = (p) => path.relative(path.join(ROOT, 'out'), p).split(path.sep).join('/');
  const files = res.outputFiles.map((f) => ({ path: rel(f.path), contents: f.contents }));
  const entryKey = Object.keys(outs).find((k) => outs[k].entryPoint === 'lite-runtime/index.ts');
  // The statically loaded closure of the entry.
  const loaded = new Set([entryKey]);
  for (const k of loaded) for (const i of outs[k].imports) if (i.kind === 'import-statement' && outs[i.path]) loaded.add(i.path);
  const byKey = (k) => files.find((f) => f.path === rel(path.join(ROOT, k))).contents;
  const size = (keys) => keys.reduce((a, k) => a + byKey(k).byteLength, 0);
  const gz = (keys) => keys.reduce((a, k) => a + gzipSync(byKey(k), { level: 9 }).byteLength, 0);
  const lazy = Object.keys(outs).filter((k) => !loaded.has(k) && k.endsWith('.js'));
  const lazyChunks = lazy.map((k) => ({ path: rel(path.join(ROOT, k)), entry: outs[k].entryPoint ?? null, bytes: size([k]), gzipBytes: gz([k]) }));
  const inputs = [...loaded].flatMap((k) => Object.entries(outs[k].inputs).map(([file, v]) => ({ file, bytes: v.bytesInOutput })))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    code: byKey(entryKey), entry: rel(path.join(ROOT, entryKey)), files,
    bytes: size([...loaded]), gzipBytes: gz([...loaded]), lazyBytes: size(lazy), lazyGzipBytes: gz(lazy), lazyChunks, inputs,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await bundleLite();
  const i = process.argv.indexOf('--out');
  if (i > 0) {
    // The entry under the given name, its chunks next to it.
    const dir = path.dirname(process.argv[i + 1]);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of r.files) fs.writeFileSync(f.path === r.entry ? process.argv[i + 1] : path.join(dir, f.path), f.contents);
  }
  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  console.log(`lite runtime bundle: ${kb(r.bytes)} minified, ${kb(r.gzipBytes)} gzipped (budget 65 KB gzipped)`);
  console.log(`lazy chunks (loaded only when a model needs them): ${kb(r.lazyBytes)} minified, ${kb(r.lazyGzipBytes)} gzipped; with the bundle ${kb(r.gzipBytes + r.lazyGzipBytes)} gzipped`);
  for (const c of r.lazyChunks) console.log(`  ${kb(c.gzipBytes).padStart(9)} gzipped  ${c.entry ?? `${c.path} (shared by lazy chunks)`}`);
  console.log('largest inputs (minified bytes):');
  for (const x of r.inputs.slice(0, 8)) console.log(`  ${kb(x.bytes).padStart(9)}  ${x.file}`);
}
