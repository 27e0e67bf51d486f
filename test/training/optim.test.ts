import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { decode, expectClose } from '../helpers/torch-ref.js';

type Enc = Parameters<typeof decode>[0];
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/optim.json', import.meta.url), 'utf8')) as {
  cases: ({ name: string; params: Enc[]; grads: Enc[][]; after: Enc[][] } & Record<string, unknown>)[];
};

const makers: Record<string, (ps: tg.Tensor[]) => tg.optim.Optimizer<{ lr: number }>> = {
  'sgd/plain': (ps) => new tg.optim.SGD(ps, { lr: 0.1 }),
  'sgd/momentum-wd': (ps) => new tg.optim.SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  'sgd/nesterov': (ps) => new tg.optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }),
  'sgd/maximize': (ps) => new tg.optim.SGD(ps, { lr: 0.05, momentum: 0.5, maximize: true }),
  'adam/default': (ps) => new tg.optim.Adam(ps, { lr: 1e-2 }),
  'adam/wd': (ps) => new tg.optim.Adam(ps, { lr: 1e-2, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.1 }),
  'adamw/default': (ps) => new tg.optim.AdamW(ps, { lr: 1e-2 }),
  'adamw/wd': (ps) => new tg.optim.AdamW(ps, { lr: 1e-2, weightDecay: 0.3 }),
  'adam/param-groups': (ps) => new tg.optim.Adam([{ params: [ps[0]] }, { params: [ps[1]], options: { lr: 0.1, weightDecay: 0.05 } }], { lr: 1e-2 }),
  'rmsprop/default': (ps) => new tg.optim.RMSprop(ps, { lr: 1e-2 }),
  'rmsprop/centered-momentum': (ps) => new tg.optim.RMSprop(ps, { lr: 1e-2, alpha: 0.9, momentum: 0.8, centered: true, weightDecay: 0.05 }),
};

describe('optimizers match torch.optim step by step', () => {
  for (const c of fixture.cases.filter((c) => c.params)) {
    it(c.name, () => {
      const params = c.params.map((p) => decode(p, true));
      const opt = makers[c.name](params);
      c.after.forEach((expected, step) => {
        params.forEach((p, i) => { p.grad = decode(c.grads[step][i]); });
        opt.step();
        params.forEach((p, i) => expectClose(p, expected[i], `${c.name} step ${step + 1} param ${i}`, 1e-5, 1e-6));
      });
    });
  }
});

describe('schedulers and clipping match torch', () => {
  const { schedules } = fixture.cases.find((c) => c.name === 'schedules') as unknown as { schedules: { name: string; lrs: number[] }[] };
  const makeSched: Record<string, (o: tg.optim.SGD) => tg.optim.LRScheduler> = {
    step: (o) => new tg.optim.StepLR(o, { stepSize: 3, gamma: 0.5 }),
    cosine: (o) => new tg.optim.CosineAnnealingLR(o, { tMax: 10, etaMin: 0.01 }),
    'onecycle-cos': (o) => new tg.optim.OneCycleLR(o, { maxLr: 1, totalSteps: 13 }),
    'onecycle-linear-3phase': (o) => new tg.optim.OneCycleLR(o, { maxLr: 1, totalSteps: 13, annealStrategy: 'linear', threePhase: true }),
  };
  for (const s of schedules) {
    it(s.name, () => {
      const opt = new tg.optim.SGD([tg.zeros([1], { requiresGrad: true })], { lr: 0.5 });
      const sched = makeSched[s.name](opt);
      const lrs = [opt.getLr()];
      for (let i = 1; i < s.lrs.length; i++) { sched.step(); lrs.push(opt.getLr()); }
      lrs.forEach((lr, i) => expect(lr).toBeCloseTo(s.lrs[i], 10));
    });
  }

  it('clipGradNorm', () => {
    const c = fixture.cases.find((c) => c.name === 'clip') as unknown as { grads: Enc[]; norm: number; clipped: Enc[] };
    const ps = c.grads.map((g) => { const p = tg.zeros(g.shape, { requiresGrad: true }); p.grad = decode(g); return p; });
    expect(tg.optim.clipGradNorm(ps, 1.0)).toBeCloseTo(c.norm, 4);
    ps.forEach((p, i) => expectClose(p.grad!, c.clipped[i], `clipped grad ${i}`));
  });

  it('rejects bad settings', () => {
    expect(() => new tg.optim.Adam([])).toThrow(/empty parameter list/);
    expect(() => new tg.optim.SGD([tg.zeros([1])], { lr: 0.1, nesterov: true })).toThrow(/nesterov/);
  });
});
