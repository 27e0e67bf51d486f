import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { gradcheck } from '../helpers/torch-ref.js';

type Case = [string, (...xs: tg.Tensor[]) => tg.Tensor, () => tg.Tensor[]];

describe('numerical gradient check: math ops', () => {
  tg.manualSeed(2);
  const x = (shape: number[] = [2, 3]) => tg.rand(shape).mul(4).sub(2);
  const p = (shape: number[] = [2, 3]) => tg.rand(shape).add(0.5);
  // distinct values a step apart (no ties within eps), shuffled: for max/min/topk
  const distinct = (n: number, shape: number[]) => {
    const v = Array.from({ length: n }, (_, i) => i * 0.37 - 1);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(tg.rand([]).item() * (i + 1)); [v[i], v[j]] = [v[j], v[i]]; }
    return tg.tensor(v).reshape(shape);
  };
  const cases: Case[] = [
    ['mean', (a) => a.mean(1), () => [x()]],
    ['mean all', (a) => a.mean(), () => [x()]],
    ['mean non-contiguous dims', (a) => a.mean([0, 2], true), () => [x([2, 3, 2])]],
    ['amax', (a) => a.amax([0, 2]), () => [distinct(12, [2, 3, 2])]],
    ['amin', (a) => a.amin(1, true), () => [distinct(6, [2, 3])]],
    ['max all', (a) => a.max(), () => [distinct(6, [2, 3])]],
    ['max dim', (a) => a.max(-1), () => [distinct(12, [3, 4])]],
    ['min dim keepdim', (a) => a.min(0, true), () => [distinct(12, [3, 4])]],
    ['maxWithIndices', (a) => tg.maxWithIndices(a, 1)[0], () => [distinct(24, [2, 3, 4])]],
    ['prod dim', (a) => a.prod(1), () => [x([2, 3, 2])]],
    ['prod all', (a) => a.prod(), () => [p()]],
    ['prod non-contiguous dims', (a) => a.prod([0, 2]), () => [p([2, 3, 2])]],
    ['var', (a) => a.var(1), () => [x([3, 4])]],
    ['var correction 0 all', (a) => a.var(undefined, { correction: 0 }), () => [x()]],
    ['std', (a) => a.std(0, { keepdim: true }), () => [x([3, 4])]],
    ['logsumexp', (a) => a.logsumexp(1), () => [x([2, 4])]],
    ['logsumexp dims', (a) => a.logsumexp([0, 2], true), () => [x([2, 2, 3])]],
    ['softmax last', (a) => a.softmax(-1), () => [x([2, 4])]],
    ['softmax middle', (a) => a.softmax(1), () => [x([2, 3, 2])]],
    ['logSoftmax', (a) => a.logSoftmax(0), () => [x([3, 2])]],
    ['logSoftmax middle', (a) => a.logSoftmax(1), () => [x([2, 3, 2])]],
    ['erf', tg.erf, () => [x()]],
    ['leakyRelu', (a) => tg.leakyRelu(a, 0.1), () => [x()]],
    ['elu', (a) => tg.elu(a, 0.7), () => [x()]],
    ['gelu', (a) => tg.gelu(a), () => [x()]],
    ['gelu tanh', (a) => tg.gelu(a, 'tanh'), () => [x()]],
    ['silu', tg.silu, () => [x()]],
    ['softplus', (a) => tg.softplus(a, 2, 3), () => [x([3, 4])]],
    ['hardswish', tg.hardswish, () => [x([3, 4]).mul(2)]],
    ['hardsigmoid', tg.hardsigmoid, () => [x([3, 4]).mul(2)]],
    ['hardtanh', (a) => tg.hardtanh(a, -1, 1.5), () => [x([3, 4])]],
    ['relu6', tg.relu6, () => [x([3, 4]).mul(4)]],
    ['clamp', (a) => a.clamp(-0.5, 0.7), () => [x([3, 4])]],
    // bounds kept > eps away from the grid values of x, some of them crossing (lo > hi)
    ['clamp tensor bounds', (a, lo, hi) => a.clamp(lo, hi),
      () => [distinct(12, [3, 4]), tg.tensor([-0.8, -0.45, -0.1, 0.3]), tg.tensor([[0.65], [1.0], [-0.3]])]],
    ['cumsum', (a) => a.cumsum(1), () => [x([2, 3, 2])]],
    ['cumsum dim 0', (a) => a.cumsum(0), () => [x([4, 2])]],
    ['topk', (a) => tg.topk(a, 2, 1)[0], () => [distinct(24, [2, 4, 3])]],
    ['topk smallest', (a) => tg.topk(a, 3, -1, false)[0], () => [distinct(10, [2, 5])]],
  ];
  for (const [name, fn, make] of cases) it(name, () => gradcheck(fn, make()));
});

