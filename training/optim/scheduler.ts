import { ValueError } from '../errors.js';
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
}

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR, without momentum cycling):
 * warm up to `maxLr`, then anneal far below the start. Sets the rate on construction; step once per batch.
 * @example const sched = new tg.optim.OneCycleLR(opt, { maxLr: 0.01, totalSteps: epochs * batches })
 */
export class OneCycleLR extends LRScheduler {
  private readonly phases: { end: number; start: number; stop: number }[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly totalSteps: number;

  constructor(optimizer: Optimizer<{ lr: number }>, opts: OneCycleOptions) {
    super(optimizer);
    const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = opts;
    if (!(totalSteps >= 1)) throw new ValueError(`OneCycleLR: totalSteps must be >= 1, got ${totalSteps}`);
    const initial = maxLr / divFactor;
    const minLr = initial / finalDivFactor;
    this.totalSteps = totalSteps;
    this.phases = opts.threePhase
      ? [
        { end: pctStart * totalSteps - 1, start: initial, stop: maxLr },
        { end: 2 * pctStart * totalSteps - 2, start: maxLr, stop: initial },
        { end: totalSteps - 1, start: initial, stop: minLr },
      ]
      : [
        { end: pctStart * totalSteps - 1, start: initial, stop: maxLr },
        { end: totalSteps - 1, start: maxLr, stop: minLr },
      ];
    this.anneal = (opts.annealStrategy ?? 'cos') === 'cos'
      ? (s, e, pct) => e + (s - e) / 2 * (Math.cos(Math.PI * pct) + 1)
      : (s, e, pct) => (e - s) * pct + s;
    this.lastEpoch = -1;
    this.step();
  }

  protected lrAt(step: number): number {
    if (step > this.totalSteps) throw new ValueError(`OneCycleLR: stepped ${step + 1} times, more than totalSteps = ${this.totalSteps}`);
    let startStep = 0;
    for (const [i, ph] of this.phases.entries()) {
      if (step <= ph.end || i === this.phases.length - 1) {
        return this.anneal(ph.start, ph.stop, (step - startStep) / (ph.end - startStep));
      }
      startStep = ph.end;
    }
    return this.phases[this.phases.length - 1].stop;
  }
}
