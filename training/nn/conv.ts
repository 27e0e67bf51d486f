import { zeros } from '../creation.js';
import { ValueError } from '../errors.js';
import { checkOptions, keysOf } from '../options.js';
import { pad } from '../ops/shape/pad.js';
import type { Size2 } from '../ops/nn/args.js';
import { conv1d, conv2d, convTranspose2d } from '../ops/nn/conv.js';
import type { Tensor } from '../tensor.js';
import { fans, kaimingUniform_, uniform_ } from './init.js';
import { Module, Parameter } from './module.js';
import { reprOptions } from './repr.js';

/** Constructor options shared by the convolution modules. */
export interface ConvOptions<S> {
  stride?: S;
  padding?: S | 'same' | 'valid';
  dilation?: S;
  groups?: number;
  bias?: boolean;
  /** How the border is padded (torch's padding_mode): 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: PaddingMode;
}

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
const CONV_KEYS = keysOf<ConvOptions<unknown>>({ stride: true, padding: true, dilation: true, groups: true, bias: true, paddingMode: true });
const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

function checkConvOptions(op: string, opts: ConvOptions<unknown>): void {
  checkOptions(op, opts, CONV_KEYS);
  const mode = opts.paddingMode ?? 'zeros';
  if (!PADDING_MODES.includes(mode)) throw new ValueError(`${op}: paddingMode must be one of ${PADDING_MODES.join(', ')}, got '${String(mode)}'`);
}

/**
 * torch's non-zero padding modes: the input is padded by `pad` first (per spatial dim,
 * 'same' split as torch splits it: the extra element after) and the convolution pads nothing.
 * Returns the padded input, or null for 'zeros'.
 */
function padBorder(x: Tensor, opts: ConvOptions<Size2>, kernel: readonly number[]): Tensor | null {
  const mode = opts.paddingMode ?? 'zeros';
  if (mode === 'zeros') return null;
  const dil = opts.dilation ?? 1;
  const spatial = kernel.length;
  const pads: number[] = [];
  for (let i = spatial - 1; i >= 0; i--) {
    const p = opts.padding ?? 0, d = typeof dil === 'number' ? dil : dil[i];
    if (p === 'valid') pads.push(0, 0);
    else if (p === 'same') { const total = d * (kernel[i] - 1); pads.push(total >> 1, total - (total >> 1)); }
    else { const v = typeof p === 'number' ? p : p[i]; pads.push(v, v); }
  }
  return pad(x, pads, mode === 'circular' ? 'circular' : mode);
}

function checkGroups(op: string, inC: number, outC: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${groups}`);
  if (inC % groups || outC % groups) throw new ValueError(`${op}: inChannels ${inC} and outChannels ${outC} must both be divisible by groups ${groups}`);
}

/** torch's default conv init: weight kaiming-uniform (a = √5), bias U(±1/√fanIn). */
function initConv(weightShape: number[], biasSize: number | null): [Tensor, Tensor | null] {
  const w = kaimingUniform_(zeros(weightShape), Math.sqrt(5));
  const fanIn = fans(w)[0];
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return [Parameter(w), biasSize === null ? null : Parameter(uniform_(zeros([biasSize]), -bound, bound))];
}

/**
 * 2-D convolution layer over [N, C, H, W] (torch.nn.Conv2d); weight [out, in/groups, kH, kW].
 * @example const conv = new tg.nn.Conv2d(1, 32, 3, { padding: 1 }); conv.forward(tg.randn([8, 1, 28, 28])) // [8, 32, 28, 28]
 */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Size2, readonly opts: ConvOptions<Size2> = {}) {
    super();
    this.kernelSize = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    checkConvOptions('Conv2d', opts);
    const groups = opts.groups ?? 1;
    checkGroups('Conv2d', inChannels, outChannels, groups);
    [this.weight, this.bias] = initConv([outChannels, inChannels / groups, ...this.kernelSize], opts.bias === false ? null : outChannels);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this.opts;
    const padded = padBorder(x, this.opts, this.kernelSize);
    if (padded) return conv2d(padded, this.weight, this.bias, { stride, padding: 0, dilation, groups });
    return conv2d(x, this.weight, this.bias, { stride, padding, dilation, groups });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize.join(', ')}]${reprOptions(this.opts)}`;
  }
}

/**
 * 1-D convolution layer over [N, C, L] (torch.nn.Conv1d); weight [out, in/groups, k].
 * @example new tg.nn.Conv1d(16, 32, 5, { padding: 'same' }).forward(tg.randn([4, 16, 100])) // [4, 32, 100]
 */
export class Conv1d extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, readonly opts: ConvOptions<number> = {}) {
    super();
    checkConvOptions('Conv1d', opts);
    const groups = opts.groups ?? 1;
    checkGroups('Conv1d', inChannels, outChannels, groups);
    [this.weight, this.bias] = initConv([outChannels, inChannels / groups, kernelSize], opts.bias === false ? null : outChannels);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this.opts;
    const padded = padBorder(x, this.opts, [this.kernelSize]);
    if (padded) return conv1d(padded, this.weight, this.bias, { stride, padding: 0, dilation, groups });
    return conv1d(x, this.weight, this.bias, { stride, padding, dilation, groups });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}${reprOptions(this.opts)}`;
  }
}

/** Options of ConvTranspose2d. */
export interface ConvTranspose2dModuleOptions {
  stride?: Size2;
  padding?: Size2;
  outputPadding?: Size2;
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
}

/**
 * 2-D transposed convolution layer (torch.nn.ConvTranspose2d); weight [in, out/groups, kH, kW].
 * @example new tg.nn.ConvTranspose2d(16, 8, 4, { stride: 2, padding: 1 }).forward(tg.randn([1, 16, 7, 7])) // [1, 8, 14, 14]
 */
export class ConvTranspose2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Size2, readonly opts: ConvTranspose2dModuleOptions = {}) {
    super();
    this.kernelSize = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    checkOptions('ConvTranspose2d', opts, keysOf<ConvTranspose2dModuleOptions>({ stride: true, padding: true, outputPadding: true, dilation: true, groups: true, bias: true }));
    const groups = opts.groups ?? 1;
    checkGroups('ConvTranspose2d', inChannels, outChannels, groups);
    [this.weight, this.bias] = initConv([inChannels, outChannels / groups, ...this.kernelSize], opts.bias === false ? null : outChannels);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, outputPadding, dilation, groups } = this.opts;
    return convTranspose2d(x, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups });
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize.join(', ')}]${reprOptions(this.opts)}`;
  }
}
