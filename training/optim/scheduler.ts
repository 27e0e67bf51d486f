import { ValueError } from '../errors.js';
import { checkOptions, keysOf } from '../options.js';
import type { Optimizer } from './optimizer.js';

/** Base of learning-rate schedulers: call `step()` once per epoch (or per batch for OneCycleLR). */
export abstract class LRScheduler {
  /** Number of `step()` calls so far. */
  lastEpoch = 0;
  protected readonly baseLrs: number[];

  constructor(protected readonly optimizer: Optimizer<{ lr: number }>) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** Learning rate of each group at `lastEpoch`. */
  protected abstract lrAt(epoch: number, base: number): number;

  step(): void {
    this.lastEpoch++;
    this.baseLrs.forEach((b, i) => this.optimizer.setLr(this.lrAt(this.lastEpoch, b), i));
  }

  /** Current learning rates. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }
}

/**
 * Multiplies the rate by `gamma` every `stepSize` epochs.
 * @example const sched = new tg.optim.StepLR(opt, { stepSize: 10, gamma: 0.1 })
 */
export class StepLR extends LRScheduler {
  private readonly stepSize: number;
  private readonly gamma: number;

  constructor(optimizer: Optimizer<{ lr: number }>, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    checkOptions('StepLR', opts, ['stepSize', 'gamma']);
    if (!(opts.stepSize >= 1)) throw new ValueError(`StepLR: stepSize must be >= 1, got ${opts.stepSize}`);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
  }

  protected lrAt(epoch: number, base: number): number {
    return base * Math.pow(this.gamma, Math.floor(epoch / this.stepSize));
  }
}

/**
 * Cosine annealing from the base rate to `etaMin` over `tMax` epochs (closed form, as torch's `_get_closed_form_lr`).
 * @example const sched = new tg.optim.CosineAnnealingLR(opt, { tMax: 50 })
 */
export class CosineAnnealingLR extends LRScheduler {
  private readonly tMax: number;
  private readonly etaMin: number;

  constructor(optimizer: Optimizer<{ lr: number }>, opts: { tMax: number; etaMin?: number }) {
    super(optimizer);
    checkOptions('CosineAnnealingLR', opts, ['tMax', 'etaMin']);
    if (!(opts.tMax > 0)) throw new ValueError(`CosineAnnealingLR: tMax must be positive, got ${opts.tMax}`);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
  }

  protected lrAt(epoch: number, base: number): number {
    return this.etaMin + (base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax)) / 2;
  }
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  /** Cycle momentum (SGD's `momentum`, Adam's beta1) inversely to the rate; default true, as torch. */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
}

const ONE_CYCLE_KEYS = keysOf<OneCycleOptions>({
  maxLr: true, totalSteps: true, pctStart: true, annealStrategy: true, divFactor: true, finalDivFactor: true,
  threePhase: true, cycleMomentum: true, baseMomentum: true, maxMomentum: true,
});

/** One phase of the cycle: its last step, and the rate and momentum at its start and end. */
interface Phase { end: number; lr: [number, number]; momentum: [number, number] }

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR): warm up to `maxLr`, then
 * anneal far below the start, cycling momentum (or Adam's beta1) the other way between
 * `maxMomentum` and `baseMomentum`. Sets both on construction; step once per batch.
 * @example const sched = new tg.optim.OneCycleLR(opt, { maxLr: 0.01, totalSteps: epochs * batches })
 */
export class OneCycleLR extends LRScheduler {
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly totalSteps: number;
  private readonly cycleMomentum: boolean;

  constructor(optimizer: Optimizer<{ lr: number }>, opts: OneCycleOptions) {
    super(optimizer);
    checkOptions('OneCycleLR', opts, ONE_CYCLE_KEYS);
    const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = opts;
    const { cycleMomentum = true, baseMomentum = 0.85, maxMomentum = 0.95 } = opts;
    if (!(totalSteps >= 1)) throw new ValueError(`OneCycleLR: totalSteps must be >= 1, got ${totalSteps}`);
    if (!(pctStart >= 0 && pctStart <= 1)) throw new ValueError(`OneCycleLR: pctStart must be in [0, 1], got ${pctStart}`);
    if (!(maxLr > 0)) throw new ValueError(`OneCycleLR: maxLr must be positive, got ${maxLr}`);
    const initial = maxLr / divFactor;
    const minLr = initial / finalDivFactor;
    const hi = maxMomentum, lo = baseMomentum;
    this.totalSteps = totalSteps;
    this.phases = opts.threePhase
      ? [
        { end: pctStart * totalSteps - 1, lr: [initial, maxLr], momentum: [hi, lo] },
        { end: 2 * pctStart * totalSteps - 2, lr: [maxLr, initial], momentum: [lo, hi] },
        { end: totalSteps - 1, lr: [initial, minLr], momentum: [hi, hi] },
      ]
      : [
        { end: pctStart * totalSteps - 1, lr: [initial, maxLr], momentum: [hi, lo] },
        { end: totalSteps - 1, lr: [maxLr, minLr], momentum: [lo, hi] },
      ];
    this.anneal = (opts.annealStrategy ?? 'cos') === 'cos'
      ? (s, e, pct) => e + (s - e) / 2 * (Math.cos(Math.PI * pct) + 1)
      : (s, e, pct) => (e - s) * pct + s;
    this.cycleMomentum = cycleMomentum;
    if (cycleMomentum) {
      optimizer.paramGroups.forEach((g, i) => {
        const o = g.options as { momentum?: number; betas?: [number, number] };
        if (o.betas === undefined && o.momentum === undefined) {
          throw new ValueError(`OneCycleLR: param group ${i} has neither momentum nor betas to cycle; pass cycleMomentum: false`);
        }
      });
    }
    this.lastEpoch = -1;
    this.step();
  }

  override step(): void {
    this.lastEpoch++;
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new ValueError(`OneCycleLR: stepped ${step + 1} times, more than totalSteps = ${this.totalSteps}`);
    let startStep = 0;
    let lr = 0, momentum = 0;
    for (const [i, ph] of this.phases.entries()) {
      if (step <= ph.end || i === this.phases.length - 1) {
        const pct = (step - startStep) / (ph.end - startStep);
        lr = this.anneal(ph.lr[0], ph.lr[1], pct);
        momentum = this.anneal(ph.momentum[0], ph.momentum[1], pct);
        break;
      }
      startStep = ph.end;
    }
    this.optimizer.paramGroups.forEach((_, i) => {
      this.optimizer.setLr(lr, i);
      if (this.cycleMomentum) this.optimizer.setMomentum(momentum, i);
    });
  }

  protected lrAt(): number {
    return this.optimizer.getLr();
  }
}
