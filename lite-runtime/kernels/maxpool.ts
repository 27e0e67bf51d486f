/**
 * Max pooling, NHWC, float32 or int8, in the wasm kernels (input and output in place
 * when they live in the kernels' memory). False where it cannot run in wasm now: the
 * caller takes its own path.
 */
import { KernelArgumentError } from './errors.js';
import { activeWasm } from './backend.js';
import { convOutputSize, type ConvGeometry } from './im2col.js';

/** Clamp range and where the image and its output start (elements). */
export interface MaxPoolOptions {
  lo?: number;
  hi?: number;
  xOffset?: number;
  yOffset?: number;
}

/**
 * y[outH, outW, c] = clamp(max over each window's in-image taps of x[h, w, c], lo, hi);
 * windows without an in-image tap give the value of [lo, hi] nearest 0. The window is
 * the geometry's kh x kw (dilation 1), with its strides and padding.
 * @example if (!maxPoolNHWC(x, y, { c, h, w, kh: 2, kw: 2, strideH: 2, strideW: 2 })) slowPath();
 */
export function maxPoolNHWC<T extends Float32Array | Int8Array>(x: T, y: T, geometry: ConvGeometry, opts: MaxPoolOptions = {}): boolean {
  const k = activeWasm();
  if (!k) return false;
  const g = convOutputSize(geometry, 'maxPoolNHWC');
  if (g.dilationH !== 1 || g.dilationW !== 1) throw new KernelArgumentError('maxPoolNHWC', 'pooling windows have no dilation');
  if (x.constructor !== y.constructor) throw new KernelArgumentError('maxPoolNHWC', 'x and y must have the same element type');
  const lo = opts.lo ?? -Infinity, hi = opts.hi ?? Infinity, xOff = opts.xOffset ?? 0, yOff = opts.yOffset ?? 0;
  if (!(lo <= hi)) throw new KernelArgumentError('maxPoolNHWC', `lo ${lo} must not exceed hi ${hi}`);
  if (x instanceof Int8Array && !(Number.isInteger(lo) && Number.isInteger(hi) && lo >= -128 && hi <= 127)) {
    throw new KernelArgumentError('maxPoolNHWC', `int8 clamp [${lo}, ${hi}] must be integers within [-128, 127]`);
  }
  if (!(xOff >= 0 && xOff + g.h * g.w * g.c <= x.length)) throw new KernelArgumentError('maxPoolNHWC', `x of ${x.length} elements has no ${g.h}x${g.w}x${g.c} image at ${xOff}`);
  if (!(yOff >= 0 && yOff + g.outH * g.outW * g.c <= y.length)) throw new KernelArgumentError('maxPoolNHWC', `y of ${y.length} elements has no ${g.outH}x${g.outW}x${g.c} output at ${yOff}`);
  return k.maxPool(x, xOff, y, yOff, g, lo, hi);
}
