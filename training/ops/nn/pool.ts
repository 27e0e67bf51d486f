import type { ConvGeometry } from '../../../lite-runtime/kernels/im2col.js';
import {
  avgPool2dBackwardNCHW, avgPool2dNCHW, maxPool2dBackwardNCHW, maxPool2dNCHW, poolOutputSize,
} from '../../kernels/nn-pool.js';
import { apply1 } from '../../dispatch.js';
import { GradError, ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import { checkOptions, keysOf } from '../../options.js';
import type { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp, type OpDef, type TensorMeta } from '../registry.js';
import { forwardFresh, type ForwardInto } from '../util.js';
import { expectRank, pair, type Size2 } from './args.js';

/** Pooling window attributes (symmetric padding [h, w], as PyTorch). */
export interface Pool2dAttrs {
  [k: string]: readonly number[] | number | boolean;
  kernel: readonly number[];
  stride: readonly number[];
  padding: readonly number[];
  dilation: readonly number[];
  ceilMode: boolean;
}

/** Average pooling adds PyTorch's divisor rules (`divisorOverride` 0 = none). */
export interface AvgPool2dAttrs extends Pool2dAttrs { countIncludePad: boolean; divisorOverride: number }

/** Backward attrs also carry the input's [h, w] (the pooled size does not determine it). */
export interface AvgPool2dBackwardAttrs extends AvgPool2dAttrs { inputSize: readonly number[] }

/** The kernels' geometry of a pool over x [n, c, h, w]. */
function geometry(x: readonly number[], a: Pool2dAttrs): ConvGeometry {
  const [ph, pw] = a.padding;
  return {
    n: x[0], c: x[1], h: x[2], w: x[3], kh: a.kernel[0], kw: a.kernel[1], strideH: a.stride[0], strideW: a.stride[1],
    padTop: ph, padLeft: pw, padBottom: ph, padRight: pw, dilationH: a.dilation[0], dilationW: a.dilation[1], ceilMode: a.ceilMode,
  };
}

/** Output meta of a pool over x, with typed errors naming `op`. */
function inferPool(op: string, x: TensorMeta, a: Pool2dAttrs): TensorMeta {
  expectRank(op, 'input', x, 4, '[N, C, H, W]');
  const [kh, kw] = a.kernel;
  if (2 * a.padding[0] > kh || 2 * a.padding[1] > kw) {
    throw new ValueError(`${op}: padding [${a.padding.join(', ')}] must be at most half the kernel size [${kh}, ${kw}]`);
  }
  const oh = poolOutputSize(x.shape[2], kh, a.stride[0], a.padding[0], a.padding[0], a.dilation[0], a.ceilMode);
  const ow = poolOutputSize(x.shape[3], kw, a.stride[1], a.padding[1], a.padding[1], a.dilation[1], a.ceilMode);
  if (oh < 1 || ow < 1) {
    throw new ShapeError(`${op}: kernel [${kh}, ${kw}] (dilation [${a.dilation.join(', ')}]) does not fit input ${fmtShape(x.shape)} with padding [${a.padding.join(', ')}]`);
  }
  return { shape: [x.shape[0], x.shape[1], oh, ow], dtype: 'float32' };
}

const f32 = (d: unknown): Float32Array => d as Float32Array;

const maxPoolInto: ForwardInto<Pool2dAttrs> = ([x], a, [y]) => maxPool2dNCHW(f32(x.data), f32(y), geometry(x.shape, a));
const maxPoolBackwardInto: ForwardInto<Pool2dAttrs> = ([x, gy], a, [dx]) =>
  maxPool2dBackwardNCHW(f32(x.data), f32(gy.data), f32(dx), geometry(x.shape, a));
const avgPoolInto: ForwardInto<AvgPool2dAttrs> = ([x], a, [y]) =>
  avgPool2dNCHW(f32(x.data), f32(y), geometry(x.shape, a), { countIncludePad: a.countIncludePad, divisor: a.divisorOverride });
const avgPoolBackwardInto: ForwardInto<AvgPool2dBackwardAttrs> = ([gy], a, [dx]) =>
  avgPool2dBackwardNCHW(f32(gy.data), f32(dx), geometry([gy.shape[0], gy.shape[1], ...a.inputSize], a),
    { countIncludePad: a.countIncludePad, divisor: a.divisorOverride });

/** maxPool2d(x): x [N, C, H, W]; padding counts as -inf. */
export const MAX_POOL2D = defineOp<Pool2dAttrs>({
  name: 'maxPool2d',
  onnx: (e, n, ins, outs) => { e.node('MaxPool', ins, outs, { ...emit.poolAttrs(n), dilations: { ints: emit.ints(n, 'dilation') } }); },
  infer: ([x], a) => [inferPool('maxPool2d', x, a)],
  forward: forwardFresh(maxPoolInto),
  forwardInto: maxPoolInto,
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) => [apply1(MAX_POOL2D_BACKWARD, [x, g!], attrs)],
});

