import { InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { fmtShape, loadModel, type LiteModel, type TensorInfo } from '../../lite-runtime/index.js';
import { nodeGpu } from './gpu.js';

/** Loads a .tflite file for a command, timing the load. */
export async function openModel(path: string, backend: 'cpu' | 'webgpu' = 'cpu'): Promise<{ model: LiteModel; bytes: Uint8Array; loadMs: number }> {
  const bytes = new Uint8Array(await readFile(path));
  const gpu = backend === 'webgpu' ? await nodeGpu() : undefined;
  const t0 = performance.now();
  const model = await loadModel(bytes, { backend, gpu });
  return { model, bytes, loadMs: performance.now() - t0 };
}

/** `float32[1, 96, 96, 1] (scale 0.0039, zero point -128)` */
export function describeTensor(t: TensorInfo): string {
  const q = t.quantization ? ` (scale ${t.quantization.scale.length > 1 ? `${t.quantization.scale.length} per-channel` : t.quantization.scale[0].toPrecision(4)}, zero point ${t.quantization.zeroPoint[0]})` : '';
  const sig = t.shapeSignature?.some((d) => d < 0) ? ` signature ${fmtShape(t.shapeSignature)}` : '';
  return `${t.name}: ${t.dtype}${fmtShape(t.shape)}${sig}${q}`;
}

/** Parses --backend. */
export function backendOption(value: string): 'cpu' | 'webgpu' {
  if (value !== 'cpu' && value !== 'webgpu') throw new InvalidArgumentError('one of cpu, webgpu');
  return value;
}

/** Parses a whole number >= min (for -n, --warmup). */
export function intOption(min: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new InvalidArgumentError(`expected a whole number >= ${min}, got '${value}'`);
    return Number(value);
  };
}

/** Deterministic inputs for a model: uniform in the dtype's usual range. */
export function randomInputs(model: LiteModel, seed = 1): (Float32Array | Int8Array)[] {
  let s = seed >>> 0;
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  return model.inputs.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.dtype === 'int8') return Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128);
    return Float32Array.from({ length: n }, () => next() * 2 - 1);
  });
}
