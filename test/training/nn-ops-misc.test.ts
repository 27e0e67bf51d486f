import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { apply1 } from '../../training/dispatch.js';
import { withMode, type Mode } from '../../training/dispatch.js';

const x4 = () => tg.randn([2, 3, 6, 6]);

describe('nn ops: bad input raises typed errors naming the op and shapes', () => {
  const cases: [string, () => unknown, new (m: string) => tg.TgliteError, RegExp][] = [
    ['conv2d channel mismatch', () => tg.conv2d(x4(), tg.randn([4, 2, 3, 3])), tg.ShapeError, /conv2d: input \[2, 3, 6, 6\] has 3 channels; weight \[4, 2, 3, 3\]/],
    ['conv2d groups', () => tg.conv2d(x4(), tg.randn([4, 1, 3, 3]), null, { groups: 3 }), tg.ShapeError, /groups=3/],
    ['conv2d kernel too large', () => tg.conv2d(x4(), tg.randn([4, 3, 7, 3])), tg.ShapeError, /conv2d: kernel 7x3 .* larger than the padded input 6x6/],
    ['conv2d same with stride', () => tg.conv2d(x4(), tg.randn([4, 3, 3, 3]), null, { stride: 2, padding: 'same' }), tg.ValueError, /'same' needs stride 1/],
    ['conv2d stride 0', () => tg.conv2d(x4(), tg.randn([4, 3, 3, 3]), null, { stride: 0 }), tg.ValueError, /conv2d: stride must be an integer >= 1/],
    ['conv2d int input', () => tg.conv2d(tg.ones([1, 1, 3, 3], { dtype: 'int32' }), tg.randn([1, 1, 2, 2])), tg.DTypeError, /conv2d: input is int32\[1, 1, 3, 3\], expected float32/],
    ['conv2d 2-D input', () => tg.conv2d(tg.randn([3, 6]), tg.randn([4, 3, 3, 3])), tg.ShapeError, /conv2d: input must be 3-D or 4-D/],
    ['conv2d bias size', () => tg.conv2d(x4(), tg.randn([4, 3, 3, 3]), tg.randn([3])), tg.ShapeError, /conv2d: bias \[3\] must have 4 elements/],
    ['conv1d weight rank', () => tg.conv1d(tg.randn([1, 3, 8]), tg.randn([4, 3, 3, 3])), tg.ShapeError, /conv1d: weight must be 3-D/],
    ['convTranspose2d outputPadding', () => tg.convTranspose2d(x4(), tg.randn([3, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }), tg.ValueError, /outputPadding \[2, 2\] must be smaller than stride \[2, 2\] or dilation \[1, 1\]/],
    ['convTranspose2d channels', () => tg.convTranspose2d(x4(), tg.randn([2, 2, 3, 3])), tg.ShapeError, /convTranspose2d: input \[2, 3, 6, 6\] has 3 channels/],
    ['maxPool2d padding', () => tg.maxPool2d(x4(), 2, { padding: 2 }), tg.ValueError, /maxPool2d: padding \[2, 2\] must be at most half the kernel size/],
    ['maxPool2d too small', () => tg.maxPool2d(tg.randn([1, 1, 2, 2]), 3), tg.ShapeError, /maxPool2d: kernel \[3, 3\] .* does not fit input \[1, 1, 2, 2\]/],
    ['avgPool2d divisor', () => tg.avgPool2d(x4(), 2, { divisorOverride: 0 }), tg.ValueError, /divisorOverride must be a positive integer/],
    ['adaptiveAvgPool2d size', () => tg.adaptiveAvgPool2d(x4(), -1), tg.ValueError, /adaptiveAvgPool2d: outputSize/],
    ['batchNorm one value per channel', () => tg.batchNorm(tg.randn([1, 3]), null, null, null, null, true), tg.ValueError, /more than 1 value per channel/],
    ['batchNorm weight size', () => tg.batchNorm(x4(), null, null, tg.ones([4]), null, true), tg.ShapeError, /batchNormTrain: weight \[4\] must have 3 elements/],
    ['batchNorm eval without stats', () => tg.batchNorm(x4(), null, null), tg.ValueError, /eval mode .* needs runningMean and runningVar/],
    ['layerNorm shape', () => tg.layerNorm(x4(), [5]), tg.ShapeError, /layerNorm: normalizedShape \[5\] must be a non-empty suffix of the input shape \[2, 3, 6, 6\]/],
    ['layerNorm weight', () => tg.layerNorm(x4(), [6], tg.ones([5])), tg.ShapeError, /layerNorm: weight \[5\] must have the normalized shape \[6\]/],
    ['linear in features', () => tg.linear(tg.randn([2, 5]), tg.randn([3, 4])), tg.ShapeError, /linear: input \[2, 5\] must end in inFeatures = 4/],
    ['linear bias', () => tg.linear(tg.randn([2, 4]), tg.randn([3, 4]), tg.randn([4])), tg.ShapeError, /linear: bias \[4\] must be \[3\]/],
    ['dropout p', () => tg.dropout(x4(), 1.5), tg.ValueError, /dropout: probability p must be in \[0, 1\], got 1.5/],
  ];
  for (const [name, fn, type, msg] of cases) {
    it(name, () => {
      expect(fn).toThrow(type);
      expect(fn).toThrow(msg);
    });
  }

  it('second derivatives that are not supported say so instead of returning wrong values', () => {
    const x = tg.randn([1, 1, 4, 4], { requiresGrad: true });
    const [gx] = tg.grad(tg.maxPool2d(x, 2).pow(2).sum(), [x], undefined, { createGraph: true });
    expect(() => gx!.sum().backward()).toThrow(/maxPool2dBackward: second derivatives/);
  });
});

describe('dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
    tg.manualSeed(7);
    const x = tg.ones([200, 100]);
    const y = tg.dropout(x, 0.3).data();
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.7, 6);
    }
    expect(zeros / y.length).toBeGreaterThan(0.28);
    expect(zeros / y.length).toBeLessThan(0.32);
  });

  it('is reproducible with manualSeed and its gradient is the scaled mask', () => {
    tg.manualSeed(9);
    const x = tg.randn([50], { requiresGrad: true });
    tg.manualSeed(1);
    const a = tg.dropout(x, 0.5);
    tg.manualSeed(1);
    const b = tg.dropout(x, 0.5);
    expect(a.data()).toEqual(b.data());
    a.sum().backward();
    const y = a.data(), g = x.grad!.data(), xv = x.data();
    for (let i = 0; i < 50; i++) expect(g[i]).toBe(y[i] === 0 && xv[i] !== 0 ? 0 : 2);
  });

  it('is the identity when not training or p = 0, and all zeros at p = 1', () => {
    const x = tg.randn([3, 4]);
    expect(tg.dropout(x, 0.5, false)).toBe(x);
    expect(tg.dropout(x, 0)).toBe(x);
    expect([...tg.dropout(x, 1).data()].every((v) => v === 0)).toBe(true);
  });
});

