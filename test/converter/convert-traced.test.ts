import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { parseModel } from '../../lite-runtime/index.js';
import { maxRelDiff, randomData, runLite, tg } from './helpers.js';

class Cnn extends tg.nn.Module {
  features = new tg.nn.Sequential(
    new tg.nn.Conv2d(1, 8, 3, { padding: 1 }), new tg.nn.BatchNorm2d(8), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2),
    new tg.nn.Conv2d(8, 16, 3, { padding: 1 }), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2),
  );
  classifier = new tg.nn.Sequential(new tg.nn.Linear(16 * 2 * 2, 32), new tg.nn.ReLU(), new tg.nn.Dropout(0.1), new tg.nn.Linear(32, 10));
  forward(x: tg.Tensor): tg.Tensor {
    return this.classifier.forward(this.features.forward(x).reshape([x.shape[0], 16 * 2 * 2]));
  }
}

describe('convert: tg models through ONNX to .tflite', () => {
  it('an MLP matches eager to 1e-5', async () => {
    tg.manualSeed(1);
    const mlp = new tg.nn.Sequential(new tg.nn.Linear(12, 16), new tg.nn.ReLU(), new tg.nn.Linear(16, 4));
    mlp.eval();
    const x = tg.tensor(randomData(2 * 12), { shape: [2, 12] });
    const bytes = await convert({ model: mlp, inputs: [x], inputNames: ['x'], outputNames: ['y'] });
    const [y] = await runLite(bytes, [x.data() as Float32Array]);
    expect(maxRelDiff(y, mlp.forward(x).data() as Float32Array)).toBeLessThan(1e-5);
    const ops = bytes.report.opsAfter;
    expect(ops).toEqual({ FULLY_CONNECTED: 2 });
    const m = parseModel(bytes);
    expect(m.signatures[0].inputs.map((t) => t.name)).toEqual(['x']);
    expect(m.signatures[0].outputs.map((t) => t.name)).toEqual(['y']);
  });

  it('a CNN with batch norm and pools: NHWC, batch norm folded, activations fused, no transposes inside', async () => {
    tg.manualSeed(2);
    const cnn = new Cnn();
    cnn.eval();
    const x = tg.tensor(randomData(2 * 64, 3), { shape: [2, 1, 8, 8] });
    const bytes = await convert({ model: cnn, inputs: [x] });
    const [y] = await runLite(bytes, [x.data() as Float32Array]);
    expect(maxRelDiff(y, cnn.forward(x).data() as Float32Array)).toBeLessThan(1e-5);
    const ops = bytes.report.opsAfter;
    expect(ops.CONV_2D).toBe(2);
    expect(ops.MUL ?? 0).toBe(0);
    expect(ops.RELU ?? 0).toBe(0);
    expect(ops.TRANSPOSE ?? 0).toBeLessThanOrEqual(2); // at the input and before the flatten
  });
});
