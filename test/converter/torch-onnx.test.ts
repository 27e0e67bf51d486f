import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { convert } from '../../converter/index.js';
import { maxRelDiff, randomData, runLite } from './helpers.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx');
const files = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).sort();

/** Runs an ONNX model in onnxruntime-node (one thread) on float inputs. */
export async function ortRun(bytes: Uint8Array, inputs: Record<string, { data: Float32Array; shape: number[] }>): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) feeds[k] = new ort.Tensor('float32', v.data, v.shape);
  const res = await s.run(feeds);
  return s.outputNames.map((n) => Float32Array.from(res[n].data as Float32Array));
}

describe('PyTorch-exported ONNX models (test/fixtures/onnx, made by scripts/fixtures/onnx_models.py)', () => {
  for (const f of files) {
    it(`${f}: converted float32 matches onnxruntime-node to 1e-4`, async () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, f)));
      const tfl = await convert(bytes);
      const session = await ort.InferenceSession.create(bytes);
      const name = session.inputNames[0];
      const { loadModel } = await import('../../lite-runtime/index.js');
      const m = await loadModel(tfl);
      const shape = m.inputs[0].shape;
      m.dispose();
      const x = randomData(shape.reduce((a, b) => a * b, 1), 7);
      const [want] = await ortRun(bytes, { [name]: { data: x, shape } });
      const [got] = await runLite(tfl, [x]);
      expect(maxRelDiff(got, want)).toBeLessThan(1e-4);
    });
  }
});
