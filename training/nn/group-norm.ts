import { ones, tensor, zeros } from '../creation.js';
import { ShapeError, ValueError } from '../errors.js';
import { groupNorm, instanceNorm } from '../ops/nn/group-norm.js';
import { checkOptions, keysOf } from '../options.js';
import { fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Module, Parameter } from './module.js';

/** Options of GroupNorm (torch's defaults). */
export interface GroupNormOptions {
  eps?: number;
  /** Learnable per-channel weight (ones) and bias (zeros). Default true. */
  affine?: boolean;
}

/**
 * Group normalization over [N, C, ...] (torch.nn.GroupNorm): channels split into
 * `numGroups` groups, each normalized per sample; the same in training and eval.
 * @example new tg.nn.GroupNorm(8, 32).forward(tg.randn([4, 32, 16, 16]))
 */
export class GroupNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly eps: number;

  constructor(readonly numGroups: number, readonly numChannels: number, opts: GroupNormOptions = {}) {
    super();
    checkOptions('GroupNorm', opts, keysOf<GroupNormOptions>({ eps: true, affine: true }));
    if (!Number.isInteger(numChannels) || numChannels < 1) throw new ValueError(`GroupNorm: numChannels must be a positive integer, got ${numChannels}`);
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new ValueError(`GroupNorm: numGroups must be a positive integer dividing numChannels ${numChannels}, got ${numGroups}`);
    }
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? Parameter(ones([numChannels])) : null;
    this.bias = affine ? Parameter(zeros([numChannels])) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim >= 2 && x.shape[1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm: input ${fmtShape(x.shape)} has ${x.shape[1]} channels in dim 1, expected numChannels = ${this.numChannels}`);
    }
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}

/** Options of InstanceNorm1d/2d (torch's defaults: no affine, no running statistics). */
export interface InstanceNormOptions {
  eps?: number;
  /** Weight of the batch in the running statistics. Default 0.1. */
  momentum?: number;
  /** Learnable per-channel weight and bias. Default false. */
  affine?: boolean;
  /** Keep running statistics, used in eval mode. Default false. */
  trackRunningStats?: boolean;
}

abstract class InstanceNormBase extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  /** Buffers named like torch's state dict (present with trackRunningStats; the count stays 0, as in torch). */
  declare running_mean?: Tensor;
  declare running_var?: Tensor;
  declare num_batches_tracked?: Tensor;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, opts: InstanceNormOptions, private readonly rank: number) {
    super();
    const name = this.constructor.name;
    checkOptions(name, opts, keysOf<InstanceNormOptions>({ eps: true, momentum: true, affine: true, trackRunningStats: true }));
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ValueError(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    const affine = opts.affine ?? false;
    this.weight = affine ? Parameter(ones([numFeatures])) : null;
    this.bias = affine ? Parameter(zeros([numFeatures])) : null;
    if (opts.trackRunningStats ?? false) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int32' }));
    }
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name, r = this.rank;
    // like torch, an unbatched [C, ...] input is normalized as a batch of one
    if (x.ndim !== r && x.ndim !== r - 1) throw new ShapeError(`${name}: input must be ${r}-D (batched) or ${r - 1}-D (unbatched), got shape ${fmtShape(x.shape)}`);
    const batched = x.ndim === r ? x : x.unsqueeze(0);
    if (batched.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${name}: input ${fmtShape(x.shape)} has ${batched.shape[1]} channels, expected numFeatures = ${this.numFeatures}`);
    }
    // torch: input statistics in training mode or without running statistics (which they then update)
    const mean = this.running_mean ?? null, variance = this.running_var ?? null;
    const y = instanceNorm(batched, mean, variance, this.weight, this.bias, this.training || mean === null, this.momentum, this.eps);
    return x.ndim === r ? y : y.squeeze(0);
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.running_mean !== undefined}`;
  }
}

/**
 * Instance normalization over [N, C, L] or [C, L] (torch.nn.InstanceNorm1d).
 * @example new tg.nn.InstanceNorm1d(16, { affine: true }).forward(tg.randn([4, 16, 50]))
 */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormOptions = {}) {
    super(numFeatures, opts, 3);
  }
}

/**
 * Instance normalization over [N, C, H, W] or [C, H, W] (torch.nn.InstanceNorm2d):
 * each channel of each image normalized over H, W.
 * @example new tg.nn.InstanceNorm2d(64).forward(tg.randn([2, 64, 32, 32]))
 */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormOptions = {}) {
    super(numFeatures, opts, 4);
  }
}
