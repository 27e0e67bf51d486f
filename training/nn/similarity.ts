import { expectTensors } from '../dispatch.js';
import { DTypeError, ValueError } from '../errors.js';
import { defineComposite } from '../ops/registry.js';
import { where } from '../ops/where.js';
import { checkOptions, keysOf } from '../options.js';
import { fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cosineSimilarity } from '../ops/nn/similarity.js';
import { Module } from './module.js';

/** How klDiv combines the pointwise terms: torch's reductions, with 'batchmean' the mathematically correct KL. */
export type KLDivReduction = 'mean' | 'batchmean' | 'sum' | 'none';

/** Options of klDiv (torch's defaults). */
export interface KLDivOptions {
  /** Default 'mean' (over every element, as torch; 'batchmean' divides the sum by the batch size). */
  reduction?: KLDivReduction;
  /** The target is given as log-probabilities. Default false. */
  logTarget?: boolean;
}

const REDUCTIONS: readonly string[] = ['mean', 'batchmean', 'sum', 'none'];
const KL_DIV_KEYS = keysOf<KLDivOptions>({ reduction: true, logTarget: true });

/**
 * Kullback-Leibler divergence of the target from `input` log-probabilities
 * (torch's F.kl_div): pointwise target * (log(target) - input), 0 where the
 * target is 0, or exp(target) * (target - input) with `logTarget`. Written in
 * other ops; its gradient in a target of exactly 0 is 0 (torch gives NaN).
 * @example F.klDiv(tg.logSoftmax(logits, 1), probs, { reduction: 'batchmean' })
 */
export function klDiv(input: Tensor, target: Tensor, opts: KLDivOptions = {}): Tensor {
  const op = 'klDiv';
  checkOptions(op, opts, KL_DIV_KEYS);
  expectTensors(op, input, target);
  for (const [what, t] of [['input', input], ['target', target]] as const) {
    if (t.dtype !== 'float32') throw new DTypeError(`${op}: ${what} is ${t.dtype}${fmtShape(t.shape)}, expected float32`);
  }
  const reduction = opts.reduction ?? 'mean';
  if (!REDUCTIONS.includes(reduction)) throw new ValueError(`${op}: reduction must be one of ${REDUCTIONS.map((r) => `'${r}'`).join(', ')}, got '${String(reduction)}'`);
  let pointwise: Tensor;
  if (opts.logTarget) pointwise = target.exp().mul(target.sub(input));
  else {
    // xlogy(t, t) = t log t with 0 at t = 0; log reads 1 there so no 0 * -Infinity (NaN) reaches the value or the gradient
    const xlogy = target.mul(where(target.ne(0), target, 1).log());
    pointwise = xlogy.sub(target.mul(input));
  }
  if (reduction === 'none') return pointwise;
  if (reduction === 'sum') return pointwise.sum();
  if (reduction === 'mean') return pointwise.mean();
  if (input.ndim === 0) return pointwise.sum();
  // batchmean: the sum divided by the batch size, as a mean over dim 0 (stays right when an export makes the batch dynamic)
  if (pointwise.shape[0] !== input.shape[0]) return pointwise.sum().div(input.shape[0]);
  const rest = Array.from({ length: pointwise.ndim - 1 }, (_, i) => i + 1);
  return (rest.length ? pointwise.sum(rest) : pointwise).mean();
}

defineComposite('klDiv', ['exp', 'sub', 'mul', 'ne', 'where', 'log', 'sum', 'mean', 'div']);

/** Cosine similarity along `dim` (torch.nn.CosineSimilarity). @example new tg.nn.CosineSimilarity(1).forward(a, b) */
export class CosineSimilarity extends Module {
  constructor(readonly dim = 1, readonly eps = 1e-8) { super(); }
  forward(x1: Tensor, x2: Tensor): Tensor { return cosineSimilarity(x1, x2, this.dim, this.eps); }
}

/** KL divergence loss of log-probabilities (torch.nn.KLDivLoss). @example new tg.nn.KLDivLoss({ reduction: 'batchmean' }) */
export class KLDivLoss extends Module {
  constructor(readonly opts: KLDivOptions = {}) { super(); checkOptions('KLDivLoss', opts, KL_DIV_KEYS); }
  forward(input: Tensor, target: Tensor): Tensor { return klDiv(input, target, this.opts); }
}
