import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { gradcheck, runTorchCases, type CaseTable } from '../helpers/torch-ref.js';

const F = tg.nn.functional;
const W3 = tg.tensor([0.2, 1.0, 2.5]), W4 = tg.tensor([1.5, 0.5, 1.0, 2.0]), PW = tg.tensor([3.0, 0.5, 1.0]);
const reductions = ['mean', 'sum', 'none'] as const;

const table: CaseTable = {
  'crossEntropy/unbatched': (x, t) => F.crossEntropy(x, t),
  'crossEntropy/unbatched-none': (x, t) => F.crossEntropy(x, t, { reduction: 'none', labelSmoothing: 0.2 }),
  'crossEntropy/large-logits': (x, t) => F.crossEntropy(x, t),
  'binaryCrossEntropy/edges': (p, y) => F.binaryCrossEntropy(p, y, { reduction: 'sum' }),
  'binaryCrossEntropyWithLogits/zero': (x, y) => F.binaryCrossEntropyWithLogits(x, y),
  'crossEntropy/all-ignored': (x, t) => F.crossEntropy(x, t),
  'crossEntropy/all-ignored-smooth-weight': (x, t) => F.crossEntropy(x, t, { weight: W3, labelSmoothing: 0.1 }),
  'nllLoss/all-ignored': (x, t) => F.nllLoss(x, t, { ignoreIndex: 2 }),
  'binaryCrossEntropy/saturated': (p, y) => F.binaryCrossEntropy(p, y),
};
for (const reduction of reductions) {
  Object.assign(table, {
    [`crossEntropy/${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.crossEntropy(x, t, { reduction }),
    [`crossEntropy/weight-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.crossEntropy(x, t, { weight: W3, reduction }),
    [`crossEntropy/ignore-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.crossEntropy(x, t, { ignoreIndex: 1, reduction }),
    [`crossEntropy/smooth-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.crossEntropy(x, t, { labelSmoothing: 0.2, reduction }),
    [`crossEntropy/smooth-weight-ignore-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) =>
      F.crossEntropy(x, t, { weight: W3, ignoreIndex: -100, labelSmoothing: 0.1, reduction }),
    [`crossEntropy/probs-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.crossEntropy(x, t, { reduction }),
    [`crossEntropy/probs-smooth-weight-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.crossEntropy(x, t, { weight: W4, labelSmoothing: 0.3, reduction }),
    [`crossEntropy/spatial-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.crossEntropy(x, t, { reduction }),
    [`crossEntropy/spatial-weight-smooth-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) =>
      F.crossEntropy(x, t, { weight: W3, labelSmoothing: 0.1, ignoreIndex: 2, reduction }),
    [`nllLoss/${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.nllLoss(x, t, { reduction }),
    [`nllLoss/weight-ignore-${reduction}`]: (x: tg.Tensor, t: tg.Tensor) => F.nllLoss(x, t, { weight: W4, ignoreIndex: 0, reduction }),
    [`mseLoss/${reduction}`]: (x: tg.Tensor, y: tg.Tensor) => F.mseLoss(x, y, reduction),
    [`l1Loss/${reduction}`]: (x: tg.Tensor, y: tg.Tensor) => F.l1Loss(x, y, reduction),
    [`huberLoss/${reduction}`]: (x: tg.Tensor, y: tg.Tensor) => F.huberLoss(x, y, reduction, 0.7),
    [`smoothL1Loss/${reduction}`]: (x: tg.Tensor, y: tg.Tensor) => F.smoothL1Loss(x, y, reduction, 0.5),
    [`binaryCrossEntropy/${reduction}`]: (p: tg.Tensor, y: tg.Tensor) => F.binaryCrossEntropy(p, y, { reduction }),
    [`binaryCrossEntropy/weight-${reduction}`]: (p: tg.Tensor, y: tg.Tensor) => F.binaryCrossEntropy(p, y, { weight: PW, reduction }),
    [`binaryCrossEntropyWithLogits/${reduction}`]: (x: tg.Tensor, y: tg.Tensor) => F.binaryCrossEntropyWithLogits(x, y, { reduction }),
    [`binaryCrossEntropyWithLogits/posweight-${reduction}`]: (x: tg.Tensor, y: tg.Tensor) =>
      F.binaryCrossEntropyWithLogits(x, y, { weight: PW, posWeight: PW, reduction }),
  });
}

describe('losses vs torch', () => runTorchCases('loss', table));

describe('loss gradcheck', () => {
  tg.manualSeed(3);
  const labels = tg.tensor([0, 2, 1, 1], { dtype: 'int32' });
  it('crossEntropy (weights, smoothing, ignore)', () => {
    const t = tg.tensor([0, 2, -100, 1], { dtype: 'int32' });
    gradcheck((x) => F.crossEntropy(x, t, { weight: W3, labelSmoothing: 0.2 }), [tg.randn([4, 3])]);
    gradcheck((x) => F.crossEntropy(x, labels, { reduction: 'sum' }), [tg.randn([4, 3])]);
  });
  it('crossEntropy with probabilities, nll, mse, l1, huber, bce', () => {
    gradcheck((x, p) => F.crossEntropy(x, p), [tg.randn([3, 4]), tg.softmax(tg.randn([3, 4]), 1)]);
    gradcheck((x) => F.nllLoss(x, labels, { weight: W3 }), [tg.randn([4, 3])]);
    gradcheck((x, y) => F.mseLoss(x, y), [tg.randn([2, 3]), tg.randn([2, 3])]);
    gradcheck((x, y) => F.huberLoss(x, y, 'sum', 0.5), [tg.randn([2, 3]).mul(2), tg.randn([2, 3])]);
    gradcheck((p, y) => F.binaryCrossEntropy(p, y), [tg.rand([2, 3]).mul(0.8).add(0.1), tg.rand([2, 3])]);
    gradcheck((x, y) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: PW }), [tg.randn([2, 3]), tg.rand([2, 3])]);
  });
});

describe('loss modules', () => {
  it('wrap the functional losses with fixed options', () => {
    const x = tg.randn([4, 3]), t = tg.tensor([0, 1, 2, 1], { dtype: 'int32' });
    expect(new tg.nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(x, t).item()).toBeCloseTo(F.crossEntropy(x, t, { labelSmoothing: 0.1 }).item(), 6);
    expect(new tg.nn.MSELoss('sum').forward(x, x.mul(2)).item()).toBeCloseTo(x.mul(x).sum().item(), 4);
  });
});

describe('bad targets', () => {
  const x = tg.randn([3, 4]);
  it('class index out of range names the position and the class count', () => {
    expect(() => F.crossEntropy(x, tg.tensor([0, 4, 1], { dtype: 'int32' }))).toThrow(tg.IndexError);
    expect(() => F.crossEntropy(x, tg.tensor([0, 4, 1], { dtype: 'int32' }))).toThrow(/target 4 at position 1 is out of range for 4 classes/);
    expect(() => F.nllLoss(x, tg.tensor([-1, 0, 1], { dtype: 'int32' }))).toThrow(/target -1 at position 0/);
  });
  it('wrong target shape or dtype', () => {
    expect(() => F.crossEntropy(x, tg.tensor([0, 1], { dtype: 'int32' }))).toThrow(tg.ShapeError);
    expect(() => F.crossEntropy(x, tg.tensor([0, 1, 1], { dtype: 'bool' }))).toThrow(tg.DTypeError);
    expect(() => F.crossEntropy(x, tg.zeros([3]))).toThrow(/class probabilities and must have the input's shape \[3, 4\]/);
    expect(() => F.mseLoss(x, tg.zeros([4, 3]))).toThrow(/mseLoss: target \[4, 3\] must have the input's shape \[3, 4\]/);
    expect(() => F.l1Loss(x, tg.zeros([3, 4], { dtype: 'int32' }))).toThrow(tg.DTypeError);
    expect(() => F.crossEntropy(x, tg.tensor([0, 1, 1], { dtype: 'int32' }), { weight: tg.ones([3]) })).toThrow(/weight \[3\] must be \[4\]/);
  });
  it('bad options and probabilities', () => {
    expect(() => F.mseLoss(x, x, 'avg' as 'mean')).toThrow(tg.ValueError);
    expect(() => F.crossEntropy(x, tg.tensor([0, 1, 1], { dtype: 'int32' }), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing/);
    expect(() => F.binaryCrossEntropy(tg.tensor([0.5, 1.2]), tg.tensor([0, 1]))).toThrow(/\[0, 1\], got 1.2000000476837158 at position 1/);
  });
});
