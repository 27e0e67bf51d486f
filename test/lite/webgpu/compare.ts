/**
 * Comparison of WebGPU outputs with a conformance case's reference, with the tolerance per op
 * (see conformance.test.ts); shared by the test and scripts/webgpu-coverage.ts (the WebGPU columns of
 * test/lite/conformance/COVERAGE.md).
 */
import type { LiteDType, OutputTensor, TypedArray } from '../../../lite-runtime/index.js';
import type { FixtureCase, FixtureTensor } from '../conformance/run-case.js';

const LOOSE = 'FULLY_CONNECTED BATCH_MATMUL CONV_2D DEPTHWISE_CONV_2D TRANSPOSE_CONV AVERAGE_POOL_2D MEAN SUM SOFTMAX LOG_SOFTMAX '
  + 'L2_NORMALIZATION EXP LOG LOGISTIC TANH GELU ELU RSQRT SQRT POW DIV HARD_SWISH';
export const TOL: Record<string, number> = Object.fromEntries(LOOSE.split(' ').map((op) => [op, 1e-4]));
/** Quantization steps allowed for quantized outputs (float math on dequantized weights, rounding at each output). */
export const QTOL: Record<string, number> = { CONV_2D: 2, DEPTHWISE_CONV_2D: 2, FULLY_CONNECTED: 2, BATCH_MATMUL: 2, MEAN: 2, SUM: 2, SOFTMAX: 2, LOGISTIC: 2, TANH: 2 };

const CTOR: Partial<Record<LiteDType, new (n: number[]) => TypedArray>> = {
  float32: Float32Array as never, int8: Int8Array as never, uint8: Uint8Array as never, int16: Int16Array as never,
  int32: Int32Array as never, bool: Uint8Array as never,
};
export function toTyped(t: FixtureTensor): TypedArray {
  if (t.dtype === 'int64') return BigInt64Array.from(t.data, (v) => BigInt(v));
  return new CTOR[t.dtype]!(t.data);
}

export function compare(op: string, c: FixtureCase, got: OutputTensor[]): string | null {
  if (got.length !== c.outputs.length) return `${got.length} outputs, reference has ${c.outputs.length}`;
  for (let k = 0; k < got.length; k++) {
    const ref = c.outputs[k]!, out = got[k]!;
    if (out.dtype !== ref.dtype || out.shape.join(',') !== ref.shape.join(',')) return `output ${k}: ${out.dtype}[${out.shape}], reference ${ref.dtype}[${ref.shape}]`;
    const quantized = ref.dtype === 'int8' || ref.dtype === 'uint8' || ref.dtype === 'int16';
    for (let i = 0; i < ref.data.length; i++) {
      const a = Number(out.data[i]), b = ref.data[i]!;
      const tol = ref.dtype === 'float32' ? (TOL[op] ?? 1e-5) * Math.max(1, Math.abs(b)) : quantized ? QTOL[op] ?? 1 : 0;
      if (!(Math.abs(a - b) <= tol) && !(Number.isNaN(a) && Number.isNaN(b))) return `output ${k}[${i}]: ours ${a}, reference ${b} (tolerance ${tol})`;
    }
  }
  return null;
}

