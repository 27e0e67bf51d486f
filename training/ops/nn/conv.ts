import type { ConvGeometry } from '../../../lite-runtime/kernels/im2col.js';
import { conv2dBackwardInputNCHW, conv2dBackwardWeightNCHW, conv2dNCHW } from '../../kernels/nn-conv.js';
import { apply1, expectTensors } from '../../dispatch.js';
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import { checkOptions, keysOf } from '../../options.js';
import type { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp, type TensorMeta } from '../registry.js';
import { sum } from '../sum.js';
import { pad } from '../shape/pad.js';
import { forwardFresh, type ForwardInto } from '../util.js';
import { convLength, convPads, expectRank, pair, type ConvPadding, type Size2 } from './args.js';

/** Attributes shared by the convolution primitives (ONNX Conv order: pads are [top, left, bottom, right]). */
export interface Conv2dAttrs {
  [k: string]: readonly number[] | number;
  stride: readonly number[];
  padding: readonly number[];
  dilation: readonly number[];
  groups: number;
}

/** Transposed convolution attributes: `outputPadding` adds rows/columns at the bottom/right. */
export interface ConvTranspose2dAttrs extends Conv2dAttrs { outputPadding: readonly number[] }

/** Weight-gradient attributes: the kernel size of the weight it produces. */
export interface Conv2dWeightGradAttrs extends Conv2dAttrs { kernel: readonly number[] }

/** The kernels' geometry of one convolution over x [n, c, h, w] (x is the conv input, in its own orientation). */
function geometry(x: readonly number[], kh: number, kw: number, a: Conv2dAttrs): ConvGeometry {
  const [padTop, padLeft, padBottom, padRight] = a.padding;
  return {
    n: x[0], c: x[1], h: x[2], w: x[3], kh, kw, strideH: a.stride[0], strideW: a.stride[1],
    padTop, padLeft, padBottom, padRight, dilationH: a.dilation[0], dilationW: a.dilation[1], groups: a.groups,
  };
}

/** Output [outH, outW] of a conv over input [.., h, w], or a ShapeError naming `op`. */
function outSize(op: string, x: readonly number[], kh: number, kw: number, a: Conv2dAttrs): [number, number] {
  const [pt, pl, pb, pr] = a.padding;
  const oh = convLength(x[2], kh, a.stride[0], pt, pb, a.dilation[0]);
  const ow = convLength(x[3], kw, a.stride[1], pl, pr, a.dilation[1]);
  if (oh < 1 || ow < 1) {
    throw new ShapeError(`${op}: kernel ${kh}x${kw} (dilation ${a.dilation.join('x')}) is larger than the padded input ` +
      `${x[2] + pt + pb}x${x[3] + pl + pr} (input ${fmtShape(x)})`);
  }
  return [oh, ow];
}

