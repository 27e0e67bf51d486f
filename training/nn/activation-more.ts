import { celu, logsigmoid, mish, selu, softsign } from '../ops/math/activation-more.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** x * tanh(softplus(x)) (torch.nn.Mish). @example new tg.nn.Mish() */
export class Mish extends Module { forward(x: Tensor): Tensor { return mish(x); } }
/** log(sigmoid(x)) (torch.nn.LogSigmoid). @example new tg.nn.LogSigmoid() */
export class LogSigmoid extends Module { forward(x: Tensor): Tensor { return logsigmoid(x); } }
/** x / (1 + |x|) (torch.nn.Softsign). @example new tg.nn.Softsign() */
export class Softsign extends Module { forward(x: Tensor): Tensor { return softsign(x); } }
/** Scaled ELU with torch's constants (torch.nn.SELU). @example new tg.nn.SELU() */
export class SELU extends Module { forward(x: Tensor): Tensor { return selu(x); } }

/** max(0, x) + min(0, alpha (exp(x / alpha) - 1)) (torch.nn.CELU). @example new tg.nn.CELU(0.5) */
export class CELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return celu(x, this.alpha); }
}
