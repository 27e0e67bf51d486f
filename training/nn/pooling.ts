import { adaptiveAvgPool2d } from '../ops/nn/adaptive-pool.js';
import type { Size2 } from '../ops/nn/args.js';
import { AVG_POOL_KEYS, avgPool2d, MAX_POOL_KEYS, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from '../ops/nn/pool.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { reprOptions } from './repr.js';

const repr = (k: unknown, o: object): string => `kernelSize=${JSON.stringify(k)}${reprOptions(o)}`;

/**
 * 2-D max pooling layer (torch.nn.MaxPool2d); stride defaults to the kernel size.
 * @example new tg.nn.MaxPool2d(2).forward(tg.randn([1, 8, 28, 28])) // [1, 8, 14, 14]
 */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly opts: MaxPool2dOptions = {}) {
    super();
    checkOptions('MaxPool2d', opts, MAX_POOL_KEYS);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }

  protected override extraRepr(): string {
    return repr(this.kernelSize, this.opts);
  }
}

/**
 * 2-D average pooling layer (torch.nn.AvgPool2d).
 * @example new tg.nn.AvgPool2d(3, { stride: 1, padding: 1 }).forward(x) // same H, W
 */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly opts: AvgPool2dOptions = {}) {
    super();
    checkOptions('AvgPool2d', opts, AVG_POOL_KEYS);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }

  protected override extraRepr(): string {
    return repr(this.kernelSize, this.opts);
  }
}

/**
 * Average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d); null keeps that dim.
 * @example new tg.nn.AdaptiveAvgPool2d(1).forward(tg.randn([2, 64, 7, 7])) // [2, 64, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  protected override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}
