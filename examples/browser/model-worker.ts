/**
 * A Web Worker that runs a .tflite model with the lite runtime, so the page never blocks:
 * WebGPU when the browser has an adapter, else (or when WebGPU fails) the CPU (WASM SIMD).
 * Messages in:  { type: 'load', url, backend?: 'auto' | 'cpu' }  then  { type: 'run', id, inputs: Float32Array[] }
 * Messages out: { type: 'ready', backend, note, inputs, outputs } | { type: 'result', id, outputs, ms } | { type: 'error', id?, message }
 */
import { loadModel, type LiteModel } from '../worker/src/runtime.js';

let model: LiteModel | null = null;
const post = (m: unknown, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

async function load(url: string, backend = 'auto'): Promise<void> {
  const bytes = await (await fetch(url)).arrayBuffer();
  let note = '';
  if (backend === 'cpu') {
    note = 'CPU requested';
  } else if ((navigator as { gpu?: unknown }).gpu) {
    try {
      model = await loadModel(bytes, { backend: 'webgpu' });
    } catch (e) {
      note = `WebGPU failed (${(e as Error).message}); running on the CPU`;
    }
  } else {
    note = 'no WebGPU in this browser; running on the CPU';
  }
  model ??= await loadModel(bytes, { backend: 'cpu' });
  post({ type: 'ready', backend: model.backend, note, inputs: model.inputs, outputs: model.outputs });
}

self.onmessage = async (ev: MessageEvent) => {
  const m = ev.data as { type: string; url?: string; backend?: string; id?: number; inputs?: Float32Array[] };
  try {
    if (m.type === 'load') await load(m.url!, m.backend);
    else if (m.type === 'run') {
      if (!model) throw new Error('no model loaded');
      const t0 = performance.now();
      const outs = await model.run(m.inputs!, { dequantize: true });
      const ms = performance.now() - t0;
      post({ type: 'result', id: m.id, ms, outputs: outs.map((o) => ({ name: o.name, shape: o.shape, data: o.data })) });
    }
  } catch (e) {
    post({ type: 'error', id: m.id, message: `${(e as Error).name}: ${(e as Error).message}` });
  }
};
