/**
 * The digits CNN trained with tglite (examples/train-digits.ts, 2 epochs), converted to
 * full int8 with calibration on 64 training samples: about 4x smaller than float32, and on
 * the held-out split of training (seed 0, 20%) its accuracy stays within a point of float32,
 * with int8 and with float32 inputs/outputs. The report lists every tensor's SQNR.
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { loadModel } from '../../lite-runtime/index.js';
import { loadDigits, permutation, trainDigits } from '../../examples/train-digits.js';
import { tg } from './helpers.js';

describe('digits CNN trained with tglite, int8', { timeout: 300_000 }, () => {
  it('is about 4x smaller than float32 and within a point of its held-out accuracy', async () => {
    const data = loadDigits();
    const { model, testSize } = await trainDigits({ epochs: 2, checkpoint: null, progress: 'none', data });
    model.eval();
    const n = data.images.shape[0];
    const order = permutation(n, 0);
    const xs = data.images.data() as Float32Array, ys = data.labels.data() as Int32Array;
    const sample = (i: number) => xs.slice(i * 64, (i + 1) * 64);
    const test = order.subarray(0, testSize), train = order.subarray(testSize);
    const calibration = Array.from(train.subarray(0, 64), (i) => [sample(i)]);
    const source = { model, inputs: [tg.narrow(data.images, 0, 0, 1)] };
    const float = await convert(source);
    const accuracy = async (bytes: Uint8Array) => {
      const lite = await loadModel(bytes);
      let correct = 0;
      for (const i of test) {
        const [y] = lite.runSync([sample(i)], { dequantize: true });
        const row = Array.from(y.data as Float32Array);
        correct += +(row.indexOf(Math.max(...row)) === ys[i]);
      }
      lite.dispose();
      return correct / test.length;
    };
    const accFloat = await accuracy(float);
    for (const ioDtype of ['int8', 'float32'] as const) {
      const q = await convert(source, { quantize: 'int8', calibration, ioDtype });
      expect(q.length / float.length).toBeLessThan(0.3);
      expect(q.report.opsAfter.QUANTIZE ?? 0).toBe(ioDtype === 'int8' ? 0 : 1);
      expect(q.report.opsAfter.DEQUANTIZE ?? 0).toBe(ioDtype === 'int8' ? 0 : 1);
      expect(q.report.floatOps).toEqual([]);
      const errs = q.report.quantError;
      expect(errs.length).toBeGreaterThan(5);
      for (let k = 1; k < errs.length; k++) expect(errs[k].sqnrDb).toBeGreaterThanOrEqual(errs[k - 1].sqnrDb);
      const out = errs.find((e) => e.tensor.startsWith(q.report.outputNames[0]));
      expect(out?.sqnrDb).toBeGreaterThan(20);
      expect(q.report.keepFloatCandidates!.length).toBeGreaterThan(0);
      const acc = await accuracy(q);
      console.log(`digits int8 (${ioDtype} I/O): ${q.length} bytes vs ${float.length} float32 (${(float.length / q.length).toFixed(2)}x); ` +
        `held-out accuracy ${(100 * acc).toFixed(2)}% vs ${(100 * accFloat).toFixed(2)}% on ${test.length}; output SQNR ${out?.sqnrDb.toFixed(1)} dB`);
      expect(Math.abs(acc - accFloat)).toBeLessThanOrEqual(0.01);
    }
  });
});
