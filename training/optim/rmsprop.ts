import type { Storage } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { defineUpdateOp, Optimizer, runUpdate, type ParamGroup, type ParamsArg } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

interface RMSpropAttrs { [k: string]: number | boolean; alpha: number; eps: number; weightDecay: number; centered: boolean; maximize: boolean }

/** torch.optim.RMSprop's update (eps added after the square root). */
function rmspropKernel([p, g, sq, ga, buf, lr, momentum]: Storage[], [po, sqo, gao, bo]: Storage[], a: RMSpropAttrs): void {
  const rate = lr[0], mom = momentum[0], al = a.alpha, sign = a.maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    const gi = sign * g[i] + a.weightDecay * p[i];
    const s = al * sq[i] + (1 - al) * gi * gi;
    sqo[i] = s;
    let avg: number;
    if (a.centered) {
      const m = al * ga[i] + (1 - al) * gi;
      gao[i] = m;
      avg = Math.sqrt(s - m * m) + a.eps;
    } else {
      gao[i] = ga[i];
      avg = Math.sqrt(s) + a.eps;
    }
    if (mom > 0) {
      const b = mom * buf[i] + gi / avg;
      bo[i] = b;
      po[i] = p[i] - rate * b;
    } else {
      bo[i] = buf[i];
      po[i] = p[i] - rate * gi / avg;
    }
  }
}

/** inputs [param, grad, squareAvg, gradAvg, momentumBuffer, lr, momentum] -> new [param, squareAvg, gradAvg, momentumBuffer]. */
export const RMSPROP_STEP = defineUpdateOp<RMSpropAttrs>('rmspropStep', [0, 2, 3, 4], rmspropKernel);

/**
 * RMSprop (torch.optim.RMSprop), optionally centered and with momentum.
 * @example new tg.optim.RMSprop(model.parameters(), { lr: 0.01, alpha: 0.99 })
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, opts);
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<RMSpropOptions>): void {
    const s = this.stateOf(p, ['squareAvg', 'gradAvg', 'momentumBuffer']);
    const o = group.options;
    runUpdate(RMSPROP_STEP, [p, grad, s.squareAvg, s.gradAvg, s.momentumBuffer, group.lrTensor, group.momentumTensor],
      { alpha: o.alpha, eps: o.eps, weightDecay: o.weightDecay, centered: o.centered, maximize: o.maximize });
  }
}
