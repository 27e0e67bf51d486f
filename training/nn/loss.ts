import { DTypeError, IndexError, ShapeError, ValueError } from '../errors.js';
import { softplus } from '../ops/math/activation.js';
import { binaryCrossEntropyElementwise } from '../ops/nn/binary-cross-entropy.js';
import { logSoftmax } from '../ops/math/softmax.js';
import { gather } from '../ops/shape/gather.js';
import { indexSelect } from '../ops/shape/index-select.js';
import { where } from '../ops/where.js';
import { checkOptions, keysOf } from '../options.js';
import { fmtShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** How per-element losses are combined. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of the classification losses (crossEntropy, nllLoss). */
export interface ClassLossOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Targets equal to this class index contribute nothing (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends ClassLossOptions {
  /** Mixes the target with the uniform distribution: (1 - ε)·target + ε/C. Default 0. */
  labelSmoothing?: number;
}

export const CLASS_LOSS_KEYS = keysOf<ClassLossOptions>({ weight: true, ignoreIndex: true, reduction: true });
export const CROSS_ENTROPY_KEYS = keysOf<CrossEntropyOptions>({ weight: true, ignoreIndex: true, reduction: true, labelSmoothing: true });

function checkReduction(op: string, r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
  return r;
}

function reduce(op: string, l: Tensor, reduction: string): Tensor {
  const r = checkReduction(op, reduction);
  return r === 'none' ? l : r === 'sum' ? l.sum() : l.mean();
}

function expectFloat(op: string, what: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new DTypeError(`${op}: ${what} is ${t.dtype}${fmtShape(t.shape)}, expected float32`);
}

function expectSameShape(op: string, input: Tensor, target: Tensor): void {
  expectFloat(op, 'input', input);
  expectFloat(op, 'target', target);
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: target ${fmtShape(target.shape)} must have the input's shape ${fmtShape(input.shape)}`);
  }
}

/** Input [C] / [N, C, d...] with class dim 1; returns it batched (1-D gets a batch of 1). */
function classInput(op: string, input: Tensor): Tensor {
  expectFloat(op, 'input', input);
  if (input.ndim === 0) throw new ShapeError(`${op}: input must be [C] or [N, C, ...], got a 0-d tensor`);
  return input.ndim === 1 ? input.unsqueeze(0) : input;
}

function checkWeight(op: string, weight: Tensor | null | undefined, c: number): Tensor | null {
  if (!weight) return null;
  expectFloat(op, 'weight', weight);
  if (weight.ndim !== 1 || weight.shape[0] !== c) throw new ShapeError(`${op}: weight ${fmtShape(weight.shape)} must be [${c}] (one per class)`);
  return weight;
}

/**
 * Checks class-index targets ([N, d...] int32, each in [0, C) or ignoreIndex) and
 * returns [target with ignored entries set to 0, keep mask (float) or null].
 */
function classTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): [Tensor, Tensor | null] {
  const t = input.ndim === 2 && target.ndim === 0 ? target.reshape([1]) : target;
  const want = [input.shape[0], ...input.shape.slice(2)];
  if (target.dtype !== 'int32') throw new DTypeError(`${op}: class-index target is ${target.dtype}${fmtShape(target.shape)}, expected int32 (or a float32 target of class probabilities shaped like the input)`);
  if (!shapesEqual(t.shape, want)) throw new ShapeError(`${op}: target ${fmtShape(target.shape)} must be ${fmtShape(want)} for input ${fmtShape(input.shape)} (class dim 1 removed)`);
  const c = input.shape[1];
  let ignored = false;
  if (!t.isTraced) {
    const v = t._values(op);
    for (let i = 0; i < v.length; i++) {
      if (v[i] === ignoreIndex) { ignored = true; continue; }
      if (v[i] < 0 || v[i] >= c) throw new IndexError(`${op}: target ${v[i]} at position ${i} is out of range for ${c} classes (expected 0..${c - 1} or ignoreIndex ${ignoreIndex})`);
    }
  } else ignored = true;
  if (!ignored) return [t, null];
  const keep = t.ne(ignoreIndex);
  return [where(keep, t, 0), where(keep, 1, 0)];
}

/**
 * Negative log-likelihood of class indices from log-probabilities (PyTorch's F.nll_loss):
 * input [N, C] or [N, C, d...] (or [C]), target int32 [N] / [N, d...]. With 'mean',
 * the sum is divided by the total weight of the non-ignored targets.
 * @example tg.nn.functional.nllLoss(tg.logSoftmax(logits, 1), labels)
 */
