import { flatten } from '../ops/shape/squeeze.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/**
 * Flattens dims startDim..endDim into one (torch.nn.Flatten; default keeps the batch dim).
 * @example new tg.nn.Flatten().forward(tg.zeros([8, 64, 3, 3])) // [8, 576]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  protected override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
