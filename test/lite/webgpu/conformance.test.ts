/**
 * The CPU backend's op conformance cases (test/fixtures/lite/conformance, reference outputs
 * from the real TFLite runtime) run on the WebGPU backend (Dawn on SwiftShader). Ops with a
 * GPU kernel must run there (checked through `model.backendPlan`); the rest fall back to the
 * CPU kernels and must still give the same results.
 *
 * Tolerances (|ours - ref|, per element): float32 `TOL[op] * max(1, |ref|)`, 1e-5 by default
 * (exact ops: data movement, clamps, add/mul), 1e-4 where the GPU sums in another order or
 * uses its own transcendental functions (matmul, conv, pools, reductions, softmax, exp/log/tanh...);
 * quantized outputs within `QTOL[op]` steps (1 by default: the GPU computes int8 ops in float on
 * dequantized weights and fake-quantizes each output), int32/bool exact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, type LiteDType, type OutputTensor, type TypedArray } from '../../../lite-runtime/index.js';
import { GPU_KERNELS } from '../../../lite-runtime/backends/webgpu/kernels.js';
import { BuiltinOp } from '../../../lite-runtime/format/schema.js';
import { loadFixtures, type FixtureCase, type FixtureTensor } from '../conformance/run-case.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();

const LOOSE = 'FULLY_CONNECTED BATCH_MATMUL CONV_2D DEPTHWISE_CONV_2D TRANSPOSE_CONV AVERAGE_POOL_2D MEAN SUM SOFTMAX LOG_SOFTMAX '
  + 'L2_NORMALIZATION EXP LOG LOGISTIC TANH GELU ELU RSQRT SQRT POW DIV HARD_SWISH';
export const TOL: Record<string, number> = Object.fromEntries(LOOSE.split(' ').map((op) => [op, 1e-4]));
/** Quantization steps allowed for quantized outputs (float math on dequantized weights, rounding at each output). */
export const QTOL: Record<string, number> = { CONV_2D: 2, DEPTHWISE_CONV_2D: 2, FULLY_CONNECTED: 2, BATCH_MATMUL: 2, MEAN: 2, SUM: 2, SOFTMAX: 2, LOGISTIC: 2, TANH: 2 };

const CTOR: Partial<Record<LiteDType, new (n: number[]) => TypedArray>> = {
  float32: Float32Array as never, int8: Int8Array as never, uint8: Uint8Array as never, int16: Int16Array as never,
  int32: Int32Array as never, bool: Uint8Array as never,
};
function toTyped(t: FixtureTensor): TypedArray {
  if (t.dtype === 'int64') return BigInt64Array.from(t.data, (v) => BigInt(v));
  return new CTOR[t.dtype]!(t.data);
}

function compare(op: string, c: FixtureCase, got: OutputTensor[]): string | null {
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

const fixtures = loadFixtures();
const onGpu = new Map<string, number>();
afterAll(() => {
  if (gpu) console.log(`webgpu conformance: ops run on the GPU: ${[...onGpu].map(([op, n]) => `${op} ${n}`).join(', ')}`);
});

describe.skipIf(!gpu)('webgpu op conformance', () => {
  for (const file of fixtures) {
    const code = (BuiltinOp as Record<string, number>)[file.op];
    const hasKernel = code !== undefined && GPU_KERNELS.has(code);
    describe(file.op, () => {
      for (const c of file.cases) {
        it(`${c.name} (${c.dtype})`, async () => {
          const model = await loadModel(Buffer.from(c.model, 'base64'), { backend: 'webgpu', gpu });
          try {
            const outs = await model.run(c.inputs.map((t) => ({ data: toTyped(t), shape: t.shape })));
            expect(compare(file.op, c, outs) ?? 'ok').toBe('ok');
            const plan = model.backendPlan;
            if (plan.gpuOps > 0) onGpu.set(file.op, (onGpu.get(file.op) ?? 0) + 1);
            if (hasKernel && c.dtype === 'float32') expect(plan.cpuOps.filter((o) => o.op === file.op)).toEqual([]);
          } finally {
            model.dispose();
          }
        });
      }
    });
  }
});
