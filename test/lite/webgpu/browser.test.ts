/**
 * The runtime bundle in headless Chromium (playwright-core, --enable-unsafe-webgpu, a
 * SwiftShader adapter): served from 127.0.0.1, it runs hello_world_float and person_detect
 * on WebGPU on the page's main thread and inside a module Web Worker, compared with the CPU
 * backend in the same page. The WebGPU backend is fetched as its own chunk when asked for.
 * Needs /usr/bin/chromium (scripts/setup-webgpu.sh installs it and writes .webgpu/chromium;
 * where that marker exists the test must run, elsewhere it skips with a message).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { bundleLite } from '../../../scripts/bundle-lite.mjs';
import { ROOT } from '../../helpers/paths.js';
import { modelBytes } from '../models/shared.js';

const CHROMIUM = process.env.TGLITE_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = fs.existsSync(path.join(ROOT, '.webgpu/chromium'));
const have = fs.existsSync(CHROMIUM);
if (!have && REQUIRED) throw new Error(`browser WebGPU test required here (.webgpu/chromium) but ${CHROMIUM} is missing`);
if (!have) console.warn(`[webgpu browser test skipped] no ${CHROMIUM} (run scripts/setup-webgpu.sh)`);

/** Runs in the page or the worker: both models on 'webgpu' and 'cpu'. */
const PROGRAM = `
async function compare(lite) {
  const get = async (f) => new Uint8Array(await (await fetch('/' + f)).arrayBuffer());
  const out = {};
  for (const [file, input] of [['hello_world_float.tflite', null], ['person_detect.tflite', 'person.bmp']]) {
    const bytes = await get(file);
    let x;
    if (input) { const bmp = await get(input); const off = bmp[10] | (bmp[11] << 8); x = Int8Array.from(bmp.subarray(off, off + 96 * 96), (v) => v - 128); }
    else x = new Float32Array([1.25]);
    const g = await lite.loadModel(bytes, { backend: 'webgpu' });
    const c = await lite.loadModel(bytes, { backend: 'cpu' });
    const [yg] = await g.run([x]);
    const [yc] = await c.run([x]);
    out[file] = { backend: g.backend, cpuOps: g.backendPlan.cpuOps.length, adapter: g.backendPlan.adapter, gpu: Array.from(yg.data), cpu: Array.from(yc.data) };
    g.dispose(); c.dispose();
  }
  return out;
}`;

interface Result { backend: string; cpuOps: number; adapter: string; gpu: number[]; cpu: number[] }

let server: http.Server | null = null;
afterAll(() => server?.close());

describe.skipIf(!have)('webgpu in headless Chromium', { timeout: 120_000 }, () => {
  it('runs models on WebGPU on the main thread and in a Web Worker, equal to the CPU backend', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tglite-browser-'));
    const r = (await bundleLite()) as { files: { path: string; contents: Uint8Array }[]; entry: string };
    for (const f of r.files) fs.writeFileSync(path.join(dir, f.path), f.contents);
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>tglite</title>');
    fs.writeFileSync(path.join(dir, 'worker.js'),
      `import * as lite from './${r.entry}';\n${PROGRAM}\nonmessage = async () => { try { postMessage({ ok: await compare(lite) }); } catch (e) { postMessage({ error: String(e && e.stack || e) }); } };`);
    for (const f of ['hello_world_float.tflite', 'person_detect.tflite', 'person.bmp']) fs.writeFileSync(path.join(dir, f), modelBytes(f));
    const served: string[] = [];
    server = http.createServer((q, res) => {
      const name = path.basename(new URL(q.url ?? '/', 'http://x').pathname) || 'index.html';
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) { res.statusCode = 404; res.end(); return; }
      served.push(name);
      res.setHeader('content-type', name.endsWith('.js') ? 'text/javascript' : name.endsWith('.html') ? 'text/html' : 'application/octet-stream');
      res.end(fs.readFileSync(file));
    }).listen(0, '127.0.0.1');
    await new Promise((ok) => server!.once('listening', ok));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-dev-shm-usage', '--enable-unsafe-webgpu'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${base}/index.html`);
      const main = await page.evaluate(`(async () => { const lite = await import('/${r.entry}'); ${PROGRAM}; return compare(lite); })()`) as Record<string, Result>;
      const worker = await page.evaluate(`new Promise((ok, bad) => {
        const w = new Worker('/worker.js', { type: 'module' });
        w.onmessage = (e) => (e.data.ok ? ok(e.data.ok) : bad(new Error(e.data.error)));
        w.onerror = (e) => bad(new Error(e.message));
        w.postMessage('go');
      })`) as Record<string, Result>;
      expect(errors).toEqual([]);
      for (const [where, res] of [['page', main], ['worker', worker]] as const) {
        for (const [file, o] of Object.entries(res)) {
          expect(o.backend, `${where} ${file}`).toBe('webgpu');
          expect(o.cpuOps, `${where} ${file}`).toBe(0);
          const tol = file.startsWith('person') ? 3 : 1e-5;
          o.gpu.forEach((v, i) => expect(Math.abs(v - o.cpu[i]!), `${where} ${file}[${i}]`).toBeLessThanOrEqual(tol));
        }
      }
      console.log(`browser: ${main['person_detect.tflite']!.adapter}; person_detect page ${main['person_detect.tflite']!.gpu} / worker ${worker['person_detect.tflite']!.gpu} (cpu ${main['person_detect.tflite']!.cpu})`);
      expect(served.some((f) => f.startsWith('webgpu-'))).toBe(true); // the WebGPU chunk, fetched on demand
    } finally {
      await browser.close();
    }
  });
});
