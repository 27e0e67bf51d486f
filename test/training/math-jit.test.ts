import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { expectJitEqualsEager, valuesAndGrad, type TensorFn } from '../jit/helpers.js';

const cases: [string, TensorFn, number[]][] = [
  ['mean/var/std', (x) => [x.mean(1), x.var(0), x.std([0, 1])], [3, 4]],
  ['max/min/amax/argmax', (x) => [x.max(), x.max(1), x.amin([0]), x.argmax(1), ...x.minWithIndices(0, true)], [3, 4]],
  ['prod/logsumexp/cumsum', (x) => [x.prod(1), x.logsumexp([0, 1]), x.cumsum(0)], [3, 4]],
  ['softmax/logSoftmax', (x) => [x.softmax(-1), x.logSoftmax(0)], [3, 4]],
  ['activations', (x) => [tg.gelu(x), tg.gelu(x, 'tanh'), tg.silu(x), tg.elu(x), tg.leakyRelu(x), tg.softplus(x, 2, 1),
    tg.hardswish(x.mul(4)), tg.hardsigmoid(x.mul(4)), tg.relu6(x.mul(8)), tg.erf(x)], [3, 4]],
  ['clamp/topk', (x) => [x.clamp(-0.5, 0.5), x.clamp(tg.tensor([0, -1, 0.2, -0.3]), 0.8), ...x.topk(2, 1)], [3, 4]],
];

describe('math ops under tg.jit: forward and backward traced, equal to eager', () => {
  for (const [name, f, shape] of cases) {
    it(name, () => expectJitEqualsEager(name, f, shape, 7));
  }

  it('the traced backward uses the fused backward ops', () => {
    const step = tg.jit((a: tg.Tensor) => valuesAndGrad((x) => [x.softmax(1), tg.gelu(x), x.amax(1)], a));
    const ops = step.graphFor(tg.randn([2, 3])).nodes.map((n) => n.op);
    expect(ops).toEqual(expect.arrayContaining(['softmax', 'softmaxGrad', 'gelu', 'geluGrad', 'amax', 'extremeGrad']));
  });
});
