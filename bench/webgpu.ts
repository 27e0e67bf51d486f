/**
 * `npm run bench -- webgpu`: per model, one inference on our WebGPU backend beside our CPU
 * backend, onnxruntime-web's WebGPU EP on the model's ONNX (models that come from ONNX: the
 * .tflite is made from it by `convert()`), and LiteRT.js's WebGPU accelerator, all in one
 * headless Chromium page on its WebGPU adapter (SwiftShader on machines without a GPU),
 * since the peers' WebGPU backends run only in a browser. bench/webgpu-page.js does the
 * timing in the page; this file builds the models and bundles and serves them.
 * TGLITE_CHROMIUM picks the browser (default /usr/bin/chromium).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { convert } from '../converter/convert.js';
// @ts-expect-error plain ESM script without type declarations
import { bundleLite } from '../scripts/bundle-lite.mjs';
import { convnetModel, mlpModel } from './lite-models.js';
import { harnessDir, ROOT } from './lite-peers.js';
import type { BenchRow } from './types.js';

interface PageRow {
  name: string; notes: string[]; cpu: number; gpu?: number; ort?: number; litert?: number;
  gpuDiff?: number; ortDiff?: number; litertDiff?: number; litertFull?: boolean;
  plan?: { cpuOps: string[]; dispatches: number; fused: number };
}

const MIME: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

/** The models: name, .tflite file, and the ONNX file it was converted from (when it was). */
async function models(dir: string): Promise<{ name: string; tflite: string; onnx?: string }[]> {
  const out: { name: string; tflite: string; onnx?: string }[] = [];
  const add = async (name: string, onnx: Uint8Array, file: string, quantize?: 'float16'): Promise<void> => {
    fs.writeFileSync(path.join(dir, `${file}.onnx`), onnx);
    const t = await convert(onnx, quantize ? { quantize } : {});
    fs.writeFileSync(path.join(dir, `${file}${quantize ? '-f16' : ''}.tflite`), t);
    out.push({ name, tflite: `/${file}${quantize ? '-f16' : ''}.tflite`, onnx: `/${file}.onnx` });
  };
  await add('mlp 784-512-512-10', mlpModel().onnx, 'mlp');
  await add('convnet 32x32x3', convnetModel().onnx, 'convnet');
  for (const f of ['cnn', 'encoder', 'lstm']) {
    const p = path.join(ROOT, `test/fixtures/onnx/${f}_opset17.onnx`);
    if (fs.existsSync(p)) await add(`${f} (test fixture)`, new Uint8Array(fs.readFileSync(p)), f);
  }
  const pdFile = path.join(ROOT, 'test/fixtures/tflite-micro/person_detect.tflite');
  if (fs.existsSync(pdFile)) {
    fs.copyFileSync(pdFile, path.join(dir, 'person_detect.tflite'));
    out.push({ name: 'person_detect int8 (tflite)', tflite: '/person_detect.tflite' });
  }
  const only = process.env.TGLITE_BENCH_MODELS?.split(',');
  return only ? out.filter((m) => only.some((o) => m.name.startsWith(o))) : out;
}

export async function benchWebgpu(): Promise<BenchRow[]> {
  const chromiumPath = process.env.TGLITE_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) throw new Error(`no ${chromiumPath} (scripts/setup-webgpu.sh installs chromium)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tglite-bench-webgpu-'));
  const r = (await bundleLite()) as { files: { path: string; contents: Uint8Array }[]; entry: string };
  for (const f of r.files) fs.writeFileSync(path.join(dir, f.path), f.contents);
  fs.copyFileSync(path.join(ROOT, 'bench/webgpu-page.js'), path.join(dir, 'webgpu-page.js'));
  let litertPage = false;
  try {
    const h = harnessDir();
    await build({ entryPoints: [path.join(h, 'page_entry.mjs')], bundle: true, format: 'iife', outfile: path.join(dir, 'litert.js'), logLevel: 'warning' });
    litertPage = true;
  } catch (e) {
    console.log(`LiteRT.js page not built: ${(e as Error).message}`);
  }
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">${litertPage ? '<script src="/litert.js"></script>' : ''}`);
  const list = await models(dir);
  const roots: [string, string][] = [
    ['/ort/', path.join(ROOT, 'node_modules/onnxruntime-web/dist')],
    ['/wasm/', path.join(ROOT, 'node_modules/@litertjs/core/wasm')],
    ['/', dir],
  ];
  const server = http.createServer((q, res) => {
    const url = decodeURIComponent(new URL(q.url ?? '/', 'http://x').pathname);
    for (const [prefix, root] of roots) {
      if (!url.startsWith(prefix)) continue;
      const f = path.join(root, url.slice(prefix.length) || 'index.html');
      if (!f.startsWith(root) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) break;
      res.setHeader('content-type', MIME[path.extname(f)] ?? 'application/octet-stream');
      // cross-origin isolated: performance.now() at 5 us instead of 100 us
      res.setHeader('cross-origin-opener-policy', 'same-origin');
      res.setHeader('cross-origin-embedder-policy', 'require-corp');
      res.end(fs.readFileSync(f));
      return;
    }
    res.statusCode = 404;
    res.end();
  }).listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-dev-shm-usage', '--enable-unsafe-webgpu'],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(`${base}/index.html`);
    const iters = Number(process.env.TGLITE_BENCH_ITERS ?? 10);
    const res = await page.evaluate(`import('/webgpu-page.js').then((m) => m.benchAll(${JSON.stringify({ entry: r.entry, models: list, iters })}))`) as
      { env: { adapter: string; features: string[]; userAgent: string; litert: unknown }; rows: PageRow[] };
    console.log(`adapter: ${res.env.adapter} (shader-f16: ${res.env.features.includes('shader-f16') ? 'yes' : 'no'}); ${res.env.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}`);
    const f = (v: number | undefined): string => (v === undefined ? '-' : v.toExponential(1));
    return res.rows.map((row) => ({
      name: `${row.name} (webgpu)`,
      ours: row.gpu ?? NaN,
      unit: 'ms',
      peers: { 'ours cpu': row.cpu, 'ort-web webgpu': row.ort ?? null, 'litert.js webgpu': row.litert ?? null },
      notes: [
        ...row.notes,
        `${row.name}: max |diff| vs our CPU: ours webgpu ${f(row.gpuDiff)}, ort-web ${f(row.ortDiff)}, litert.js ${f(row.litertDiff)}`
          + `${row.plan?.cpuOps.length ? `; our CPU fallbacks ${row.plan.cpuOps.join(',')}` : ''}${row.litertFull === false ? '; litert.js not fully on the GPU' : ''}`,
      ],
    }));
  } finally {
    await browser.close();
    server.close();
  }
}