export function nllLoss(input: Tensor, target: Tensor, opts: ClassLossOptions = {}): Tensor {
  const op = 'nllLoss';
  checkOptions(op, opts, CLASS_LOSS_KEYS);
  const x = classInput(op, input);
  const weight = checkWeight(op, opts.weight, x.shape[1]), reduction = checkReduction(op, opts.reduction ?? 'mean');
  const { loss, w } = nllParts(op, x, target, weight, opts.ignoreIndex ?? -100);
  const out = reduceClass(loss, w, reduction);
  return reduction === 'none' && input.ndim === 1 ? out.reshape([]) : out;
}

/**
 * Per-element losses -w[y]·x[y] (0 where ignored) and the per-element weights w
 * (class weight times the keep mask; null when neither applies), plus the keep mask.
 */
function nllParts(op: string, x: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): { loss: Tensor; w: Tensor | null; keep: Tensor | null } {
  const [safe, keep] = classTarget(op, x, target, ignoreIndex);
  let loss = gather(x, 1, safe.unsqueeze(1)).squeeze(1).neg();
  let w: Tensor | null = weight ? indexSelect(weight, 0, safe.flatten()).reshape(safe.shape) : null;
  if (keep) w = w ? w.mul(keep) : keep;
  if (w) loss = loss.mul(w);
  return { loss, w, keep };
}

/** torch's reduction of class losses: 'mean' divides by the total weight of the counted targets. */
function reduceClass(l: Tensor, w: Tensor | null, reduction: Reduction): Tensor {
  if (reduction === 'none') return l;
  if (reduction === 'sum') return l.sum();
  if (!w) return l.mean();
  // As torch: 0/0 = NaN when every target is ignored, with gradients 0 (not NaN) through the unselected branch.
  const total = w.sum(), counted = total.ne(0);
  return where(counted, l.sum().div(where(counted, total, 1)), NaN);
}

/**
 * Cross-entropy between logits and targets (PyTorch's F.cross_entropy). Target is
 * either int32 class indices ([N] / [N, d...], with ignoreIndex) or float32 class
 * probabilities shaped like the input. Label smoothing and per-class weights as in torch.
 * @example const loss = tg.nn.functional.crossEntropy(model.forward(x), labels, { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  checkOptions(op, opts, CROSS_ENTROPY_KEYS);
  const x = classInput(op, input), c = x.shape[1];
  const weight = checkWeight(op, opts.weight, c);
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const logp = logSoftmax(x, 1);
  const wView = weight ? weight.reshape([c, ...x.shape.slice(2).map(() => 1)]) : null;
  if (target.dtype === 'float32') return probTarget(op, input, logp, target, wView, eps, reduction);
  const unbatched = input.ndim === 1;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const { loss, w, keep } = nllParts(op, logp, target, weight, ignoreIndex);
  let out = reduceClass(loss, w, reduction);
  if (eps > 0) {
    let smooth = (wView ? logp.mul(wView) : logp).sum(1).neg();
    if (keep) smooth = smooth.mul(keep);
    out = out.mul(1 - eps).add(reduceClass(smooth, w, reduction).mul(eps / c));
  }
  return reduction === 'none' && unbatched ? out.reshape([]) : out;
}

function probTarget(op: string, input: Tensor, logp: Tensor, target: Tensor, wView: Tensor | null, eps: number, reduction: Reduction): Tensor {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: a float32 target holds class probabilities and must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)} (class indices must be int32)`);
  }
  const c = logp.shape[1];
  let t = input.ndim === 1 ? target.unsqueeze(0) : target;
  if (eps > 0) t = t.mul(1 - eps).add(eps / c);
  let prod = logp.mul(t);
  if (wView) prod = prod.mul(wView);
  if (reduction === 'sum') return prod.sum().neg();
  if (reduction === 'mean') return prod.sum().neg().div(logp.numel / c);
  const l = prod.sum(1).neg();
  return input.ndim === 1 ? l.reshape([]) : l;
}

/**
 * Mean squared error (PyTorch's F.mse_loss); target must have the input's shape.
 * @example tg.nn.functional.mseLoss(pred, y) // scalar
 */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  expectSameShape('mseLoss', input, target);
  const d = input.sub(target);
  return reduce('mseLoss', d.mul(d), reduction);
}

