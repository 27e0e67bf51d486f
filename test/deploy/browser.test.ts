/**
 * The browser example (examples/browser, bundled by `bundleModel(..., 'browser')`) in
 * headless Chromium (playwright-core, Debian's chromium; .ci/run installs it): the model
 * loads in a Web Worker (WebGPU where the browser has an adapter, else the CPU), a digit
 * drawn on the canvas gets a prediction and probability bars, and a screenshot is kept
 * in test-artifacts/browser-digits.png.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { bundleModel } from '../../cli/commands/bundle.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.TGLITE_CHROMIUM ?? '/usr/bin/chromium';
// Required where the setup ran (CI: scripts/setup-webgpu.sh writes .webgpu/chromium); elsewhere skipped, saying so.
const REQUIRED = existsSync(join(ROOT, '.webgpu/chromium'));
const HAVE = existsSync(CHROMIUM);
if (!HAVE && REQUIRED) throw new Error(`browser example test required here (.webgpu/chromium) but ${CHROMIUM} is missing`);
if (!HAVE) console.warn(`[browser example test skipped] no ${CHROMIUM} (apt-get install -y chromium, or run scripts/setup-webgpu.sh)`);
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.tflite': 'application/octet-stream' };

/** A static file server for `dir` on 127.0.0.1 (a secure context, as WebGPU needs). */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname === '/' ? '/index.html' : new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    ok({ server, url: `http://127.0.0.1:${a.port}/` });
  }));
}

describe.skipIf(!HAVE)('browser example in headless Chromium', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tglite-browser-'));
  let browser: Browser;
  let site: { server: Server; url: string };

  beforeAll(async () => {
    await bundleModel(join(ROOT, 'examples/models/digits.tflite'), 'browser', dir);
    site = await serve(dir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-dev-shm-usage', '--enable-unsafe-webgpu'],
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    site?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the page, draws a "1" (one stroke down the middle), returns the prediction. */
  async function drawOne(query: string) {
    const page = await browser.newPage({ viewport: { width: 900, height: 560 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(site.url + query);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const backend = await page.getAttribute('#status', 'data-backend');
    const box = (await page.locator('#pad').boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await page.mouse.move(...at(0.5, 0.1));
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(...at(0.5, 0.1 + (0.8 * i) / 12));
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('#prediction')?.getAttribute('data-probabilities') !== null);
    await page.waitForTimeout(300); // the last stroke's prediction
    const prediction = await page.textContent('#prediction');
    const probs = JSON.parse((await page.getAttribute('#prediction', 'data-probabilities'))!) as number[];
    const bars = await page.locator('#bars .row').count();
    return { page, errors, backend, prediction, probs, bars };
  }

  it('draws a digit, shows the prediction and probability bars (WebGPU where there is an adapter), keeps a screenshot', async () => {
    const r = await drawOne('');
    expect(['webgpu', 'cpu']).toContain(r.backend);
    expect(r.probs).toHaveLength(10);
    expect(r.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    expect(Number(r.prediction)).toBe(r.probs.indexOf(Math.max(...r.probs)));
    expect(r.prediction).toBe('1');
    expect(r.bars).toBe(10);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await r.page.screenshot({ path: join(ROOT, 'test-artifacts/browser-digits.png') });
    console.log(`browser example: predicted ${r.prediction} (p=${Math.max(...r.probs).toFixed(3)}) on ${r.backend}; screenshot test-artifacts/browser-digits.png`);
    expect(r.errors).toEqual([]);
    // the CPU path (the fallback) gives the same answer
    const c = await drawOne('?backend=cpu');
    expect(c.backend).toBe('cpu');
    expect(c.prediction).toBe('1');
    for (let i = 0; i < 10; i++) expect(Math.abs(c.probs[i]! - r.probs[i]!)).toBeLessThan(1e-3);
    expect(c.errors).toEqual([]);
  });
});
