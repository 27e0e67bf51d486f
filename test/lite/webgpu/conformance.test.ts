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
import { loadModel } from '../../../lite-runtime/index.js';
import { GPU_KERNELS } from '../../../lite-runtime/backends/webgpu/kernels.js';
import { BuiltinOp } from '../../../lite-runtime/format/schema.js';
import { loadFixtures } from '../conformance/run-case.js';
import { compare, toTyped } from './compare.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();

const fixtures = loadFixtures();
const onGpu = new Map<string, number>();
afterAll(() => {
  if (gpu) console.log(`webgpu conformance: ops run on the GPU: ${[...onGpu].map(([op, n]) => `${op} ${n}`).join(', ')}`);
});

describe.skipIf(!gpu)('webgpu op conformance', { timeout: 60_000 }, () => {
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
