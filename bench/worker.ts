/**
 * `npm run bench worker`: the worker template with the digits model, bundled
 * (`tglite bundle --target worker`), in a local workerd (miniflare), 1,000 POST /predict
 * requests at concurrency 16 over loopback: p50/p99 latency, requests/s and the error count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleModel } from '../cli/commands/bundle.js';
import { loadTest, startWorker } from '../examples/worker/local.js';
import type { BenchRow } from './types.js';

export async function benchWorker(): Promise<BenchRow[]> {
  const root = resolve(import.meta.dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'tglite-bench-worker-'));
  try {
    const b = await bundleModel(join(root, 'examples/models/digits.tflite'), 'worker', dir);
    const w = await startWorker(dir);
    try {
      const x = Array.from({ length: 64 }, (_, i) => (i % 9) / 8);
      const body = JSON.stringify({ inputs: { image: x } });
      await loadTest(w.url, body, { requests: 50, concurrency: 4 }); // warm the isolate
      const s = await loadTest(w.url, body, { requests: 1000, concurrency: 16 });
      const note = [`digits CNN (float32), bundle ${(b.gzipBytes / 1024).toFixed(1)} KB gzipped; 1000 requests, concurrency 16, loopback; errors: ${s.errors}${s.firstError ? ` (first: ${s.firstError})` : ''}`];
      if (s.errors > 0) throw new Error(`worker load test: ${s.errors} errors; first: ${s.firstError}`);
      return [
        { name: 'worker POST /predict p50 (c=16)', ours: s.p50, unit: 'ms', peers: {}, notes: note },
        { name: 'worker POST /predict p99 (c=16)', ours: s.p99, unit: 'ms', peers: {} },
        { name: 'worker throughput', ours: s.rps, unit: 'req/s', peers: {} },
        { name: 'worker errors', ours: s.errors, unit: 'errors', peers: {} },
      ];
    } finally {
      await w.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
