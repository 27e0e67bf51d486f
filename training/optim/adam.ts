import type { Storage } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { defineUpdateOp, Optimizer, runUpdate, type ParamGroup, type ParamsArg } from './optimizer.js';
import { trainingKernels } from '../kernels/wasm/runtime.js';
import { residentZerosLike, RESIDENT_MIN } from './resident.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly instead of adding to the gradient. */
  decoupled: boolean;
  maximize: boolean;
  /** Keep the running maximum of the second moment (Reddi et al.), as torch's `amsgrad`. */
  amsgrad: boolean;
}

interface AdamAttrs { [k: string]: number | boolean; beta2: number; eps: number; weightDecay: number; decoupled: boolean; maximize: boolean }

/** One Adam/AdamW update as torch computes it (bias-corrected, eps outside the sqrt). */
function adamKernel([p, g, m, v, lr, step, beta1]: Storage[], [po, mo, vo, so]: Storage[], a: AdamAttrs): void {
  const t = step[0] + 1;
  so[0] = t;
  const rate = lr[0], b1 = beta1[0];
  const stepSize = rate / (1 - Math.pow(b1, t));
  const invBc2Sqrt = 1 / Math.sqrt(1 - Math.pow(a.beta2, t));
  const b2 = a.beta2, c1 = 1 - b1, c2 = 1 - b2, eps = a.eps;
  const n = p.length;
  const k = n >= RESIDENT_MIN ? trainingKernels() : null;
  if (k) {
    // float32 SIMD in the training wasm module (each parameter always takes the same path, eager
    // or compiled); the parameter (Optimizer's constructor) and the moments are resident there
    const decay = a.decoupled ? 1 - rate * a.weightDecay : 1;
    try {
      k.adam([p, g, m, v] as Float32Array[] as [Float32Array, Float32Array, Float32Array, Float32Array], [po, mo, vo] as Float32Array[] as [Float32Array, Float32Array, Float32Array], n,
        { b1, b2, stepSize, invBc2Sqrt, eps, decay, l2: a.decoupled ? 0 : a.weightDecay, sign: a.maximize ? -1 : 1 });
      return;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // wasm memory exhausted: the loops below need none
    }
  }
  if (a.weightDecay === 0 && !a.maximize && po === p && mo === m && vo === v) {
    // The common case, in place (eager and compiled steps): three arrays touched, no decay or sign terms.
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= stepSize * mi / (Math.sqrt(vi) * invBc2Sqrt + eps);
    }
    return;
  }
  if (a.weightDecay === 0 && !a.maximize) {
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      mo[i] = mi;
      vo[i] = vi;
      po[i] = p[i] - stepSize * mi / (Math.sqrt(vi) * invBc2Sqrt + eps);
    }
    return;
  }
  const decay = a.decoupled ? 1 - rate * a.weightDecay : 1;
  const l2 = a.decoupled ? 0 : a.weightDecay;
  const sign = a.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const gi = sign * g[i] + l2 * p[i];
    const mi = b1 * m[i] + c1 * gi;
    const vi = b2 * v[i] + c2 * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i] * decay - stepSize * mi / (Math.sqrt(vi) * invBc2Sqrt + eps);
  }
}

/** inputs [param, grad, expAvg, expAvgSq, lr, step, beta1] -> new [param, expAvg, expAvgSq, step]. */
export const ADAM_STEP = defineUpdateOp<AdamAttrs>('adamStep', [0, 2, 3, 5], adamKernel);

/** AMSGrad: the general loop with the running maximum of the second moment as the denominator. */
function amsgradKernel([p, g, m, v, vMax, lr, step, beta1]: Storage[], [po, mo, vo, vMaxO, so]: Storage[], a: AdamAttrs): void {
  const t = step[0] + 1;
  so[0] = t;
  const rate = lr[0], b1 = beta1[0];
  const stepSize = rate / (1 - Math.pow(b1, t));
  const invBc2Sqrt = 1 / Math.sqrt(1 - Math.pow(a.beta2, t));
  const b2 = a.beta2, c1 = 1 - b1, c2 = 1 - b2, eps = a.eps;
  const decay = a.decoupled ? 1 - rate * a.weightDecay : 1;
  const l2 = a.decoupled ? 0 : a.weightDecay;
  const sign = a.maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    const gi = sign * g[i] + l2 * p[i];
    const mi = b1 * m[i] + c1 * gi;
    const vi = b2 * v[i] + c2 * gi * gi;
    const vm = Math.max(vMax[i], vi);
    mo[i] = mi;
    vo[i] = vi;
    vMaxO[i] = vm;
    po[i] = p[i] * decay - stepSize * mi / (Math.sqrt(vm) * invBc2Sqrt + eps);
  }
}

/** inputs [param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, step, beta1] -> new [param, expAvg, expAvgSq, maxExpAvgSq, step]. */
export const AMSGRAD_STEP = defineUpdateOp<AdamAttrs>('amsgradStep', [0, 2, 3, 4, 6], amsgradKernel);

/**
 * Adam (Kingma & Ba), matching torch.optim.Adam.
 * @example const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupled: false, maximize: false, amsgrad: false }, opts);
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdamOptions>): void {
    const o = group.options;
    const attrs = { beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay, decoupled: o.decoupled, maximize: o.maximize };
    if (o.amsgrad) {
      const s = this.stateOf(p, ['expAvg', 'expAvgSq', 'maxExpAvgSq'], ['step']);
      runUpdate(AMSGRAD_STEP, [p, grad, s.expAvg, s.expAvgSq, s.maxExpAvgSq, group.lrTensor, s.step, group.momentumTensor], attrs);
      return;
    }
    const s = this.stateOf(p, ['expAvg', 'expAvgSq'], ['step'], residentZerosLike);
    runUpdate(ADAM_STEP, [p, grad, s.expAvg, s.expAvgSq, group.lrTensor, s.step, group.momentumTensor], attrs);
  }
}

/**
 * AdamW: Adam with decoupled weight decay (default 0.01), matching torch.optim.AdamW.
 * @example new tg.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 })
 */
export class AdamW extends Adam {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 0.01, ...opts, decoupled: true });
  }
}
