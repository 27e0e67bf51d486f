import type { Tensor } from '../tensor.js';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss,
  BCE_KEYS, BCE_LOGITS_KEYS, CLASS_LOSS_KEYS, CROSS_ENTROPY_KEYS,
  type BCEOptions, type BCEWithLogitsOptions, type ClassLossOptions, type CrossEntropyOptions, type Reduction,
} from './loss.js';
import { checkOptions } from '../options.js';
import { Module } from './module.js';

/**
 * Loss modules: the functional losses with their options fixed at construction (torch.nn.*Loss).
 * @example const lossFn = new tg.nn.CrossEntropyLoss({ labelSmoothing: 0.1 }); lossFn.forward(logits, labels)
 */
export class CrossEntropyLoss extends Module {
  constructor(readonly opts: CrossEntropyOptions = {}) { super(); checkOptions('CrossEntropyLoss', opts, CROSS_ENTROPY_KEYS); }
  forward(input: Tensor, target: Tensor): Tensor { return crossEntropy(input, target, this.opts); }
}

/** Negative log-likelihood of log-probabilities (torch.nn.NLLLoss). @example new tg.nn.NLLLoss({ ignoreIndex: 0 }) */
export class NLLLoss extends Module {
  constructor(readonly opts: ClassLossOptions = {}) { super(); checkOptions('NLLLoss', opts, CLASS_LOSS_KEYS); }
  forward(input: Tensor, target: Tensor): Tensor { return nllLoss(input, target, this.opts); }
}

/** Mean squared error (torch.nn.MSELoss). @example new tg.nn.MSELoss('sum') */
export class MSELoss extends Module {
  constructor(readonly reduction: Reduction = 'mean') { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, this.reduction); }
}

/** Mean absolute error (torch.nn.L1Loss). @example new tg.nn.L1Loss() */
export class L1Loss extends Module {
  constructor(readonly reduction: Reduction = 'mean') { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return l1Loss(input, target, this.reduction); }
}

/** Huber loss (torch.nn.HuberLoss). @example new tg.nn.HuberLoss('mean', 0.5) */
export class HuberLoss extends Module {
  constructor(readonly reduction: Reduction = 'mean', readonly delta = 1) { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return huberLoss(input, target, this.reduction, this.delta); }
}

/** Binary cross-entropy of probabilities (torch.nn.BCELoss). @example new tg.nn.BCELoss() */
export class BCELoss extends Module {
  constructor(readonly opts: BCEOptions = {}) { super(); checkOptions('BCELoss', opts, BCE_KEYS); }
  forward(input: Tensor, target: Tensor): Tensor { return binaryCrossEntropy(input, target, this.opts); }
}

/** Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss). @example new tg.nn.BCEWithLogitsLoss({ posWeight: tg.tensor([3]) }) */
export class BCEWithLogitsLoss extends Module {
  constructor(readonly opts: BCEWithLogitsOptions = {}) { super(); checkOptions('BCEWithLogitsLoss', opts, BCE_LOGITS_KEYS); }
  forward(input: Tensor, target: Tensor): Tensor { return binaryCrossEntropyWithLogits(input, target, this.opts); }
}