/**
 * Mean absolute error (PyTorch's F.l1_loss).
 * @example tg.nn.functional.l1Loss(pred, y, 'sum')
 */
export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  expectSameShape('l1Loss', input, target);
  return reduce('l1Loss', input.sub(target).abs(), reduction);
}

/**
 * Huber loss (PyTorch's F.huber_loss): 0.5·d² where |d| < delta, delta·(|d| - delta/2) elsewhere.
 * @example tg.nn.functional.huberLoss(pred, y, 'mean', 0.5)
 */
export function huberLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', delta = 1): Tensor {
  expectSameShape('huberLoss', input, target);
  if (!(delta > 0)) throw new ValueError(`huberLoss: delta must be > 0, got ${delta}`);
  const d = input.sub(target), a = d.abs();
  return reduce('huberLoss', where(a.lt(delta), d.mul(d).mul(0.5), a.sub(0.5 * delta).mul(delta)), reduction);
}

/**
 * Smooth L1 loss (PyTorch's F.smooth_l1_loss): huberLoss(delta = beta) / beta; beta = 0 is l1Loss.
 * @example tg.nn.functional.smoothL1Loss(pred, y)
 */
export function smoothL1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', beta = 1): Tensor {
  if (!(beta >= 0)) throw new ValueError(`smoothL1Loss: beta must be >= 0, got ${beta}`);
  if (beta === 0) return l1Loss(input, target, reduction);
  return huberLoss(input, target, reduction, beta).div(beta);
}

/** Options of the binary cross-entropy losses. */
export interface BCEOptions {
  /** Rescales each element's loss (broadcast to the input's shape). */
  weight?: Tensor | null;
  reduction?: Reduction;
}
/** Options of binaryCrossEntropyWithLogits. */
export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive examples, one per class (broadcast over the last dim). */
  posWeight?: Tensor | null;
}
export const BCE_KEYS = keysOf<BCEOptions>({ weight: true, reduction: true });
export const BCE_LOGITS_KEYS = keysOf<BCEWithLogitsOptions>({ weight: true, reduction: true, posWeight: true });

function applyWeight(op: string, l: Tensor, weight: Tensor | null | undefined): Tensor {
  if (!weight) return l;
  expectFloat(op, 'weight', weight);
  return l.mul(weight);
}

/**
 * Binary cross-entropy of probabilities in [0, 1] (PyTorch's F.binary_cross_entropy);
 * each log is clamped at -100 as torch does, so p = 0 or 1 stays finite, and gradients at
 * saturation are torch's large finite values (p(1 - p) floored at 1e-12), never NaN.
 * @example tg.nn.functional.binaryCrossEntropy(tg.sigmoid(logits), labels)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  checkOptions(op, opts, BCE_KEYS);
  expectSameShape(op, input, target);
  if (!input.isTraced) {
    const v = input._values(op);
    for (let i = 0; i < v.length; i++) {
      if (!(v[i] >= 0 && v[i] <= 1)) throw new IndexError(`${op}: input must hold probabilities in [0, 1], got ${v[i]} at position ${i} (use binaryCrossEntropyWithLogits for logits)`);
    }
  }
  const l = binaryCrossEntropyElementwise(input, target);
  return reduce(op, applyWeight(op, l, opts.weight), opts.reduction ?? 'mean');
}

/**
 * Binary cross-entropy on logits, computed stably (PyTorch's F.binary_cross_entropy_with_logits):
 * (1 - y)·x + (1 + (posWeight - 1)·y)·softplus(-x). posWeight broadcasts over the last dim (one per class).
 * @example tg.nn.functional.binaryCrossEntropyWithLogits(logits, labels, { posWeight: tg.tensor([3]) })
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkOptions(op, opts, BCE_LOGITS_KEYS);
  expectSameShape(op, input, target);
  const sp = softplus(input.neg());
  let l: Tensor;
  if (opts.posWeight) {
    expectFloat(op, 'posWeight', opts.posWeight);
    const logW = opts.posWeight.sub(1).mul(target).add(1);
    l = target.neg().add(1).mul(input).add(logW.mul(sp));
  } else {
    l = target.neg().add(1).mul(input).add(sp);
  }
  return reduce(op, applyWeight(op, l, opts.weight), opts.reduction ?? 'mean');
}