describe('edge cases', () => {
  it('maxPool2d propagates NaN like PyTorch', () => {
    const y = tg.maxPool2d(tg.tensor([[[[1, NaN, 5], [2, 3, 4]]]]), [2, 2], { stride: 1 });
    expect(Number.isNaN(y.data()[0])).toBe(true);
    expect(Number.isNaN(y.data()[1])).toBe(true);
  });

  it('an empty batch gives an empty output of the right shape, and its gradients', () => {
    const x = tg.zeros([0, 3, 5, 5], { requiresGrad: true });
    const w = tg.randn([4, 3, 3, 3], { requiresGrad: true });
    const y = tg.conv2d(x, w, null, { padding: 1 });
    expect(y.shape).toEqual([0, 4, 5, 5]);
    const [gx, gw] = tg.grad(y.sum(), [x, w]);
    expect(gx!.shape).toEqual([0, 3, 5, 5]);
    expect([...gw!.data()].every((v) => v === 0)).toBe(true);
  });
});

describe('batchNorm running statistics', () => {
  it('updates in place with unbiased variance, and eval mode then uses them', () => {
    const x = tg.tensor([[1, 2], [3, 6], [5, 10]]); // channel means 3, 6; unbiased vars 4, 16
    const rm = tg.zeros([2]), rv = tg.ones([2]);
    tg.batchNorm(x, rm, rv, null, null, true, 0.5);
    expect([...rm.data()]).toEqual([1.5, 3]);
    expect([...rv.data()]).toEqual([2.5, 8.5]);
    const y = tg.batchNorm(tg.tensor([[1.5, 3]]), rm, rv, null, null, false);
    expect([...y.data()].map((v) => Math.abs(v) < 1e-7)).toEqual([true, true]);
  });
});

describe('nn ops trace: every forward and backward op infers shapes without values', () => {
  it('a CNN training step (conv, relu, maxPool, batchNorm, linear, layerNorm) traces through backward', () => {
    const seen: string[] = [];
    const tracer: Mode = {
      name: 'test-tracer',
      apply(op, inputs, attrs) {
        seen.push(op.name);
        return op.infer(inputs, attrs).map((m) => tg.Tensor._traced(m.shape, m.dtype, op.name));
      },
    };
    const w1 = tg.randn([4, 1, 3, 3], { requiresGrad: true });
    const w2 = tg.randn([6, 2, 3, 3], { requiresGrad: true });
    const wt = tg.randn([6, 2, 2, 2], { requiresGrad: true });
    const fc = tg.randn([3, 4 * 4 * 4], { requiresGrad: true });
    const traced = (shape: number[]) => tg.Tensor._traced(shape, 'float32', 'input');
    withMode(tracer, () => {
      const x = traced([2, 1, 8, 8]);
      let h = tg.conv2d(x, w1, null, { padding: 'same' }).relu();
      h = tg.batchNorm(h, null, null, null, null, true);
      h = tg.conv2d(h, w2, null, { groups: 2, padding: 1 });
      h = tg.convTranspose2d(h, wt, null, { stride: 2, groups: 2 });
      h = tg.avgPool2d(tg.maxPool2d(h, 2), 3, { stride: 2, padding: 1 });
      h = tg.adaptiveAvgPool2d(h, 4);
      const y = tg.layerNorm(tg.linear(h.reshape([2, 64]), fc), 3);
      const grads = tg.grad(y.sum(), [w1, w2, wt, fc]);
      expect(grads.map((g) => g!.shape)).toEqual([w1.shape, w2.shape, wt.shape, fc.shape]);
    });
    for (const name of ['conv2d', 'convTranspose2d', 'conv2dBackwardWeight', 'maxPool2dBackward', 'avgPool2dBackward',
      'adaptiveAvgPool2dBackward', 'batchNormTrain', 'batchNormBackward', 'layerNormBackward']) {
      expect(seen, name).toContain(name);
    }
  });

  it('every nn primitive is in the op table', () => {
    const names = new Set(tg.allOps().map((o) => o.name));
    for (const n of ['conv2d', 'convTranspose2d', 'conv2dBackwardWeight', 'maxPool2d', 'maxPool2dBackward', 'avgPool2d',
      'avgPool2dBackward', 'adaptiveAvgPool2d', 'adaptiveAvgPool2dBackward', 'batchNorm', 'batchNormTrain', 'batchNormBackward',
      'layerNorm', 'layerNormBackward', 'dropout']) expect(names, n).toContain(n);
    expect(apply1).toBeTypeOf('function');
  });
});