/** The gradient of maxPool2d: inputs [x, gy] -> dx (gy routed to each window's first maximum). */
export const MAX_POOL2D_BACKWARD = defineOp<Pool2dAttrs>({
  name: 'maxPool2dBackward',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([x, gy], a) {
    const o = inferPool('maxPool2dBackward', x, a);
    if (fmtShape(gy.shape) !== fmtShape(o.shape)) throw new ShapeError(`maxPool2dBackward: gradOutput ${fmtShape(gy.shape)} does not match the pooled shape ${fmtShape(o.shape)}`);
    return [{ shape: x.shape, dtype: 'float32' }];
  },
  forward: forwardFresh(maxPoolBackwardInto),
  forwardInto: maxPoolBackwardInto,
  grad: () => { throw new GradError('maxPool2dBackward: second derivatives of maxPool2d are not supported'); },
});

/** avgPool2d(x): x [N, C, H, W], PyTorch's ceilMode / countIncludePad / divisorOverride rules. */
export const AVG_POOL2D: OpDef<AvgPool2dAttrs> = defineOp<AvgPool2dAttrs>({
  name: 'avgPool2d',
  onnx: (e, n, ins, outs) => {
    if (n.attrs.divisorOverride) throw emit.unsupported(n, 'divisorOverride');
    if (emit.ints(n, 'dilation').some((d) => d !== 1)) throw emit.unsupported(n, 'dilation');
    e.node('AveragePool', ins, outs, { ...emit.poolAttrs(n), count_include_pad: { i: n.attrs.countIncludePad ? 1 : 0 } });
  },
  infer: ([x], a) => [inferPool('avgPool2d', x, a)],
  forward: forwardFresh(avgPoolInto),
  forwardInto: avgPoolInto,
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) => [apply1(AVG_POOL2D_BACKWARD, [g!], { ...attrs, inputSize: x.shape.slice(2) })],
});

/** The gradient of avgPool2d: gy -> dx of spatial size `inputSize` (linear; its gradient is avgPool2d). */
export const AVG_POOL2D_BACKWARD: OpDef<AvgPool2dBackwardAttrs> = defineOp<AvgPool2dBackwardAttrs>({
  name: 'avgPool2dBackward',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([gy], a) {
    const x: TensorMeta = { shape: [gy.shape[0], gy.shape[1], a.inputSize[0], a.inputSize[1]], dtype: gy.dtype };
    const o = inferPool('avgPool2dBackward', x, a);
    if (fmtShape(gy.shape) !== fmtShape(o.shape)) throw new ShapeError(`avgPool2dBackward: gradOutput ${fmtShape(gy.shape)} does not match the pooled shape ${fmtShape(o.shape)}`);
    return [x];
  },
  forward: forwardFresh(avgPoolBackwardInto),
  forwardInto: avgPoolBackwardInto,
  grad: ({ attrs, gradOutputs: [g] }) => {
    const { inputSize: _drop, ...fwd } = attrs;
    return [apply1(AVG_POOL2D, [g!], fwd)];
  },
});

