import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { maxRelDiff, ortRun, randomData, runLite } from './helpers.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx');
const files = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).sort();

describe('PyTorch-exported ONNX models (test/fixtures/onnx, made by scripts/fixtures/onnx_models.py)', () => {
  for (const f of files) {
    it(`${f}: converted float32 matches onnxruntime-node to 1e-4`, async () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, f)));
      const tfl = await convert(bytes);
      const { loadModel } = await import('../../lite-runtime/index.js');
      const m = await loadModel(tfl);
      const shape = m.inputs[0].shape;
      m.dispose();
      const x = randomData(shape.reduce((a, b) => a * b, 1), 7);
      const [want] = await ortRun(bytes, { input: { data: x, shape } });
      const [got] = await runLite(tfl, [x]);
      expect(maxRelDiff(got, want)).toBeLessThan(1e-4);
    });
  }
});
