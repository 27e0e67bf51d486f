// Browser side of `npm run bench -- webgpu` (bench/webgpu.ts serves it): in one page, on the
// page's WebGPU adapter, each model runs on our WebGPU backend, our CPU backend,
// onnxruntime-web's WebGPU EP (models from ONNX) and LiteRT.js's WebGPU accelerator.
// Every figure: the median of one inference (inputs from JS, outputs read back to JS), the best of 3 rounds taken in turn.

const get = async (url) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
};

function input(info, k) {
  const n = info.shape.reduce((a, d) => a * d, 1);
  let s = 12345 + k;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  if (info.dtype === 'int8') return Int8Array.from({ length: n }, () => Math.round(next() * 127));
  if (info.dtype === 'uint8') return Uint8Array.from({ length: n }, () => Math.round((next() + 1) * 127));
  return Float32Array.from({ length: n }, next);
}

/** Median ms of `fn` after `warmup` runs, over at least `iters` runs or `minMs` of running. */
async function time(fn, { warmup, iters, minMs }) {
  for (let i = 0; i < warmup; i++) await fn();
  const ts = [];
  const t0 = performance.now();
  while (ts.length < iters || (performance.now() - t0 < minMs && ts.length < 200)) {
    const a = performance.now();
    await fn();
    ts.push(performance.now() - a);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

const maxDiff = (a, b) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i]) - Number(b[i])));
  return m;
};

export async function benchAll({ entry, models, warmup = 3, iters = 10, minMs = 600, rounds = 3 }) {
  const opts = { warmup, iters, minMs };
  const lite = await import(`/${entry}`);
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter.info ?? {};
  const env = { adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' '), features: [...adapter.features].sort(), userAgent: navigator.userAgent };
  let ort = null, ortError = null;
  try {
    ort = await import('/ort/ort.webgpu.min.mjs');
    ort.env.wasm.wasmPaths = '/ort/';
    ort.env.wasm.numThreads = 1;
  } catch (e) { ortError = String(e?.message ?? e); }
  let lr = null, lrError = null;
  try { lr = await window.LR.init({ wasmPath: '/wasm/' }); } catch (e) { lrError = String(e?.message ?? e); }
  env.litert = lr;
  const rows = [];
  for (const m of models) {
    const row = { name: m.name, notes: [] };
    rows.push(row);
    const bytes = await get(m.tflite);
    const c = await lite.loadModel(bytes, { backend: 'cpu' });
    const inputs = c.inputs.map((t, k) => input(t, k));
    const [ref] = await c.run(inputs, { dequantize: true });
    const q = c.outputs[0].quantization;
    const timers = { cpu: () => time(() => c.run(inputs), opts) };
    const cleanup = [() => c.dispose()];
    try {
      const g = await lite.loadModel(bytes, { backend: 'webgpu' });
      const plan = g.backendPlan;
      row.plan = { cpuOps: plan.cpuOps.map((o) => o.op), dispatches: plan.dispatches, fused: plan.fusedOps };
      const [y] = await g.run(inputs, { dequantize: true });
      row.gpuDiff = maxDiff(y.data, ref.data);
      timers.gpu = () => time(() => g.run(inputs), opts);
      cleanup.push(() => g.dispose());
    } catch (e) { row.notes.push(`ours webgpu: ${e?.message ?? e}`); }
    if (m.onnx && ort) {
      try {
        const s = await ort.InferenceSession.create(await get(m.onnx), { executionProviders: ['webgpu'] });
        const feeds = {};
        s.inputNames.forEach((n, k) => { feeds[n] = new ort.Tensor('float32', inputs[k], m.onnxShapes?.[k] ?? c.inputs[k].shape); });
        const out = await s.run(feeds);
        row.ortDiff = maxDiff(out[s.outputNames[0]].data, ref.data);
        timers.ort = () => time(() => s.run(feeds), opts);
        cleanup.push(() => s.release());
      } catch (e) { row.notes.push(`onnxruntime-web webgpu: ${e?.message ?? e}`); }
    } else if (m.onnx) row.notes.push(`onnxruntime-web: ${ortError}`);
    if (lr) {
      try {
        const h = await window.LR.compile(m.tflite, { accelerator: 'webgpu' });
        row.litertFull = h.fullyAccelerated;
        const lin = inputs.map((x) => ({ data: Array.from(x) }));
        const [o] = await window.LR.run(h.id, lin);
        const real = q ? o.data.map((v) => q.scale[0] * (v - q.zeroPoint[0])) : o.data;
        row.litertDiff = maxDiff(real, ref.data);
        let n = iters;
        timers.litert = async () => {
          const b = await window.LR.bench(h.id, lin, { warmup, iters: n });
          n = Math.max(iters, Math.min(200, Math.ceil(minMs / Math.max(b.medianMs, 0.01))));
          return b.medianMs;
        };
        cleanup.push(() => window.LR.free(h.id));
      } catch (e) { row.notes.push(`LiteRT.js webgpu: ${String(e?.message ?? e).split('\n')[0]}`); }
    } else row.notes.push(`LiteRT.js: ${lrError}`);
    // rounds over the backends in turn; each figure is the best round's median (other load on the machine moves single rounds)
    for (let r = 0; r < rounds; r++) {
      for (const [k, fn] of Object.entries(timers)) {
        try { const v = await fn(); row[k] = Math.min(row[k] ?? Infinity, v); } catch (e) { row.notes.push(`${k}: ${e?.message ?? e}`); delete timers[k]; }
      }
    }
    for (const f of cleanup) await f();
  }
  return { env, rows };
}
