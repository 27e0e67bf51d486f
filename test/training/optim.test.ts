import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { decode, expectClose } from '../helpers/torch-ref.js';

type Enc = Parameters<typeof decode>[0];
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/optim.json', import.meta.url), 'utf8')) as {
  cases: ({ name: string; params: Enc[]; grads: Enc[][]; after: Enc[][] } & Record<string, unknown>)[];
};

/** An optimizer driven by OneCycleLR (maxLr 0.1 over the fixture's 4 steps), stepped together as torch's fixture does. */
function cycled(opt: tg.optim.Optimizer<{ lr: number }>, opts: Partial<tg.optim.OneCycleOptions> = {}): { step(): void } {
  const sched = new tg.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 4, ...opts });
  return { step: () => { opt.step(); sched.step(); } };
}

const makers: Record<string, (ps: tg.Tensor[]) => { step(): void }> = {
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
  'adam/amsgrad': (ps) => new tg.optim.Adam(ps, { lr: 1e-2, amsgrad: true }),
  'adamw/amsgrad-maximize': (ps) => new tg.optim.AdamW(ps, { lr: 1e-2, amsgrad: true, maximize: true, weightDecay: 0.1 }),
  'onecycle/adam': (ps) => cycled(new tg.optim.Adam(ps, { lr: 1e-2 })),
  'onecycle/sgd-momentum': (ps) => cycled(new tg.optim.SGD(ps, { lr: 0.1, momentum: 0.9 })),
  'onecycle/adamw-3phase-linear': (ps) => cycled(new tg.optim.AdamW(ps, { lr: 1e-2 }),
    { threePhase: true, annealStrategy: 'linear', baseMomentum: 0.8, maxMomentum: 0.9 }),
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

  it('rejects bad settings with typed errors, as torch does', () => {
    const p = () => [tg.zeros([1], { requiresGrad: true })];
    expect(() => new tg.optim.Adam([])).toThrow(/empty parameter list/);
    expect(() => new tg.optim.SGD(p(), {} as { lr: number })).toThrow(/SGD: lr is required/);
    expect(() => new tg.optim.SGD(p(), { lr: -0.1 })).toThrow(/invalid lr -0.1/);
    expect(() => new tg.optim.Adam(p(), { lr: NaN })).toThrow(/invalid lr NaN/);
    expect(() => new tg.optim.Adam(p(), { betas: [1.5, 0.9] })).toThrow(/beta parameter at index 0: 1.5/);
    expect(() => new tg.optim.Adam(p(), { eps: -1 })).toThrow(/invalid eps/);
    expect(() => new tg.optim.Adam(p(), { amsgard: true } as object)).toThrow(/unknown option 'amsgard' \(accepted: lr, betas, eps, weightDecay, decoupled, maximize, amsgrad\)/);
    expect(() => new tg.optim.Adam([{ params: p(), options: { moment: 0.9 } as object }])).toThrow(/param group 0: unknown option 'moment'/);
    expect(() => new tg.optim.RMSprop(p(), { momentum: -1 })).toThrow(tg.ValueError);
    const sgd = new tg.optim.SGD(p(), { lr: 0.1 });
    expect(() => new tg.optim.OneCycleLR(sgd, { maxLr: 1, totalSteps: 5, cycleMomentm: false } as tg.optim.OneCycleOptions)).toThrow(/unknown option 'cycleMomentm'/);
    expect(() => new tg.optim.SGD([tg.zeros([1])], { lr: 0.1, nesterov: true })).toThrow(/nesterov/);
  });
});

describe('scheduled momentum under tg.jit', () => {
  it('a compiled step sees OneCycleLR cycle Adam beta1 and SGD momentum, as eager does', () => {
    for (const make of [(ps: tg.Tensor[]) => new tg.optim.Adam(ps, { lr: 1e-2 }), (ps: tg.Tensor[]) => new tg.optim.SGD(ps, { lr: 0.1, momentum: 0.9 })]) {
      tg.manualSeed(5);
      const w0 = tg.randn([4, 3]), x = tg.randn([5, 3]);
      const run = (compiled: boolean) => {
        const w = w0.clone().requiresGrad_();
        const opt = make([w]);
        const sched = new tg.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 6 });
        const body = () => { opt.zeroGrad(); const loss = x.matmul(w.t()).pow(2).sum(); loss.backward(); opt.step(); return loss; };
        const step = compiled ? tg.jit(body) : body;
        for (let i = 0; i < 6; i++) { step(); sched.step(); }
        return w;
      };
      expectClose(run(true), { shape: [4, 3], dtype: 'float32', data: Array.from(run(false).data()) }, 'jit vs eager', 1e-6, 1e-7);
    }
  });
});
