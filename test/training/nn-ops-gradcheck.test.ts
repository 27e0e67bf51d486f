import { describe, it } from 'vitest';
import * as tg from '../../training/index.js';
import { apply1 } from '../../training/dispatch.js';
import { gradcheck } from '../helpers/torch-ref.js';

type T = tg.Tensor;

/** Values in [-1, 1) at least 0.05 apart (a shuffled grid), so max pooling has no near-ties under perturbation. */
function distinct(shape: number[]): T {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(tg.rand([]).item() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return tg.tensor(v, { shape });
}

describe('numerical gradient check: nn ops', () => {
  tg.manualSeed(3);
  const r = (...shape: number[]) => tg.rand(shape).mul(2).sub(1);
  const cases: [string, (...xs: T[]) => T, () => T[]][] = [
    ['linear', (x, w, b) => tg.linear(x, w, b), () => [r(2, 3, 4), r(5, 4), r(5)]],
    ['conv2d', (x, w, b) => tg.conv2d(x, w, b, { padding: 1 }), () => [r(2, 2, 4, 4), r(3, 2, 3, 3), r(3)]],
    ['conv2d stride2 dilation2', (x, w) => tg.conv2d(x, w, null, { stride: 2, padding: [2, 1], dilation: 2 }), () => [r(1, 2, 6, 5), r(2, 2, 3, 2)]],
    ['conv2d groups2', (x, w) => tg.conv2d(x, w, null, { groups: 2, padding: 'same' }), () => [r(1, 4, 4, 4), r(4, 2, 2, 3)]],
    ['conv2d depthwise', (x, w, b) => tg.conv2d(x, w, b, { groups: 3, stride: 2, padding: 1 }), () => [r(2, 3, 5, 5), r(6, 1, 3, 3), r(6)]],
    ['conv1d', (x, w, b) => tg.conv1d(x, w, b, { stride: 2, padding: 1 }), () => [r(2, 3, 7), r(2, 3, 3), r(2)]],
    ['convTranspose2d', (x, w, b) => tg.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), () => [r(1, 2, 3, 3), r(2, 3, 3, 3), r(3)]],
    ['convTranspose2d groups', (x, w) => tg.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }), () => [r(1, 4, 3, 3), r(4, 1, 2, 2)]],
    ['conv2dBackwardWeight', (x, gy) => apply1(tg.CONV2D_WEIGHT_GRAD, [x, gy], { stride: [2, 1], padding: [1, 0, 1, 1], dilation: [1, 1], groups: 1, kernel: [3, 2] }),
      () => [r(2, 2, 5, 4), r(2, 3, 3, 4)]],
    // the gradient of a gradient: exercises the gradients of convTranspose2d and conv2dBackwardWeight
    ['conv2d double backward', (x, w) => tg.setGradEnabled(true, () => {
      const xx = x.requiresGrad ? x : x.detach().requiresGrad_(true);
      const [gx] = tg.grad(tg.conv2d(xx, w, null, { padding: 1, stride: 2 }).pow(2).sum(), [xx], undefined, { createGraph: true });
      return gx!;
    }), () => [r(1, 2, 4, 4), r(2, 2, 3, 3)]],
    ['maxPool2d', (x) => tg.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), () => [distinct([2, 2, 6, 5])]],
    ['maxPool2d dilation', (x) => tg.maxPool2d(x, 2, { stride: 1, dilation: 2 }), () => [distinct([1, 2, 5, 5])]],
    ['avgPool2d', (x) => tg.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }), () => [r(2, 2, 6, 5)]],
    ['avgPool2dBackward', (g) => apply1(tg.AVG_POOL2D_BACKWARD, [g], {
      kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: false, countIncludePad: true, divisorOverride: 0, inputSize: [5, 6],
    }), () => [r(1, 2, 3, 3)]],
    ['adaptiveAvgPool2d', (x) => tg.adaptiveAvgPool2d(x, [3, 2]), () => [r(2, 2, 5, 4)]],
    ['adaptiveAvgPool2dBackward', (g) => apply1(tg.ADAPTIVE_AVG_POOL2D_BACKWARD, [g], { inputSize: [5, 4] }), () => [r(1, 2, 3, 2)]],
    ['batchNorm train', (x, w, b) => tg.batchNorm(x, null, null, w, b, true), () => [r(3, 2, 2, 3), r(2), r(2)]],
    ['batchNorm train 2d', (x, w, b) => tg.batchNorm(x, null, null, w, b, true), () => [r(5, 3), r(3), r(3)]],
    ['batchNorm eval', (x, m, v, w, b) => tg.batchNorm(x, m, v, w, b, false), () => [r(2, 2, 3), r(2), tg.rand([2]).add(0.5), r(2), r(2)]],
    ['layerNorm', (x, w, b) => tg.layerNorm(x, [2, 3], w, b), () => [r(3, 2, 3), r(2, 3), r(2, 3)]],
    ['dropout', (x) => { tg.manualSeed(11); return tg.dropout(x, 0.4, true); }, () => [r(4, 5)]],
  ];
  for (const [name, fn, make] of cases) it(name, () => gradcheck(fn, make()));
});
