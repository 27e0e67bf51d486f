import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** Activation modules: thin wrappers over the functional ops. */
export class ReLU extends Module { forward(x: Tensor): Tensor { return ops.relu(x); } }
export class ReLU6 extends Module { forward(x: Tensor): Tensor { return ops.relu6(x); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return ops.sigmoid(x); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return ops.tanh(x); } }
export class SiLU extends Module { forward(x: Tensor): Tensor { return ops.silu(x); } }
export class Hardswish extends Module { forward(x: Tensor): Tensor { return ops.hardswish(x); } }

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return ops.gelu(x, this.approximate); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return ops.leakyRelu(x, this.negativeSlope); }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return ops.elu(x, this.alpha); }
}

export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return ops.softplus(x, this.beta, this.threshold); }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return ops.softmax(x, this.dim); }
}

export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return ops.logSoftmax(x, this.dim); }
}
