import { DTypeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import { checkOptions, keysOf } from '../../options.js';
import { Tensor } from '../../tensor.js';
import { where } from '../where.js';
import { reducedCount, type Dims } from './common.js';
import { reduceAttrs } from '../sum.js';
import { mean } from './mean.js';

/** Options of var/std: `correction` (default 1, Bessel's) or the older `unbiased` flag, and `keepdim`. */
export interface VarOptions {
  correction?: number;
  unbiased?: boolean;
  keepdim?: boolean;
}

const VAR_KEYS = keysOf<VarOptions>({ correction: true, unbiased: true, keepdim: true });

function correctionOf(op: string, opts: VarOptions): number {
  checkOptions(op, opts, VAR_KEYS);
  if (opts.correction !== undefined && opts.unbiased !== undefined) {
    throw new ValueError(`${op}: pass either correction or unbiased, not both`);
  }
  const c = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  if (!Number.isFinite(c) || c < 0) throw new ValueError(`${op}: correction must be a non-negative number, got ${c}`);
  return c;
}

/**
 * Variance over `dim` (all dims when omitted): sum((x - mean)^2) / (N - correction).
 * Composed from mean/sub/mul/sum. N <= correction gives inf or NaN, as in PyTorch.
 * Also exported as `tg.var`.
 * @example tg.variance(x, 1, { correction: 0, keepdim: true })
 */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  if (x.dtype !== 'float32') throw new DTypeError(`var: input is ${x.dtype}${fmtShape(x.shape)}; var and std need a floating point input`);
  const { dims, keepdim } = reduceAttrs('var', x, dim, opts.keepdim ?? false);
  const c = correctionOf('var', opts);
  const centered = x.sub(mean(x, dims, true));
  return centered.mul(centered).sum(dims, keepdim).div(reducedCount(x.shape, dims) - c);
}

/**
 * Standard deviation: sqrt(var). Where it is 0 the gradient is 0 (PyTorch's rule), not NaN.
 * @example tg.std(x, 0)
 */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  if (x.dtype !== 'float32') throw new DTypeError(`std: input is ${x.dtype}${fmtShape(x.shape)}; var and std need a floating point input`);
  const v = variance(x, dim, opts);
  const zero = v.eq(0);
  return where(zero, 0, where(zero, 1, v).sqrt());
}

export { variance as var };