function checkGroups(op: string, x: TensorMeta, w: TensorMeta, channels: number, wOut: number, groups: number): void {
  if (wOut % groups !== 0 || channels !== w.shape[1] * groups) {
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} has ${channels} channels; weight ${fmtShape(w.shape)} with groups=${groups} ` +
      `expects ${w.shape[1] * groups} and its first dim (${wOut}) divisible by groups`);
  }
}

function checkBias(op: string, b: TensorMeta | undefined, channels: number): void {
  if (!b) return;
  expectRank(op, 'bias', b, 1, '[channels]');
  if (b.shape[0] !== channels) throw new ShapeError(`${op}: bias ${fmtShape(b.shape)} must have ${channels} elements (one per output channel)`);
}

/** Transposed-conv output length for input length `size`. */
function transposedLength(size: number, k: number, stride: number, before: number, after: number, dilation: number, outPad: number): number {
  return (size - 1) * stride - before - after + dilation * (k - 1) + outPad + 1;
}

/** Output shape [n, oc, oh, ow] of convTranspose2d over x with weight w (unchecked). */
function transposedShape(x: readonly number[], w: readonly number[], a: ConvTranspose2dAttrs): number[] {
  const [pt, pl, pb, pr] = a.padding;
  return [x[0], w[1] * a.groups,
    transposedLength(x[2], w[2], a.stride[0], pt, pb, a.dilation[0], a.outputPadding[0]),
    transposedLength(x[3], w[3], a.stride[1], pl, pr, a.dilation[1], a.outputPadding[1])];
}

const f32 = (d: unknown): Float32Array => d as Float32Array;

/** conv2d into y (fused.conv2d's step calls it too; its bias may be [1, OC, 1, 1]). */
const conv2dInto: ForwardInto<Conv2dAttrs> = ([x, w, b], a, [y]) =>
  conv2dNCHW(f32(x.data), f32(w.data), b ? f32(b.data) : null, f32(y), geometry(x.shape, w.shape[2], w.shape[3], a), w.shape[0]);

const convTransposeInto: ForwardInto<ConvTranspose2dAttrs> = ([x, w, b], a, [out]) => {
  const o = transposedShape(x.shape, w.shape, a), y = f32(out);
  conv2dBackwardInputNCHW(f32(x.data), f32(w.data), y, geometry(o, w.shape[2], w.shape[3], a), x.shape[1]);
  if (!b) return;
  const bias = f32(b.data), oc = o[1], hw = o[2] * o[3];
  for (let n = 0; n < o[0]; n++) {
    for (let c = 0; c < oc; c++) {
      const base = (n * oc + c) * hw, v = bias[c];
      for (let i = base; i < base + hw; i++) y[i] += v;
    }
  }
};

const convWeightGradInto: ForwardInto<Conv2dWeightGradAttrs> = ([x, gy], a, [dw]) =>
  conv2dBackwardWeightNCHW(f32(x.data), f32(gy.data), f32(dw), geometry(x.shape, a.kernel[0], a.kernel[1], a), gy.shape[1]);

/** conv2d(x, w, bias?): x [N, C, H, W], w [OC, C/groups, kh, kw]. */
export const CONV2D = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  onnx: (e, n, ins, outs) => { e.node('Conv', ins, outs, emit.convAttrs(n)); },
  infer([x, w, b], a) {
    expectRank('conv2d', 'input', x, 4, '[N, C, H, W]');
    expectRank('conv2d', 'weight', w, 4, '[outChannels, inChannels/groups, kH, kW]');
    checkGroups('conv2d', x, w, x.shape[1], w.shape[0], a.groups);
    checkBias('conv2d', b, w.shape[0]);
    const [oh, ow] = outSize('conv2d', x.shape, w.shape[2], w.shape[3], a);
    return [{ shape: [x.shape[0], w.shape[0], oh, ow], dtype: 'float32' }];
  },
  forward: forwardFresh(conv2dInto),
  forwardInto: conv2dInto,
  grad: ({ inputs: [x, w, b], attrs: a, gradOutputs: [g] }) => [
    x.requiresGrad ? convTransposeTo(g!, w, a, x.shape) : null,
    w.requiresGrad ? convWeightGrad(x, g!, a, w.shape) : null,
    b?.requiresGrad ? sum(g!, [0, 2, 3]) : null,
  ],
});

/** convTranspose2d(x, w, bias?): x [N, C, H, W], w [C, OC/groups, kh, kw] (the adjoint of conv2d in x). */
export const CONV_TRANSPOSE2D = defineOp<ConvTranspose2dAttrs>({
  name: 'convTranspose2d',
  onnx: (e, n, ins, outs) => {
    e.node('ConvTranspose', ins, outs, { ...emit.convAttrs(n), output_padding: { ints: emit.ints(n, 'outputPadding') } });
  },
  infer([x, w, b], a) {
    expectRank('convTranspose2d', 'input', x, 4, '[N, C, H, W]');
    expectRank('convTranspose2d', 'weight', w, 4, '[inChannels, outChannels/groups, kH, kW]');
    if (w.shape[0] !== x.shape[1] || x.shape[1] % a.groups !== 0) {
      throw new ShapeError(`convTranspose2d: input ${fmtShape(x.shape)} has ${x.shape[1]} channels; weight ${fmtShape(w.shape)} ` +
        `expects ${w.shape[0]} (weight dim 0), divisible by groups=${a.groups}`);
    }
    const shape = transposedShape(x.shape, w.shape, a);
    checkBias('convTranspose2d', b, shape[1]);
    const [, , oh, ow] = shape;
    if (oh < 1 || ow < 1) throw new ShapeError(`convTranspose2d: padding ${fmtShape(a.padding)} leaves an empty output ${oh}x${ow} for input ${fmtShape(x.shape)}`);
    return [{ shape, dtype: 'float32' }];
  },
  forward: forwardFresh(convTransposeInto),
  forwardInto: convTransposeInto,
  grad: ({ inputs: [x, w, b], attrs: a, gradOutputs: [g] }) => [
    x.requiresGrad ? apply1(CONV2D, [g!, w], convAttrs(a)) : null,
    w.requiresGrad ? convWeightGrad(g!, x, a, w.shape) : null,
    b?.requiresGrad ? sum(g!, [0, 2, 3]) : null,
  ],
});

/** The weight gradient of conv2d: inputs [x, gy], output [OC, C/groups, kh, kw]. */
export const CONV2D_WEIGHT_GRAD = defineOp<Conv2dWeightGradAttrs>({
  name: 'conv2dBackwardWeight',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([x, gy], a) {
    expectRank('conv2dBackwardWeight', 'input', x, 4, '[N, C, H, W]');
    expectRank('conv2dBackwardWeight', 'gradOutput', gy, 4, '[N, OC, outH, outW]');
    const [kh, kw] = a.kernel;
    const [oh, ow] = outSize('conv2dBackwardWeight', x.shape, kh, kw, a);
    const oc = gy.shape[1];
    if (gy.shape[0] !== x.shape[0] || gy.shape[2] !== oh || gy.shape[3] !== ow || x.shape[1] % a.groups || oc % a.groups) {
      throw new ShapeError(`conv2dBackwardWeight: gradOutput ${fmtShape(gy.shape)} does not fit input ${fmtShape(x.shape)} ` +
        `(expected [${x.shape[0]}, OC, ${oh}, ${ow}], channels divisible by groups=${a.groups})`);
    }
    return [{ shape: [oc, x.shape[1] / a.groups, kh, kw], dtype: 'float32' }];
  },
  forward: forwardFresh(convWeightGradInto),
  forwardInto: convWeightGradInto,
  grad: ({ inputs: [x, gy], attrs: a, gradOutputs: [g] }) => [
    x.requiresGrad ? convTransposeTo(gy, g!, a, x.shape) : null,
    gy.requiresGrad ? apply1(CONV2D, [x, g!], convAttrs(a)) : null,
  ],
});

function convAttrs(a: Conv2dAttrs): Conv2dAttrs {
  return { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups };
}

/** convTranspose2d of gy with w, its output padding chosen so the result has `xShape` (conv2d's input gradient). */
function convTransposeTo(gy: Tensor, w: Tensor, a: Conv2dAttrs, xShape: readonly number[]): Tensor {
  const [pt, pl, pb, pr] = a.padding;
  const base = (i: 0 | 1, before: number, after: number) =>
    transposedLength(gy.shape[2 + i], w.shape[2 + i], a.stride[i], before, after, a.dilation[i], 0);
  const outputPadding = [xShape[2] - base(0, pt, pb), xShape[3] - base(1, pl, pr)];
  return apply1(CONV_TRANSPOSE2D, [gy, w], { ...convAttrs(a), outputPadding });
}

function convWeightGrad(x: Tensor, gy: Tensor, a: Conv2dAttrs, wShape: readonly number[]): Tensor {
  return apply1(CONV2D_WEIGHT_GRAD, [x, gy], { ...convAttrs(a), kernel: [wShape[2], wShape[3]] });
}

/** Options of conv2d / conv1d. */
export interface Conv2dOptions {
  stride?: Size2;
  /** Symmetric zero padding, or 'same' (stride 1 only) / 'valid'. Default 0. */
  padding?: ConvPadding;
  dilation?: Size2;
  groups?: number;
}

const CONV2D_KEYS = keysOf<Conv2dOptions>({ stride: true, padding: true, dilation: true, groups: true });
const CONV1D_KEYS = keysOf<Conv1dOptions>({ stride: true, padding: true, dilation: true, groups: true });
const CONV_TRANSPOSE2D_KEYS = keysOf<ConvTranspose2dOptions>({ stride: true, padding: true, outputPadding: true, dilation: true, groups: true });

function groupsOf(op: string, groups: number | undefined): number {
  const g = groups ?? 1;
  if (!Number.isInteger(g) || g < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${g}`);
  return g;
}

