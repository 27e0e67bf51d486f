import { noGrad } from '../autograd.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/**
 * Scales gradients in place so their global norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_); returns the norm before clipping.
 * @example tg.optim.clipGradNorm(model.parameters(), 1.0)
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (!(maxNorm > 0)) throw new ValueError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  let total = 0;
  for (const g of grads) {
    const d = g._values('clipGradNorm');
    if (normType === Infinity) for (let i = 0; i < d.length; i++) total = Math.max(total, Math.abs(d[i]));
    else for (let i = 0; i < d.length; i++) total += Math.pow(Math.abs(d[i]), normType);
  }
  const norm = normType === Infinity ? total : Math.pow(total, 1 / normType);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    noGrad(() => {
      for (const g of grads) {
        const d = g._values('clipGradNorm');
        for (let i = 0; i < d.length; i++) d[i] *= coef;
        g._version++;
      }
    });
  }
  return norm;
}
