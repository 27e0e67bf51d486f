import * as ort from 'onnxruntime-node';
import * as tg from '../../training/index.js';

const ORT_TYPE = { float32: 'float32', int32: 'int32', bool: 'bool' } as const;

/** Runs an ONNX model in onnxruntime-node; outputs as tensors in the model's output order. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, tg.Tensor>): Promise<tg.Tensor[]> {
  // One thread: reductions sum in a fixed order, so comparisons are repeatable.
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(ORT_TYPE[t.dtype], t.data(), [...t.shape]);
  const res = await session.run(inputs);
  return session.outputNames.map((name) => {
    const o = res[name];
    const dtype = o.type === 'float32' ? 'float32' : o.type === 'bool' ? 'bool' : 'int32';
    const data = o.type === 'int64' ? Int32Array.from(o.data as BigInt64Array, Number) : (o.data as Float32Array | Int32Array | Uint8Array);
    return tg.tensor(data, { shape: o.dims.map(Number), dtype });
  });
}
