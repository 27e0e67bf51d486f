/**
 * A Cloudflare-style worker serving a .tflite model with the tglite lite runtime.
 * The model is a Data module (an ArrayBuffer) and the kernels a CompiledWasm module
 * (a WebAssembly.Module): nothing is compiled from bytes and nothing is eval'd. The
 * model loads once per isolate, on the first request. Routes: see serve.ts.
 *   curl -X POST localhost:8787/predict -d '{"inputs": [[[[0, 0.5, ...]]]]}'
 */
import modelBytes from './model.tflite';
import kernels from './kernels.wasm';
import { loadModel } from './runtime.js';
import { createHandler } from './serve.js';

const handle = createHandler(() => loadModel(modelBytes, { backend: 'cpu', wasmModule: kernels }));

export default {
  fetch(request: Request): Promise<Response> {
    return handle(request);
  },
};
