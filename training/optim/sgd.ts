import { ValueError } from '../errors.js';
import type { Storage } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { defineUpdateOp, Optimizer, runUpdate, type ParamGroup, type ParamsArg } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

interface SGDAttrs { [k: string]: number | boolean; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean }

/** torch.optim.SGD's update; the momentum buffer starts as the first gradient. */
function sgdKernel([p, g, buf, lr, step, momentum]: Storage[], [po, bo, so]: Storage[], a: SGDAttrs): void {
  const first = step[0] === 0;
  so[0] = step[0] + 1;
  const rate = lr[0], mom = momentum[0], damp = 1 - a.dampening, wd = a.weightDecay, sign = a.maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i] + wd * p[i];
    if (mom !== 0) {
      const b = first ? d : mom * buf[i] + damp * d;
      bo[i] = b;
      d = a.nesterov ? d + mom * b : b;
    }
    po[i] = p[i] - rate * d;
  }
}

/** inputs [param, grad, momentumBuffer, lr, step, momentum] -> new [param, momentumBuffer, step]. */
export const SGD_STEP = defineUpdateOp<SGDAttrs>('sgdStep', [0, 2, 4], sgdKernel);

/**
 * Stochastic gradient descent with momentum, Nesterov and weight decay (torch.optim.SGD).
 * @example new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true })
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, opts);
    const o = this.paramGroups[0].options;
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ValueError('SGD: nesterov needs momentum > 0 and dampening 0');
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<SGDOptions>): void {
    const s = this.stateOf(p, ['momentumBuffer'], ['step']);
    const o = group.options;
    runUpdate(SGD_STEP, [p, grad, s.momentumBuffer, group.lrTensor, s.step, group.momentumTensor],
      { dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov, maximize: o.maximize });
  }
}
