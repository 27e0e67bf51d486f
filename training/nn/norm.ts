import { noGrad } from '../autograd.js';
import { ones, tensor, zeros } from '../creation.js';
import { ShapeError, ValueError } from '../errors.js';
import { assign } from '../ops/assign.js';
import { batchNorm } from '../ops/nn/batch-norm.js';
import { layerNorm } from '../ops/nn/layer-norm.js';
import { checkOptions, keysOf } from '../options.js';
import { fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, Parameter } from './module.js';

/** Options of BatchNorm1d/2d (torch's defaults). */
export interface BatchNormOptions {
  eps?: number;
  /** Weight of the batch in the running statistics; null = cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learnable weight and bias. Default true. */
  affine?: boolean;
  /** Keep running statistics (used in eval mode). Default true. */
  trackRunningStats?: boolean;
}

const BATCH_NORM_KEYS = keysOf<BatchNormOptions>({ eps: true, momentum: true, affine: true, trackRunningStats: true });

abstract class BatchNormBase extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  /** Buffers named like torch's state dict (absent when trackRunningStats is false). */
  declare running_mean?: Tensor;
  declare running_var?: Tensor;
  declare num_batches_tracked?: Tensor;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(readonly numFeatures: number, opts: BatchNormOptions, private readonly ranks: readonly number[]) {
    super();
    checkOptions(new.target.name, opts, BATCH_NORM_KEYS);
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ValueError(`${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? Parameter(ones([numFeatures])) : null;
    this.bias = affine ? Parameter(zeros([numFeatures])) : null;
    if (opts.trackRunningStats ?? true) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int32' }));
    }
  }

  /** The running statistics, or null when not tracked. */
  get running(): { mean: Tensor; var: Tensor; count: Tensor } | null {
    const { running_mean: mean, running_var: v, num_batches_tracked: count } = this;
    return mean && v && count ? { mean, var: v, count } : null;
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!this.ranks.includes(x.ndim)) throw new ShapeError(`${name}: input must be ${this.ranks.map((r) => `${r}-D`).join(' or ')}, got shape ${fmtShape(x.shape)}`);
    if (x.shape[1] !== this.numFeatures) throw new ShapeError(`${name}: input ${fmtShape(x.shape)} has ${x.shape[1]} channels in dim 1, expected numFeatures = ${this.numFeatures}`);
    const run = this.running;
    let momentum = this.momentum ?? 0;
    if (this.training && run) {
      noGrad(() => assign(run.count, run.count.add(1)));
      // cumulative average: weight 1/count (needs the count's value, so not under tg.jit)
      if (this.momentum === null) momentum = 1 / run.count.item();
    }
    const useBatch = this.training || !run;
    return batchNorm(x, run?.mean ?? null, run?.var ?? null, this.weight, this.bias, useBatch, momentum, this.eps);
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.running !== null}`;
  }
}

/**
 * Batch normalization over [N, C] or [N, C, L] (torch.nn.BatchNorm1d). Buffers
 * `running_mean`, `running_var`, `num_batches_tracked` are in the state dict.
 * @example const bn = new tg.nn.BatchNorm1d(64); bn.forward(tg.randn([32, 64]))
 */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, [2, 3]);
  }
}

/**
 * Batch normalization over [N, C, H, W] (torch.nn.BatchNorm2d); eval mode uses the running statistics.
 * @example const bn = new tg.nn.BatchNorm2d(32); bn.eval(); bn.forward(x)
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, [4]);
  }
}

/**
 * Layer normalization over the trailing `normalizedShape` dims (torch.nn.LayerNorm).
 * @example new tg.nn.LayerNorm(512).forward(tg.randn([8, 10, 512]))
 */
export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly normalizedShape: number[];

  constructor(normalizedShape: number | readonly number[], readonly eps = 1e-5, elementwiseAffine = true) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.weight = elementwiseAffine ? Parameter(ones(this.normalizedShape)) : null;
    this.bias = elementwiseAffine ? Parameter(zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