/** Adds a batch dim to [C, H, W] input, runs `fn`, removes it. */
function batched(op: string, x: Tensor, fn: (xb: Tensor) => Tensor): Tensor {
  if (x.ndim === 4) return fn(x);
  if (x.ndim !== 3) throw new ShapeError(`${op}: input must be 3-D [C, H, W] or 4-D [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  const y = fn(x.reshape([1, ...x.shape]));
  return y.reshape(y.shape.slice(1));
}

/** Options of maxPool2d. */
export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
}

export const MAX_POOL_KEYS = keysOf<MaxPool2dOptions>({ stride: true, padding: true, dilation: true, ceilMode: true });

function windowAttrs(op: string, kernelSize: Size2, o: { stride?: Size2 | null; padding?: Size2; dilation?: Size2; ceilMode?: boolean }): Pool2dAttrs {
  const kernel = pair(op, 'kernelSize', kernelSize, 1);
  return {
    kernel,
    stride: o.stride === undefined || o.stride === null ? kernel : pair(op, 'stride', o.stride, 1),
    padding: pair(op, 'padding', o.padding ?? 0, 0),
    dilation: pair(op, 'dilation', o.dilation ?? 1, 1),
    ceilMode: !!o.ceilMode,
  };
}

/**
 * 2-D max pooling (PyTorch's F.max_pool2d) over [N, C, H, W] or [C, H, W].
 * @example tg.maxPool2d(x, 2)                                   // halves H and W
 * @example tg.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, opts: MaxPool2dOptions = {}): Tensor {
  checkOptions('maxPool2d', opts, MAX_POOL_KEYS);
  const attrs = windowAttrs('maxPool2d', kernelSize, opts);
  return batched('maxPool2d', x, (xb) => apply1(MAX_POOL2D, [xb], attrs));
}

/** Options of avgPool2d. */
export interface AvgPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window by this instead. */
  divisorOverride?: number | null;
}

/**
 * 2-D average pooling (PyTorch's F.avg_pool2d) over [N, C, H, W] or [C, H, W].
 * @example tg.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false })
 */
export const AVG_POOL_KEYS = keysOf<AvgPool2dOptions>({ stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true });

export function avgPool2d(x: Tensor, kernelSize: Size2, opts: AvgPool2dOptions = {}): Tensor {
  checkOptions('avgPool2d', opts, AVG_POOL_KEYS);
  const d = opts.divisorOverride ?? 0;
  if (!Number.isInteger(d) || d < 0 || (opts.divisorOverride !== undefined && opts.divisorOverride !== null && d === 0)) {
    throw new ValueError(`avgPool2d: divisorOverride must be a positive integer, got ${opts.divisorOverride}`);
  }
  const attrs: AvgPool2dAttrs = {
    ...windowAttrs('avgPool2d', kernelSize, { ...opts, dilation: 1 }),
    countIncludePad: opts.countIncludePad ?? true, divisorOverride: d,
  };
  return batched('avgPool2d', x, (xb) => apply1(AVG_POOL2D, [xb], attrs));
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { AVG_POOL2D_TFLITE, AVG_POOL_IMPORT, LP_POOL_IMPORT, MAX_POOL2D_TFLITE, MAX_POOL_IMPORT } from '../convert/nn.js';
withTraits(MAX_POOL2D, { tflite: MAX_POOL2D_TFLITE, onnxImport: { MaxPool: MAX_POOL_IMPORT } });
withTraits(AVG_POOL2D, { tflite: AVG_POOL2D_TFLITE, onnxImport: { AveragePool: AVG_POOL_IMPORT, LpPool: LP_POOL_IMPORT } });
