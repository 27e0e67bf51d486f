import { Tensor } from '../../tensor.js';
import { where } from '../where.js';
import { type Dims } from './common.js';
import { reduceAttrs, reducedShape } from '../sum.js';
import { amax } from './extreme.js';

/**
 * log(sum(exp(x))) over `dim` (all dims when omitted), stable for large magnitudes: the max is
 * subtracted first (a constant for the gradient, which is softmax). Integer/bool inputs give
 * float32, as in PyTorch.
 * @example tg.logsumexp(logits, -1, true)
 */
export function logsumexp(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const xf = x.dtype === 'float32' ? x : x.div(1);
  const { dims } = reduceAttrs('logsumexp', xf, dim, keepdim);
  if (xf.numel === 0) return xf.exp().sum(dims, keepdim).log();
  const m = amax(xf, dims, true).detach();
  const shift = where(m.abs().eq(Infinity), 0, m);
  const out = xf.sub(shift).exp().sum(dims, true).log().add(shift);
  return keepdim ? out : out.reshape(reducedShape(out.shape, dims, false));
}