describe('numerical gradient check: second derivatives (gradients are written in ops)', () => {
  tg.manualSeed(3);
  const x = (shape: number[] = [2, 3]) => tg.rand(shape).mul(4).sub(2);
  // the gradient of sum(f(a) * w), as a differentiable function of a (also evaluated under noGrad)
  const sq = (t: tg.Tensor) => t.mul(t);
  const distinctGrid = (shape: number[]) => tg.tensor([0.3, -1.1, 0.9, 1.7, -0.4, 0.1]).reshape(shape);
  const gradOf = (f: (a: tg.Tensor) => tg.Tensor) => (a: tg.Tensor) => tg.setGradEnabled(true, () => {
    const b = a.requiresGrad ? a : a.detach().requiresGrad_(true);
    return tg.grad([f(b).mul(tg.linspace(-1, 1, b.numel).reshape(b.shape)).sum()], [b], undefined, { createGraph: true })[0]!;
  });
  const cases: Case[] = [
    ['softmax', gradOf((a) => a.softmax(1)), () => [x()]],
    ['logSoftmax', gradOf((a) => a.logSoftmax(-1)), () => [x()]],
    ['logsumexp', gradOf((a) => a.logsumexp(1, true).expand(a.shape)), () => [x()]],
    ['gelu', gradOf((a) => tg.gelu(a)), () => [x()]],
    ['gelu tanh', gradOf((a) => tg.gelu(a, 'tanh')), () => [x()]],
    ['silu', gradOf(tg.silu), () => [x()]],
    ['elu', gradOf((a) => tg.elu(a)), () => [x()]],
    ['softplus', gradOf((a) => tg.softplus(a)), () => [x()]],
    ['erf', gradOf(tg.erf), () => [x()]],
    ['var', gradOf((a) => a.var(1, { keepdim: true }).expand(a.shape)), () => [x()]],
    ['mean', gradOf((a) => a.mean(0).mul(a.mean(0)).expand(a.shape)), () => [x()]],
    ['hardswish', gradOf(tg.hardswish), () => [x()]],
    // squared outputs: the incoming gradient depends on x, exercising each backward op's gradient w.r.t. it
    ['softmax squared', gradOf((a) => sq(a.softmax(1))), () => [x()]],
    ['logSoftmax squared', gradOf((a) => sq(a.logSoftmax(0))), () => [x()]],
    ['gelu squared', gradOf((a) => sq(tg.gelu(a))), () => [x()]],
    ['leakyRelu squared', gradOf((a) => sq(tg.leakyRelu(a, 0.3))), () => [x()]],
    ['clamp squared', gradOf((a) => sq(a.clamp(-1, 1))), () => [x()]],
    ['hardtanh squared', gradOf((a) => sq(tg.hardtanh(a))), () => [x()]],
    ['amax squared', gradOf((a) => sq(a.amax(1, true)).expand(a.shape)), () => [distinctGrid([2, 3])]],
    ['max dim squared', gradOf((a) => sq(a.max(0, true)).expand(a.shape)), () => [distinctGrid([2, 3])]],
    ['topk squared', gradOf((a) => sq(a.topk(2, 1)[0]).sum(1, true).expand(a.shape)), () => [distinctGrid([2, 3])]],
    ['cumsum squared', gradOf((a) => sq(a.cumsum(1))), () => [x()]],
  ];
  for (const [name, fn, make] of cases) it(name, () => gradcheck(fn, make()));
  it('prod: a second derivative raises GradError instead of dropping terms', () => {
    const a = x().requiresGrad_(true);
    const [g] = tg.grad([a.prod(1).sum()], [a], undefined, { createGraph: true });
    expect(() => g!.sum().backward()).toThrow(tg.GradError);
    expect(() => g!.sum().backward()).toThrow(/second derivatives of prod/);
  });
});
