import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

const nn = tg.nn, F = tg.nn.functional;
const bogus = { bogus: 1 } as object as Record<string, never>;
const x4 = () => tg.randn([1, 2, 5, 5]);

/**
 * Every public call that takes an options object rejects a key it does not know, naming the
 * keys it accepts (a misspelt option must never be silently ignored).
 */
const CALLS: [string, () => unknown][] = [
  ['tensor', () => tg.tensor([1], bogus)],
  ['zeros', () => tg.zeros([1], bogus)],
  ['randn', () => tg.randn([1], bogus)],
  ['arange', () => tg.arange(3, undefined, 1, bogus)],
  ['grad', () => tg.grad([tg.ones([1], { requiresGrad: true }).sum()], [tg.ones([1])], undefined, bogus)],
  ['backward', () => tg.ones([1], { requiresGrad: true }).sum().backward(undefined, bogus)],
  ['jit', () => tg.jit((a: tg.Tensor) => a, bogus)],
  ['whileLoop', () => tg.whileLoop((i) => i.lt(1), (i) => [i.add(1)], [tg.tensor(0)], bogus)],
  ['var', () => tg.variance(tg.ones([3]), 0, bogus)],
  ['conv2d', () => tg.conv2d(x4(), tg.randn([3, 2, 3, 3]), null, bogus)],
  ['conv1d', () => tg.conv1d(tg.randn([1, 2, 5]), tg.randn([3, 2, 3]), null, bogus)],
  ['convTranspose2d', () => tg.convTranspose2d(x4(), tg.randn([2, 3, 3, 3]), null, bogus)],
  ['maxPool2d', () => tg.maxPool2d(x4(), 2, bogus)],
  ['avgPool2d', () => tg.avgPool2d(x4(), 2, bogus)],
  ['crossEntropy', () => F.crossEntropy(tg.randn([2, 3]), tg.tensor([0, 1], { dtype: 'int32' }), bogus)],
  ['nllLoss', () => F.nllLoss(tg.randn([2, 3]), tg.tensor([0, 1], { dtype: 'int32' }), bogus)],
  ['binaryCrossEntropy', () => F.binaryCrossEntropy(tg.rand([2]), tg.rand([2]), bogus)],
  ['binaryCrossEntropyWithLogits', () => F.binaryCrossEntropyWithLogits(tg.randn([2]), tg.rand([2]), bogus)],
  ['klDiv', () => F.klDiv(tg.randn([2]), tg.rand([2]), bogus)],
  ['Linear', () => new nn.Linear(2, 2, bogus)],
  ['Embedding', () => new nn.Embedding(4, 2, bogus)],
  ['Conv2d', () => new nn.Conv2d(2, 2, 3, bogus)],
  ['ConvTranspose2d', () => new nn.ConvTranspose2d(2, 2, 3, bogus)],
  ['MaxPool2d', () => new nn.MaxPool2d(2, bogus)],
  ['AvgPool2d', () => new nn.AvgPool2d(2, bogus)],
  ['BatchNorm2d', () => new nn.BatchNorm2d(2, bogus)],
  ['GroupNorm', () => new nn.GroupNorm(1, 2, bogus)],
  ['InstanceNorm2d', () => new nn.InstanceNorm2d(2, bogus)],
  ['LSTM', () => new nn.LSTM(2, 2, bogus)],
  ['RNN', () => new nn.RNN(2, 2, bogus)],
  ['MultiheadAttention', () => new nn.MultiheadAttention(4, 2, bogus)],
  ['MultiheadAttention.forward', () => { const q = tg.randn([3, 1, 4]); return new nn.MultiheadAttention(4, 2).forward(q, q, q, bogus); }],
  ['CrossEntropyLoss', () => new nn.CrossEntropyLoss(bogus)],
  ['BCEWithLogitsLoss', () => new nn.BCEWithLogitsLoss(bogus)],
  ['KLDivLoss', () => new nn.KLDivLoss(bogus)],
  ['SGD', () => new tg.optim.SGD([tg.ones([1], { requiresGrad: true })], { lr: 0.1, ...bogus })],
  ['StepLR', () => new tg.optim.StepLR(new tg.optim.SGD([tg.ones([1], { requiresGrad: true })], { lr: 0.1 }), { stepSize: 1, ...bogus })],
  ['CosineAnnealingLR', () => new tg.optim.CosineAnnealingLR(new tg.optim.SGD([tg.ones([1], { requiresGrad: true })], { lr: 0.1 }), { tMax: 1, ...bogus })],
  ['DataLoader', () => new tg.data.DataLoader(new tg.data.TensorDataset(tg.ones([2, 1])), bogus)],
  ['onnx.export', () => tg.onnx.export((a: tg.Tensor) => a.add(1), [tg.ones([1])], bogus)],
];

describe('options objects', () => {
  it.each(CALLS)('%s rejects an unknown option and names the accepted ones', (where, call) => {
    expect(call).toThrow(tg.ValueError);
    expect(call).toThrow(new RegExp(`${where.replace('.', '\\.')}.*unknown option 'bogus' \\(accepted: \\w+`));
  });

  it('the creation functions do not take a shape option (their shape is an argument)', () => {
    expect(() => tg.zeros([2], { shape: [3] })).toThrow(/zeros: unknown option 'shape' \(accepted: dtype, requiresGrad\)/);
    expect(tg.tensor(new Float32Array(4), { shape: [2, 2] }).shape).toEqual([2, 2]);
  });

  it('convTranspose2d takes an output padding below the dilation, as torch does', () => {
    const y = tg.convTranspose2d(tg.ones([1, 1, 3, 3]), tg.ones([1, 1, 3, 3]), null, { stride: 1, dilation: 2, outputPadding: 1 });
    expect(y.shape).toEqual([1, 1, 8, 8]);
  });
});
