#!/usr/bin/env node
// Bundles the lite runtime (lite-runtime/index.ts: loadModel, CPU backend, every op,
// the WASM kernels embedded) the way an app or a worker would ship it: esbuild, ESM,
// minified, target es2022, platform neutral. Prints raw and gzipped sizes.
//   node scripts/bundle-lite.mjs [--out dist/lite.min.js]
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles lite-runtime/index.ts; returns the code and its sizes in bytes. */
export async function bundleLite() {
  const res = await build({
    absWorkingDir: ROOT,
    entryPoints: ['lite-runtime/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = res.outputFiles[0].contents;
  const inputs = Object.entries(res.metafile.outputs[Object.keys(res.metafile.outputs)[0]].inputs)
    .map(([file, v]) => ({ file, bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return { code, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength, inputs };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await bundleLite();
  const i = process.argv.indexOf('--out');
  if (i > 0) { fs.mkdirSync(path.dirname(process.argv[i + 1]), { recursive: true }); fs.writeFileSync(process.argv[i + 1], r.code); }
  const kb = (n) => (n / 1024).toFixed(1) + ' KB';
  console.log(`lite runtime bundle: ${kb(r.bytes)} minified, ${kb(r.gzipBytes)} gzipped (budget 150 KB gzipped)`);
  console.log('largest inputs (minified bytes):');
  for (const x of r.inputs.slice(0, 8)) console.log(`  ${kb(x.bytes).padStart(9)}  ${x.file}`);
}
