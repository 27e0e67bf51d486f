// Cold start probe for bench/lite.ts: a fresh Node process loads one runtime, loads
// one model, runs it once and prints the first output value. The parent times the
// whole process (spawn to exit). Plain JS so no transpiler sits in the measurement.
//   node bench/lite-cold.mjs ours|litert|tfjs|ort MODEL INPUTS.json RUNTIME_PATH
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode, modelPath, inputsPath, runtimePath] = process.argv.slice(2);
const bytes = new Uint8Array(fs.readFileSync(modelPath));
const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8')); // [{ dtype, shape, data }]
const CTOR = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array };
let first;
if (mode === 'ours') {
  const lite = await import(pathToFileURL(runtimePath).href);
  const model = await lite.loadModel(bytes, { backend: 'cpu' });
  const out = await model.run(inputs.map((i) => CTOR[i.dtype].from(i.data)));
  first = Number(out[0].data[0]);
} else if (mode === 'litert' || mode === 'tfjs') {
  const file = mode === 'litert' ? 'litert_node.mjs' : 'tfjs_tflite_node.mjs';
  const mod = await import(pathToFileURL(path.join(runtimePath, file)).href);
  const root = path.resolve(runtimePath, '../../../..'); // <root>/node_modules/.cache/tglite-bench/tflite-reference
  const h = mode === 'litert'
    ? await mod.initLiteRtNode({ wasmDir: path.join(root, 'node_modules/@litertjs/core/wasm/') })
    : await mod.initTfjsTfliteNode({ wasmDir: path.join(root, 'node_modules/@tensorflow/tfjs-tflite/wasm/') });
  const c = await h.compile(bytes, { numThreads: 1 });
  const out = await h.run(c, inputs.map((i) => ({ data: i.data })));
  first = out[0].data[0];
} else if (mode === 'ort') {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(inputs[0].data), inputs[0].shape) });
  first = out[s.outputNames[0]].data[0];
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(JSON.stringify({ first }) + '\n');
process.exit(0);
