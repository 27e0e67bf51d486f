/**
 * Runs a bundled worker (`tglite bundle --target worker`) in a local workerd through
 * miniflare, and load-tests it over loopback HTTP. Used by the tests, `npm run bench
 * worker` and `npm run demo`.
 *
 * ```ts
 * const w = await startWorker('dist/');            // worker.js + model.tflite + kernels.wasm
 * const r = await fetch(new URL('/model', w.url));
 * const stats = await loadTest(w.url, body, { requests: 1000, concurrency: 16 });
 * await w.dispose();
 * ```
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The compatibility date the bundles are run with. */
export const COMPATIBILITY_DATE = '2026-04-01';

/** A worker running in a local workerd. */
export interface LocalWorker {
  /** The worker's loopback address, e.g. http://127.0.0.1:34567/ */
  url: URL;
  dispose(): Promise<void>;
}

/**
 * Starts `dir/worker.js` (or `dir/<script>`) in workerd, with `.tflite` files as Data
 * modules and `.wasm` files as CompiledWasm modules, as the platform loads them.
 */
export async function startWorker(dir: string, script = 'worker.js'): Promise<LocalWorker> {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    scriptPath: join(dir, script), modules: true, modulesRoot: dir, compatibilityDate: COMPATIBILITY_DATE,
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'Data', include: ['**/*.tflite'] }],
  });
  const url = await mf.ready;
  return { url, dispose: () => mf.dispose() };
}

/**
 * Writes `probe.js` beside a worker bundle: it wraps the worker and records every
 * WebAssembly compilation (`new WebAssembly.Module`, `compile`, `instantiate` from
 * bytes, the streaming forms) and instantiation; `GET /__probe` returns them.
 */
export function writeWasmProbe(dir: string): string {
  writeFileSync(join(dir, 'probe.js'), `import worker from './worker.js';
const seen = { compiledFromBytes: [], instances: 0 };
const W = WebAssembly, bytes = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x);
const M = W.Module, I = W.Instance, c = W.compile, i = W.instantiate, cs = W.compileStreaming, is = W.instantiateStreaming;
W.Module = new Proxy(M, { construct(t, a, n) { seen.compiledFromBytes.push('new WebAssembly.Module'); return Reflect.construct(t, a, n); } });
W.Instance = new Proxy(I, { construct(t, a, n) { seen.instances++; return Reflect.construct(t, a, n); } });
W.compile = (...a) => { seen.compiledFromBytes.push('WebAssembly.compile'); return c(...a); };
W.instantiate = (x, ...r) => { if (bytes(x)) seen.compiledFromBytes.push('WebAssembly.instantiate(bytes)'); else seen.instances++; return i(x, ...r); };
if (cs) W.compileStreaming = (...a) => { seen.compiledFromBytes.push('WebAssembly.compileStreaming'); return cs(...a); };
if (is) W.instantiateStreaming = (...a) => { seen.compiledFromBytes.push('WebAssembly.instantiateStreaming'); return is(...a); };
export default {
  fetch(req, env, ctx) {
    if (new URL(req.url).pathname === '/__probe') return new Response(JSON.stringify(seen), { headers: { 'content-type': 'application/json' } });
    return worker.fetch(req, env, ctx);
  },
};
`);
  return 'probe.js';
}

/** Static checks of a worker bundle: no embedded wasm bytes, no eval / new Function. */
export function scanWorkerBundle(dir: string): string[] {
  const code = readFileSync(join(dir, 'worker.js'), 'utf8');
  const found: string[] = [];
  if (/AGFzbQ[A-Za-z0-9+/]{40,}/.test(code)) found.push('embedded wasm bytes (base64 of "\\0asm")');
  if (/\beval\s*\(/.test(code)) found.push('eval(');
  if (/new\s+Function\s*\(/.test(code)) found.push('new Function(');
  return found;
}

/** What a load test measured. */
export interface LoadStats { requests: number; concurrency: number; errors: number; p50: number; p99: number; max: number; totalMs: number; rps: number; firstError?: string }

/**
 * Sends `requests` POST /predict requests over loopback, `concurrency` at a time, each
 * timed from send to the full body; errors are non-200 answers and failed fetches.
 */
export async function loadTest(url: URL, body: string, opts: { requests?: number; concurrency?: number; contentType?: string } = {}): Promise<LoadStats> {
  const requests = opts.requests ?? 1000, concurrency = opts.concurrency ?? 16;
  const target = new URL('/predict', url);
  const times: number[] = [];
  let errors = 0, next = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const lane = async () => {
    while (next < requests) {
      next++;
      const s = performance.now();
      try {
        const r = await fetch(target, { method: 'POST', body, headers: { 'content-type': opts.contentType ?? 'application/json' } });
        const text = await r.text();
        if (r.status !== 200) { errors++; firstError ??= `${r.status} ${text.slice(0, 200)}`; }
      } catch (e) {
        errors++;
        firstError ??= String(e);
      }
      times.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const totalMs = performance.now() - t0;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return { requests, concurrency, errors, p50: q(0.5), p99: q(0.99), max: times[times.length - 1]!, totalMs, rps: requests / (totalMs / 1000), ...(firstError ? { firstError } : {}) };
}
