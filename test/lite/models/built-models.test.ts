/**
 * Models built with our writer, against the real TFLite runtime (fixtures from
 * scripts/fixtures/tflite-models.mjs): control flow (IF, WHILE, IF nested in a WHILE
 * body; LESS comes from the test ops, the CPU backend has no comparison ops) and random
 * float32 and int8 DAGs and NHWC conv nets (residual adds, pools, strides, SAME/VALID)
 * whose fan-out and long-lived tensors exercise lifetimes and arena reuse.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel, parseModel } from '../../../lite-runtime/index.js';
import { TEST_OPS } from '../interpreter/helpers.js';
import { decode, maxAbsDiff, nums, type FixtureTensor } from './shared.js';

interface BuiltFixture {
  models: { name: string; model: string; cases: { inputs: FixtureTensor[]; outputs: FixtureTensor[] }[] }[];
}

const load = (file: string): BuiltFixture =>
  JSON.parse(readFileSync(new URL(`../../fixtures/lite/models/${file}`, import.meta.url), 'utf8')) as BuiltFixture;

function check(fx: BuiltFixture, tol: number): void {
  for (const m of fx.models) {
    it(m.name, async () => {
      const bytes = new Uint8Array(Buffer.from(m.model, 'base64'));
      const model = await loadModel(bytes, { ops: TEST_OPS });
      for (const c of m.cases) {
        const out = await model.run(c.inputs.map(decode));
        expect(out.length).toBe(c.outputs.length);
        out.forEach((o, k) => {
          const want = c.outputs[k]!;
          expect(o.shape).toEqual(want.shape);
          // float: relative to the largest value; int8: within `tol` quantization steps
          const scale = want.dtype === 'float32' ? Math.max(1, ...want.data!.map(Math.abs)) : 1;
          expect(maxAbsDiff(nums(o), want.data!), `${m.name} output ${k}: got ${nums(o)} want ${want.data}`).toBeLessThanOrEqual(want.dtype === 'float32' ? tol * scale : 1);
        });
      }
      if (m.name.includes('dag')) {
        // The arena holds fewer bytes than all activations side by side: memory was reused.
        const sg = parseModel(bytes).subgraphs[0]!;
        const all = sg.tensors.filter((t) => !t.data).reduce((n, t) => n + 16 * Math.ceil(t.shape.reduce((a, b) => a * b, t.dtype === 'int8' ? 1 : 4) / 16), 0);
        expect(model.memory.arenaBytes).toBeLessThan(all);
      }
    });
  }
}

describe('control flow matches the real TFLite runtime', () => check(load('control_flow.json'), 1e-6));
describe('random DAGs and conv nets (float32, int8) match the real TFLite runtime', () => check(load('dags.json'), 1e-5));
