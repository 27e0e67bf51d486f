import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/**
 * Activation modules (torch.nn.ReLU, ...): thin wrappers over the functional ops, for `Sequential`.
 * @example new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2))
 */
export class ReLU extends Module { forward(x: Tensor): Tensor { return ops.relu(x); } }
/** min(max(x, 0), 6). @see ReLU */
export class ReLU6 extends Module { forward(x: Tensor): Tensor { return ops.relu6(x); } }
/** 1 / (1 + exp(-x)). @see ReLU */
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return ops.sigmoid(x); } }
/** tanh(x). @see ReLU */
export class Tanh extends Module { forward(x: Tensor): Tensor { return ops.tanh(x); } }
/** x * sigmoid(x). @see ReLU */
export class SiLU extends Module { forward(x: Tensor): Tensor { return ops.silu(x); } }
/** x * relu6(x + 3) / 6. @see ReLU */
export class Hardswish extends Module { forward(x: Tensor): Tensor { return ops.hardswish(x); } }

/** GELU, exact ('none') or with the tanh approximation. @example new tg.nn.GELU('tanh') */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return ops.gelu(x, this.approximate); }
}

/** x > 0 ? x : negativeSlope * x. @example new tg.nn.LeakyReLU(0.2) */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return ops.leakyRelu(x, this.negativeSlope); }
}

/** x > 0 ? x : alpha * (exp(x) - 1). @example new tg.nn.ELU(1) */
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return ops.elu(x, this.alpha); }
}

/** log(1 + exp(beta x)) / beta. @example new tg.nn.Softplus(1, 20) */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return ops.softplus(x, this.beta, this.threshold); }
}

/** Softmax along `dim`. @example new tg.nn.Softmax(-1) */
export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return ops.softmax(x, this.dim); }
}

/** Log-softmax along `dim`. @example new tg.nn.LogSoftmax(1) */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return ops.logSoftmax(x, this.dim); }
}
