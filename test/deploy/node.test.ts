/**
 * `bundleModel(..., 'node')`: server.mjs serves the worker's API on node:http from a
 * plain `node` process (no tsx, no repository files), with the Node runtime's answers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleModel } from '../../cli/commands/bundle.js';
import { loadModel } from '../../lite-runtime/index.js';

const MODEL = resolve(import.meta.dirname, '../../examples/models/digits.tflite');

describe('node bundle', { timeout: 60_000 }, () => {
  it('server.mjs answers GET /model and POST /predict like the runtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tglite-node-'));
    const r = await bundleModel(MODEL, 'node', dir);
    expect(r.main).toBe('server.mjs');
    const child = spawn(process.execPath, [join(dir, 'server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) ok(m[1]!);
        });
        child.on('exit', (code) => fail(new Error(`server exited with ${code}`)));
      });
      const info = await (await fetch(`${url}/model`)).json();
      expect(info.inputs[0].shape).toEqual([1, 1, 8, 8]);
      const x = Array.from({ length: 64 }, (_, i) => (i % 5) / 4);
      const res = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify({ inputs: { image: x } }) });
      expect(res.status).toBe(200);
      const m = await loadModel(readFileSync(MODEL));
      expect((await res.json()).outputs[0].data).toEqual(Array.from(m.runSync([Float32Array.from(x)])[0]!.data as Float32Array));
      m.dispose();
      expect((await fetch(`${url}/predict`, { method: 'POST', body: '{' })).status).toBe(400);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
