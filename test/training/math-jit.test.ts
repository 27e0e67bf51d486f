import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

type Fn = (x: tg.Tensor) => tg.Tensor | tg.Tensor[];

/** Values and gradients of sum(f(x) * w) for float outputs, as one list (the same code eagerly and under tg.jit). */
function valuesAndGrad(f: Fn, x: tg.Tensor): tg.Tensor[] {
  const xr = x.requiresGrad ? x : x.detach().requiresGrad_(true);
  const out = f(xr);
  const outs = Array.isArray(out) ? out : [out];
  const floats = outs.filter((o) => o.dtype === 'float32' && o.requiresGrad);
  const loss = floats.reduce((acc: tg.Tensor | null, o) => {
    const w = tg.linspace(-1, 1, o.numel).reshape(o.shape);
    const term = o.mul(w).sum();
    return acc === null ? term : acc.add(term);
  }, null);
  return loss === null ? outs : [...outs, tg.grad([loss], [xr])[0]!];
}

const cases: [string, Fn, number[]][] = [
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
    it(name, () => {
      tg.manualSeed(7);
      const step = tg.jit((a: tg.Tensor) => valuesAndGrad(f, a));
      // a second input reuses the first trace: results computed at trace time would show up as stale
      for (const x of [tg.randn(shape), tg.randn(shape)]) {
        const eager = valuesAndGrad(f, x);
        const traced = step(x);
        expect(traced.length).toBe(eager.length);
        traced.forEach((t, i) => {
          expect(t.shape, `${name} #${i}`).toEqual(eager[i].shape);
          expect(t.dtype, `${name} #${i}`).toBe(eager[i].dtype);
          const a = t.data(), b = eager[i].data();
          for (let j = 0; j < b.length; j++) expect(Math.abs(a[j] - b[j]), `${name} #${i}[${j}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[j])));
        });
      }
      expect(step.traceCount).toBe(1);
    });
  }

  it('the traced backward uses the fused backward ops', () => {
    const step = tg.jit((a: tg.Tensor) => valuesAndGrad((x) => [x.softmax(1), tg.gelu(x), x.amax(1)], a));
    const ops = step.graphFor(tg.randn([2, 3])).nodes.map((n) => n.op);
    expect(ops).toEqual(expect.arrayContaining(['softmax', 'softmaxGrad', 'gelu', 'geluGrad', 'amax', 'extremeGrad']));
  });
});
