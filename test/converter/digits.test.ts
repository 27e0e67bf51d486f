/**
 * The digits CNN trained with tglite (examples/train-digits.ts, 2 epochs), converted at
 * each weight quantization level and run in the lite runtime: float32 matches eager to
 * 1e-5; float16 is about half the size; dynamic (int8 weights) about a quarter, and their
 * accuracy on the first 200 samples stays within a point of float32.
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { loadModel } from '../../lite-runtime/index.js';
import { trainDigits, loadDigits } from '../../examples/train-digits.js';
import { maxRelDiff, tg } from './helpers.js';

describe('digits CNN trained with tglite', { timeout: 300_000 }, () => {
  it('converts at each level; float32 matches eager to 1e-5', async () => {
    const data = loadDigits();
    const { model } = await trainDigits({ epochs: 2, checkpoint: null, progress: 'none', data });
    model.eval();
    const n = 200;
    const x = tg.narrow(data.images, 0, 0, n);
    const labels = tg.narrow(data.labels, 0, 0, n).data();
    const eager = tg.noGrad(() => model.forward(x)).data() as Float32Array;
    const sizes: Record<string, number> = {};
    const acc: Record<string, number> = {};
    for (const q of ['none', 'float16', 'dynamic'] as const) {
      const tfl = await convert({ model, inputs: [tg.narrow(x, 0, 0, 1)] }, { quantize: q });
      sizes[q] = tfl.length;
      const lite = await loadModel(tfl);
      const out = new Float32Array(n * 10);
      const xs = x.data() as Float32Array;
      for (let i = 0; i < n; i++) {
        const [y] = await lite.run([xs.subarray(i * 64, (i + 1) * 64)]);
        out.set(y.data as Float32Array, i * 10);
      }
      lite.dispose();
      if (q === 'none') expect(maxRelDiff(out, eager)).toBeLessThan(1e-5);
      let correct = 0;
      for (let i = 0; i < n; i++) {
        const row = Array.from(out.subarray(i * 10, i * 10 + 10));
        correct += +(row.indexOf(Math.max(...row)) === labels[i]);
      }
      acc[q] = correct / n;
    }
    expect(sizes.float16 / sizes.none).toBeLessThan(0.6);
    expect(sizes.dynamic / sizes.none).toBeLessThan(0.35);
    expect(Math.abs(acc.dynamic - acc.none)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(acc.float16 - acc.none)).toBeLessThanOrEqual(0.01);
  });
});
