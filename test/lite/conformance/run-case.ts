/**
 * Runs one op-conformance fixture case (model written by the tflite writer, outputs
 * from the real TFLite runtime) through our `loadModel`, on a chosen kernel backend,
 * and compares. Shared by ops.test.ts and scripts/lite-coverage.ts.
 *
 * Tolerances: float32 |ours - ref| <= 1e-5 * max(1, |ref|); int8/uint8/int16 within
 * 1 quantization step; int32/int64/bool exact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type LiteDType, type TypedArray } from '../../../lite-runtime/index.js';
import { setKernelBackend, type KernelBackend } from '../../../lite-runtime/kernels/index.js';

export interface FixtureTensor { name: string; dtype: LiteDType; shape: number[]; data: number[] }
export interface FixtureCase {
  name: string;
  dtype: 'float32' | 'int8';
  /** Which real runtime produced `outputs`. */
  ref: string;
  /** Largest difference between LiteRT.js and tfjs-tflite (null when only one ran). */
  agree: number | null;
  /** Dynamic batch: the model declares batch 1 (shape_signature -1) and runs this many rows. */
  batch?: number;
  model: string;
  inputs: FixtureTensor[];
  outputs: FixtureTensor[];
}
export interface FixtureFile {
  op: string;
  cases: FixtureCase[];
  rejected: { name: string; dtype: string; errors: string[] }[];
}

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/lite/conformance');

/** Every fixture file, sorted by op name. */
export function loadFixtures(): FixtureFile[] {
  return fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8')) as FixtureFile);
}

const CTOR: Partial<Record<LiteDType, new (n: number[]) => TypedArray>> = {
  float32: Float32Array as never, int8: Int8Array as never, uint8: Uint8Array as never, int16: Int16Array as never,
  int32: Int32Array as never, bool: Uint8Array as never, float64: Float64Array as never,
};

function toTyped(t: FixtureTensor): TypedArray {
  if (t.dtype === 'int64') return BigInt64Array.from(t.data, (v) => BigInt(v));
  const C = CTOR[t.dtype];
  if (!C) throw new Error(`fixture input dtype ${t.dtype} not handled`);
  return new C(t.data);
}

export interface CaseResult {
  ok: boolean;
  /** Why it failed: an error thrown by our runtime, or the first mismatch. */
  detail?: string;
  /** Largest |ours - ref| over all outputs (NaN when it did not run). */
  maxErr: number;
}

function compare(c: FixtureCase, got: { dtype: LiteDType; shape: number[]; data: TypedArray }[]): CaseResult {
  if (got.length !== c.outputs.length) return { ok: false, maxErr: NaN, detail: `${got.length} outputs, reference has ${c.outputs.length}` };
  let maxErr = 0;
  for (let k = 0; k < got.length; k++) {
    const ref = c.outputs[k]!, out = got[k]!;
    if (out.dtype !== ref.dtype) return { ok: false, maxErr: NaN, detail: `output ${k}: dtype ${out.dtype}, reference ${ref.dtype}` };
    if (out.shape.join(',') !== ref.shape.join(',')) {
      return { ok: false, maxErr: NaN, detail: `output ${k}: shape [${out.shape}], reference [${ref.shape}]` };
    }
    const quantized = ref.dtype === 'int8' || ref.dtype === 'uint8' || ref.dtype === 'int16';
    for (let i = 0; i < ref.data.length; i++) {
      const a = Number(out.data[i]), b = ref.data[i]!;
      const err = Math.abs(a - b);
      if (!(err <= maxErr)) maxErr = Number.isNaN(err) ? Infinity : err;
      const tol = ref.dtype === 'float32' ? 1e-5 * Math.max(1, Math.abs(b)) : quantized ? 1 : 0;
      if (!(err <= tol)) {
        return { ok: false, maxErr, detail: `output ${k}[${i}]: ours ${a}, reference ${b} (tolerance ${tol})` };
      }
    }
  }
  return { ok: true, maxErr };
}

/** Runs a case with the kernels forced to `backend` ('wasm' or the TypeScript fallback 'js'). */
export async function runCase(c: FixtureCase, backend: KernelBackend): Promise<CaseResult> {
  setKernelBackend(backend);
  try {
    const model = await loadModel(Buffer.from(c.model, 'base64'), { backend: 'cpu' });
    try {
      const outs = await model.run(c.inputs.map((t) => ({ data: toTyped(t), shape: t.shape })));
      return compare(c, outs);
    } finally {
      model.dispose();
    }
  } catch (e) {
    return { ok: false, maxErr: NaN, detail: `${(e as Error).name}: ${(e as Error).message}` };
  } finally {
    if (backend !== 'wasm') setKernelBackend('wasm');
  }
}
