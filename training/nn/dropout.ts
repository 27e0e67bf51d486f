import { ValueError } from '../errors.js';
import { dropout } from '../ops/nn/dropout.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/**
 * Zeroes elements with probability p in training mode (scaling the rest by
 * 1/(1-p)); identity in eval mode. Seeded by `tg.manualSeed`.
 * @example const drop = new tg.nn.Dropout(0.2); drop.forward(x); drop.eval(); drop.forward(x) // === x
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: probability p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
