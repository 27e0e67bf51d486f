import * as tg from '../../training/index.js';
import * as ort from 'onnxruntime-node';
import { loadModel } from '../../lite-runtime/index.js';
import { convert } from '../../converter/index.js';

/** Runs .tflite bytes in the lite runtime on float inputs; outputs as Float32Arrays (int outputs widened). */
export async function runLite(bytes: Uint8Array, inputs: readonly (Float32Array | Int32Array)[]): Promise<Float32Array[]> {
  const model = await loadModel(bytes, { backend: 'cpu' });
  try {
    const outs = await model.run([...inputs]);
    return outs.map((o) => Float32Array.from(o.data as ArrayLike<number>));
  } finally {
    model.dispose();
  }
}

/** Largest |a - b| / max(1, |b|) over two arrays (relative where values are large). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

/** Seeded uniform [-1, 1) data. */
export function randomData(n: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296) * 2 - 1;
  });
}

export { tg };

/** Runs an ONNX model in onnxruntime-node (one thread) on float inputs. */
export async function ortRun(bytes: Uint8Array, inputs: Record<string, { data: Float32Array; shape: number[] }>): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) feeds[k] = new ort.Tensor('float32', v.data, v.shape);
  const res = await s.run(feeds);
  return s.outputNames.map((n) => Float32Array.from(res[n].data as Float32Array));
}


/** Full int8 conversion of ONNX `bytes`, calibrated on `samples` seeded inputs; int8 I/O. */
export async function convertInt8(bytes: Uint8Array, samples: number) {
  const fm = await loadModel(await convert(bytes));
  const specs = fm.inputs;
  fm.dispose();
  const calibration = Array.from({ length: samples }, (_, s) => specs.map((i) => randomData(i.shape.reduce((a, b) => a * b, 1), s + 1)));
  const t0 = performance.now();
  const q = await convert(bytes, { quantize: 'int8', calibration, ioDtype: 'int8' });
  return { q, ms: performance.now() - t0, specs };
}