/** Adds a batch dim to an unbatched input (rank `rank - 1`), run `fn`, and removes it again. */
function batched(op: string, x: Tensor, rank: number, layout: string, fn: (xb: Tensor) => Tensor): Tensor {
  if (x.ndim === rank) return fn(x);
  if (x.ndim !== rank - 1) throw new ShapeError(`${op}: input must be ${rank - 1}-D or ${rank}-D ${layout}, got shape ${fmtShape(x.shape)}`);
  const y = fn(x.reshape([1, ...x.shape]));
  return y.reshape(y.shape.slice(1));
}

/**
 * 2-D convolution over NCHW input (PyTorch's F.conv2d). Unbatched [C, H, W] input works too.
 * @example tg.conv2d(x, w, b, { stride: 2, padding: 1 })          // x [N,C,H,W], w [OC,C,3,3]
 * @example tg.conv2d(x, w, null, { padding: 'same', groups: 8 })  // depthwise when groups = C
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', opts, CONV2D_KEYS);
  expectTensors('conv2d', x, weight);
  const stride = pair('conv2d', 'stride', opts.stride ?? 1, 1);
  const dilation = pair('conv2d', 'dilation', opts.dilation ?? 1, 1);
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: weight must be 4-D [outChannels, inChannels/groups, kH, kW], got shape ${fmtShape(weight.shape)}`);
  const padding = convPads('conv2d', opts.padding ?? 0, weight.shape.slice(2), dilation, stride);
  const attrs: Conv2dAttrs = { stride, padding, dilation, groups: groupsOf('conv2d', opts.groups) };
  return batched('conv2d', x, 4, '[N, C, H, W]', (xb) => apply1(CONV2D, bias ? [xb, weight, bias] : [xb, weight], attrs));
}

/** Options of conv1d. */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
}

