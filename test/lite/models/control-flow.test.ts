/**
 * IF, WHILE and an IF nested in a WHILE body against the real TFLite runtime
 * (fixture test/fixtures/lite/models/control_flow.json from scripts/fixtures/tflite-models.mjs).
 * LESS comes from the test ops (the CPU backend has no comparison ops).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../lite-runtime/index.js';
import { TEST_OPS } from '../interpreter/helpers.js';
import { decode, maxAbsDiff, nums, type FixtureTensor } from './shared.js';

interface ControlFixture {
  models: { name: string; model: string; cases: { inputs: FixtureTensor[]; outputs: FixtureTensor[] }[] }[];
}

const fx = JSON.parse(readFileSync(new URL('../../fixtures/lite/models/control_flow.json', import.meta.url), 'utf8')) as ControlFixture;

describe('control flow matches the real TFLite runtime', () => {
  for (const m of fx.models) {
    it(m.name, async () => {
      const model = await loadModel(new Uint8Array(Buffer.from(m.model, 'base64')), { ops: TEST_OPS });
      for (const c of m.cases) {
        const out = await model.run(c.inputs.map(decode));
        out.forEach((o, k) => {
          const want = c.outputs[k]!;
          expect(o.shape).toEqual(want.shape);
          expect(maxAbsDiff(nums(o), want.data!), `${m.name}: got ${nums(o)} want ${want.data}`).toBeLessThanOrEqual(1e-6);
        });
      }
    });
  }
});
