/**
 * The worker template in the real Workers runtime (workerd through miniflare): the bundle
 * from `bundleModel(..., 'worker')` answers like the Node runtime, never compiles
 * WebAssembly from bytes, serves 1,000 requests at concurrency 16 without an error, and
 * answers bad bodies with 4xx JSON, never a 500 or a crashed isolate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleModel, WORKER_LIMITS } from '../../cli/commands/bundle.js';
import { loadModel } from '../../lite-runtime/index.js';
import { loadTest, scanWorkerBundle, startWorker, writeWasmProbe, type LocalWorker } from '../../examples/worker/local.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MODEL = join(ROOT, 'examples/models/digits.tflite');
const INT8 = join(ROOT, 'test/fixtures/tflite-micro/hello_world_int8.tflite');

/** A deterministic 8x8 image, as nested arrays [1][1][8][8]. */
const image = (seed: number) => [[Array.from({ length: 8 }, (_, y) => Array.from({ length: 8 }, (_, x) => ((x * 7 + y * 13 + seed * 31) % 17) / 16))]];

describe('worker bundle in workerd', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tglite-worker-'));
  let w: LocalWorker;
  const post = (body: BodyInit, type = 'application/json', path = '/predict') =>
    fetch(new URL(path, w.url), { method: 'POST', body, headers: { 'content-type': type } });

  beforeAll(async () => {
    const r = await bundleModel(MODEL, 'worker', dir);
    expect(r.gzipBytes).toBeLessThan(WORKER_LIMITS.free);
    // the code's budget (61 KB gzipped today): the runtime without the WebGPU backend and without embedded wasm
    expect(r.files.find((f) => f.path === 'worker.js')!.gzipBytes).toBeLessThan(80 * 1024);
    expect(readFileSync(join(dir, 'worker.js'), 'utf8')).not.toMatch(/createComputePipeline/);
    w = await startWorker(dir, writeWasmProbe(dir));
  }, 90_000);
  afterAll(async () => {
    await w?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET /model describes the model', async () => {
    const m = await (await fetch(new URL('/model', w.url))).json();
    expect(m.inputs[0]).toMatchObject({ name: 'image', shape: [1, 1, 8, 8], dtype: 'float32' });
    expect(m.outputs[0]).toMatchObject({ name: 'logits', shape: [1, 10], dtype: 'float32' });
    expect(m.backend).toBe('cpu');
  });

  it('predicts what the Node runtime predicts (JSON by position, by name, raw float32)', async () => {
    const node = await loadModel(readFileSync(MODEL));
    for (let s = 0; s < 4; s++) {
      const x = image(s);
      const [want] = node.runSync([Float32Array.from(x.flat(3))]);
      const bodies = [
        await post(JSON.stringify({ inputs: [x] })),
        await post(JSON.stringify({ inputs: { image: x.flat(3) } })),
        await post(Float32Array.from(x.flat(3)), 'application/octet-stream'),
      ];
      for (const r of bodies) {
        expect(r.status).toBe(200);
        const { outputs } = await r.json();
        expect(outputs).toHaveLength(1);
        expect(outputs[0]).toMatchObject({ name: 'logits', shape: [1, 10], dtype: 'float32' });
        // the worker loads the SIMD128 kernels, Node 20 the FMA build: equal up to rounding
        const got = outputs[0].data as number[];
        Array.from(want!.data as Float32Array).forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-5 * (1 + Math.abs(v))));
      }
    }
    node.dispose();
  });

  it('never compiles WebAssembly from bytes: the kernels come from the CompiledWasm module', async () => {
    expect(scanWorkerBundle(dir)).toEqual([]);
    const probe = await (await fetch(new URL('/__probe', w.url))).json();
    expect(probe.compiledFromBytes).toEqual([]);
    expect(probe.instances).toBe(1); // the imported module, instantiated once per isolate
  });

  it('answers bad bodies with 4xx JSON errors, and keeps serving', async () => {
    const x = image(0);
    const cases: [BodyInit, string, number, string][] = [
      ['not json', 'application/json', 400, 'bad_json'],
      ['[1, 2]', 'application/json', 400, 'bad_request'],
      ['{"x": 1}', 'application/json', 400, 'bad_request'],
      [JSON.stringify({ inputs: [x], extra: 1 }), 'application/json', 400, 'bad_request'],
      [JSON.stringify({ inputs: [x, x] }), 'application/json', 400, 'bad_inputs'],
      [JSON.stringify({ inputs: { nope: x } }), 'application/json', 400, 'bad_inputs'],
      [JSON.stringify({ inputs: {} }), 'application/json', 400, 'bad_inputs'],
      [JSON.stringify({ inputs: 5 }), 'application/json', 400, 'bad_inputs'],
      [JSON.stringify({ inputs: [[1, 2, 3]] }), 'application/json', 400, 'bad_shape'],
      [JSON.stringify({ inputs: [[[1, 2], [3]]] }), 'application/json', 400, 'bad_shape'],
      [JSON.stringify({ inputs: [[['a', 'b']]] }), 'application/json', 400, 'bad_input'],
      [JSON.stringify({ inputs: [null] }), 'application/json', 400, 'bad_input'],
      [JSON.stringify({ inputs: [x], raw: 'yes' }), 'application/json', 400, 'bad_request'],
      ['{"inputs": [[1e400]]}', 'application/json', 400, 'bad_input'],
      [`{"inputs": [${'['.repeat(5000)}${']'.repeat(5000)}]}`, 'application/json', 400, 'bad_shape'],
      [new Float32Array(63), 'application/octet-stream', 400, 'bad_shape'],
      [new Uint8Array(7), 'application/octet-stream', 400, 'bad_shape'],
      ['x'.repeat(200_000), 'application/json', 413, 'body_too_large'],
      ['<a/>', 'application/xml', 415, 'unsupported_media_type'],
    ];
    for (const [body, type, status, code] of cases) {
      // A 413 answers before the upload ends, and the connection may then be reset under the client
      // (a race of loopback HTTP, not of the worker): such a request is sent again, at most twice.
      let r: Response | undefined;
      for (let attempt = 0; !r; attempt++) {
        try { r = await post(body, type); } catch (e) { if (status !== 413 || attempt === 2) throw e; }
      }
      const j = await r.json();
      expect({ status: r.status, code: j.error?.code }, String(body).slice(0, 60)).toEqual({ status, code });
      expect(j.error.message.length).toBeGreaterThan(10);
    }
    expect((await fetch(new URL('/predict', w.url))).status).toBe(405);
    expect((await fetch(new URL('/nope', w.url))).status).toBe(404);
    const ok = await post(JSON.stringify({ inputs: [x] }));
    expect(ok.status).toBe(200);
  });

  it('serves 1,000 requests at concurrency 16 over loopback with no error', async () => {
    const stats = await loadTest(w.url, JSON.stringify({ inputs: [image(1)] }), { requests: 1000, concurrency: 16 });
    console.log(`worker load test: ${stats.requests} requests, concurrency ${stats.concurrency}: p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms, ${stats.rps.toFixed(0)} req/s, ${stats.errors} errors`);
    expect(stats.errors, stats.firstError).toBe(0);
  });
});

describe('worker bundle of an int8 model', { timeout: 60_000 }, () => {
  it('quantizes float inputs with the input parameters; "raw" passes quantized values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tglite-worker-int8-'));
    await bundleModel(INT8, 'worker', dir);
    const w = await startWorker(dir);
    try {
      const node = await loadModel(readFileSync(INT8));
      const post = (b: unknown) => fetch(new URL('/predict', w.url), { method: 'POST', body: JSON.stringify(b) });
      const f = await (await post({ inputs: [[[1.5]]], dequantize: true })).json();
      const [want] = node.runSync([new Float32Array([1.5])], { dequantize: true });
      expect(f.outputs[0].data).toEqual(Array.from(want!.data as Float32Array));
      expect(Math.abs(f.outputs[0].data[0] - Math.sin(1.5))).toBeLessThan(0.1);
      const raw = await (await post({ inputs: [[[3]]], raw: true })).json();
      expect(raw.outputs[0].dtype).toBe('int8');
      expect(raw.outputs[0].data).toEqual(Array.from(node.runSync([[3]])[0]!.data as Int8Array));
      const bad = await post({ inputs: [[[300]]], raw: true });
      expect(bad.status).toBe(400);
      node.dispose();
    } finally {
      await w.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