/**
 * 1-D convolution over NCL input (PyTorch's F.conv1d), run as a conv2d with height 1.
 * @example tg.conv1d(x, w, b, { padding: 'same' }) // x [N, C, L], w [OC, C, K]
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv1dOptions = {}): Tensor {
  checkOptions('conv1d', opts, CONV1D_KEYS);
  expectTensors('conv1d', x, weight);
  if (weight.ndim !== 3) throw new ShapeError(`conv1d: weight must be 3-D [outChannels, inChannels/groups, kernel], got shape ${fmtShape(weight.shape)}`);
  const one = (v: number | undefined, name: string): number => {
    const d = v ?? 1;
    if (typeof d !== 'number') throw new ValueError(`conv1d: ${name} must be a number, got ${JSON.stringify(d)}`);
    return d;
  };
  const padding: ConvPadding = typeof opts.padding === 'string' ? opts.padding : [0, one(opts.padding ?? 0, 'padding')];
  const w2 = weight.reshape([weight.shape[0], weight.shape[1], 1, weight.shape[2]]);
  return batched('conv1d', x, 3, '[N, C, L]', (xb) => {
    const y = conv2d(xb.reshape([xb.shape[0], xb.shape[1], 1, xb.shape[2]]), w2, bias, {
      stride: [1, one(opts.stride, 'stride')], padding, dilation: [1, one(opts.dilation, 'dilation')], groups: opts.groups,
    });
    return y.reshape([y.shape[0], y.shape[1], y.shape[3]]);
  });
}

/** Options of convTranspose2d. */
export interface ConvTranspose2dOptions {
  stride?: Size2;
  /** Rows/columns cropped from each side of the output (PyTorch's padding). Default 0. */
  padding?: Size2;
  /** Extra rows/columns on the bottom/right of the output; must be smaller than the stride. Default 0. */
  outputPadding?: Size2;
  dilation?: Size2;
  groups?: number;
}

/**
 * 2-D transposed convolution (PyTorch's F.conv_transpose2d): the gradient of
 * conv2d with respect to its input. Weight is [inChannels, outChannels/groups, kH, kW].
 * @example tg.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }) // doubles H and W
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkOptions(op, opts, CONV_TRANSPOSE2D_KEYS);
  const stride = pair(op, 'stride', opts.stride ?? 1, 1);
  const dilation = pair(op, 'dilation', opts.dilation ?? 1, 1);
  const [ph, pw] = pair(op, 'padding', opts.padding ?? 0, 0);
  const outputPadding = pair(op, 'outputPadding', opts.outputPadding ?? 0, 0);
  // As torch: each output padding must be smaller than the stride or the dilation along its dim.
  if ([0, 1].some((i) => outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])) {
    throw new ValueError(`${op}: outputPadding [${outputPadding.join(', ')}] must be smaller than stride [${stride.join(', ')}] or dilation [${dilation.join(', ')}]`);
  }
  // An output padding of q strides or more (allowed below the dilation) is q zero rows/columns
  // appended to the input: the primitive keeps outputPadding < stride, its conv geometry exact.
  const extra = [0, 1].map((i) => Math.floor(outputPadding[i] / stride[i]));
  const attrs: ConvTranspose2dAttrs = {
    stride, padding: [ph, pw, ph, pw], outputPadding: [0, 1].map((i) => outputPadding[i] - extra[i] * stride[i]), dilation, groups: groupsOf(op, opts.groups),
  };
  return batched(op, x, 4, '[N, C, H, W]', (xb) => {
    const xin = extra[0] || extra[1] ? pad(xb, [0, extra[1], 0, extra[0]]) : xb;
    return apply1(CONV_TRANSPOSE2D, bias ? [xin, weight, bias] : [xin, weight], attrs);
  });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { CONV2D_TFLITE, CONV_IMPORT, CONV_TRANSPOSE2D_TFLITE, CONV_TRANSPOSE_IMPORT } from '../convert/nn.js';
withTraits(CONV2D, { tflite: CONV2D_TFLITE, onnxImport: { Conv: CONV_IMPORT } });
withTraits(CONV_TRANSPOSE2D, { tflite: CONV_TRANSPOSE2D_TFLITE, onnxImport: { ConvTranspose: CONV_TRANSPOSE_IMPORT } });
