/**
 * The lite runtime's shipped size: esbuild bundle of lite-runtime/index.ts (ESM,
 * minified, es2022, the WASM kernels embedded), what a CPU app loads (the entry and the chunks
 * it imports statically), must stay within 65 KB gzipped (63.3 KB when set, with a little room);
 * with the lazily imported op chunks (LAZY_OPS) within 75 KB (73.6 KB when set). The bundle is
 * also loaded and run, lazy chunks included, so the figures are for code that works.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { bundleLite } from '../../scripts/bundle-lite.mjs';
import { writeTflite } from '../../converter/tflite-writer/index.js';
import { loadModel } from '../../lite-runtime/index.js';
import { LAZY_OPS } from '../../lite-runtime/ops/resolver.js';
import { decode, loadFixture, modelBytes } from './models/shared.js';

const BUDGET = 65 * 1024;
/** The bundle with the lazily imported op chunks (recurrent; control flow and rare data movement), without WebGPU. */
const ALL_OPS_BUDGET = 75 * 1024;

interface BundleResult {
  code: Uint8Array; entry: string; files: { path: string; contents: Uint8Array }[]; bytes: number; gzipBytes: number;
  lazyBytes: number; lazyGzipBytes: number; inputs: { file: string }[];
  lazyChunks: { path: string; entry: string | null; bytes: number; gzipBytes: number }[];
}

describe('lite runtime bundle', () => {
  it('is at most 65 KB gzipped, self-contained, and runs models (lazy op chunks too)', async () => {
    const r = (await bundleLite()) as BundleResult;
    console.log(`lite runtime bundle: ${(r.bytes / 1024).toFixed(1)} KB minified, ${(r.gzipBytes / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
    expect(r.gzipBytes).toBeLessThanOrEqual(BUDGET);
    const lazyPaths = new Set(r.lazyChunks.map((c) => c.path));
    const text = (files: BundleResult['files']) => files.map((f) => new TextDecoder().decode(f.contents)).join('\n');
    expect(text(r.files)).not.toMatch(/from\s*["'](node:|[a-z@])/); // no imports left: nothing outside the bundle
    expect(text(r.files.filter((f) => !lazyPaths.has(f.path)))).toContain('0061736d'); // hex of the "\0asm" header: the kernels are embedded

    // The WebGPU backend and the lazy ops (LAZY_OPS: recurrent, control flow, rare data movement) are
    // chunks of their own, loaded only when a model asks for them; what a CPU app with every op loads stays bounded too.
    const lazyFiles = new RegExp(`backends/webgpu/|ops/(${LAZY_OPS.map((o) => o.name.toLowerCase()).join('|')})\\.ts$`);
    expect(r.inputs.filter((i) => lazyFiles.test(i.file))).toEqual([]);
    const entries = r.lazyChunks.map((c) => c.entry);
    for (const e of ['lite-runtime/backends/webgpu/index.ts', 'lite-runtime/ops/lazy-recurrent.ts', 'lite-runtime/ops/lazy-rare.ts']) expect(entries).toContain(e);
    const opChunksGz = r.lazyChunks.filter((c) => !c.entry?.includes('backends/webgpu/')).reduce((a, c) => a + c.gzipBytes, 0);
    console.log(`with the lazy op chunks: ${((r.gzipBytes + opChunksGz) / 1024).toFixed(1)} KB gzipped (budget ${ALL_OPS_BUDGET / 1024} KB); with WebGPU too: ${((r.gzipBytes + r.lazyGzipBytes) / 1024).toFixed(1)} KB`);
    expect(r.gzipBytes + opChunksGz).toBeLessThanOrEqual(ALL_OPS_BUDGET);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tglite-bundle-'));
    for (const f of r.files) fs.writeFileSync(path.join(dir, f.path), f.contents);
    const file = path.join(dir, r.entry);
    const lite = (await import(pathToFileURL(file).href)) as typeof import('../../lite-runtime/index.js');
    const bytes = writeTflite({
      tensors: [
        { name: 'x', shape: [1, 3], dtype: 'float32' },
        { name: 'w', shape: [2, 3], dtype: 'float32', data: new Float32Array([1, 2, 3, -1, -2, -3.5]) },
        { name: 'b', shape: [2], dtype: 'float32', data: new Float32Array([0.5, 0.25]) },
        { name: 'y', shape: [1, 2], dtype: 'float32' },
      ],
      operators: [{ op: 'FULLY_CONNECTED', inputs: ['x', 'w', 'b'], outputs: ['y'], options: { fused_activation_function: 'NONE' } }],
      inputs: ['x'], outputs: ['y'],
    });
    const model = await lite.loadModel(bytes, { backend: 'cpu' });
    const [y] = await model.run([new Float32Array([1, 1, 1])]);
    expect(Array.from(y!.data as Float32Array)).toEqual([6.5, -6.25]);
    model.dispose();

    // a model with SVDF loads the recurrent chunk and runs as the sources do
    const kws = modelBytes('keyword_scrambled.tflite');
    const x = loadFixture('keyword_scrambled.tflite').cases[0]!.inputs.map(decode);
    const bundled = await lite.loadModel(kws);
    const [got] = await bundled.run(x);
    const [want] = await (await loadModel(kws)).run(x);
    expect(Array.from(got!.data as Int8Array)).toEqual(Array.from(want!.data as Int8Array));

    // a model with CUMSUM loads the rare-ops chunk
    const cumsum = await lite.loadModel(writeTflite({
      tensors: [
        { name: 'x', shape: [4], dtype: 'float32' },
        { name: 'axis', shape: [], dtype: 'int32', data: new Int32Array([0]) },
        { name: 's', shape: [4], dtype: 'float32' },
      ],
      operators: [{ op: 'CUMSUM', inputs: ['x', 'axis'], outputs: ['s'] }],
      inputs: ['x'], outputs: ['s'],
    }));
    const [s] = await cumsum.run([new Float32Array([1, 2, 3, 4])]);
    expect(Array.from(s!.data as Float32Array)).toEqual([1, 3, 6, 10]);
  });
});
