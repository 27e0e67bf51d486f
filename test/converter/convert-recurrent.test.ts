import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { maxRelDiff, randomData, runLite, tg } from './helpers.js';

/** tg.nn recurrent layers export as ONNX LSTM/GRU/RNN nodes; the converter unrolls them back into TFLite ops. */
describe('convert: tg recurrent layers through ONNX LSTM/GRU/RNN to .tflite', () => {
  const cases: [string, () => tg.nn.Module & { forward(x: tg.Tensor): unknown }][] = [
    ['LSTM, 2 layers, bidirectional, batch-first', () => new tg.nn.LSTM(4, 6, { numLayers: 2, bidirectional: true, batchFirst: true })],
    ['GRU, 2 layers', () => new tg.nn.GRU(4, 6, { numLayers: 2, batchFirst: true })],
    ['GRU, bidirectional, no bias', () => new tg.nn.GRU(4, 6, { bidirectional: true, bias: false, batchFirst: true })],
    ['RNN tanh, 2 layers, bidirectional', () => new tg.nn.RNN(4, 6, { numLayers: 2, bidirectional: true, batchFirst: true })],
    ['RNN relu', () => new tg.nn.RNN(4, 6, { nonlinearity: 'relu', batchFirst: true })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: output and final states match eager`, async () => {
      tg.manualSeed(3);
      const layer = make();
      const x = tg.tensor(randomData(2 * 5 * 4, 5), { shape: [2, 5, 4] });
      const fn = (s: tg.Tensor) => layer.forward(s);
      const bytes = await convert({ model: { forward: fn } as never, inputs: [x] });
      const got = await runLite(bytes, [x.data() as Float32Array]);
      const want = [fn(x)].flat(2) as tg.Tensor[];
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => expect(maxRelDiff(got[i], w.data() as Float32Array)).toBeLessThan(1e-4));
    });
  }
});
