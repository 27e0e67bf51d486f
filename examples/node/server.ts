/**
 * The worker's HTTP API (examples/worker/src/serve.ts) on node:http, for a model file
 * beside this script (`tglite bundle model.tflite --target node` writes both).
 *   node server.mjs [--port 8787] [--model model.tflite]
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../worker/src/runtime.js';
import { createHandler } from '../worker/src/serve.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const modelPath = arg('model') ?? join(dirname(fileURLToPath(import.meta.url)), 'model.tflite');
const handle = createHandler(() => loadModel(readFileSync(modelPath), { backend: 'cpu' }));

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    void handle(new Request(`http://localhost${req.url ?? '/'}`, { method: req.method, headers, body })).then(async (r) => {
      res.writeHead(r.status, Object.fromEntries(r.headers as unknown as Iterable<[string, string]>));
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
});
server.listen(Number(arg('port') ?? 8787), '127.0.0.1', () => {
  const a = server.address();
  console.log(`serving ${modelPath} on http://127.0.0.1:${typeof a === 'object' && a ? a.port : '?'} (GET /model, POST /predict)`);
});
