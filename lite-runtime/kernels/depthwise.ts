/**
 * Depthwise 2-D convolution, NHWC (MobileNet's DEPTHWISE_CONV_2D; training's conv
 * with groups = channels): one image x [h, w, c], weights w [kh, kw, c * m]
 * (TFLite's [1, kh, kw, c * m] filter, depth multiplier m), output [outH, outW, c * m],
 * float with bias and fused relu/relu6 (wasm for m = 1 and c a multiple of 4; int8 with
 * the requantization fused: qfused.ts).
 */
import { KernelArgumentError, checkLen } from './errors.js';
import { convOutputSize, type ConvGeometry, type ResolvedConv } from './im2col.js';
import { actCode, applyActJs, type Activation } from './act.js';
import { activeWasm } from './backend.js';
import { depthwiseJs } from './js/depthwise.js';

/** Options of `depthwiseNHWC`. */
export interface DepthwiseOptions {
  /** Per-channel bias (length c * multiplier). */
  bias?: Float32Array | null;
  act?: Activation;
  /** Depth multiplier (default 1). */
  multiplier?: number;
}

/**
 * y[outH, outW, c] = act(bias + depthwise conv of x[h, w, c] with w[kh, kw, c]).
 * @example
 * const g = convOutputSize({ c: 32, h: 112, w: 112, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 });
 * depthwiseNHWC(x, w, y, g, { bias, act: 'relu6' });
 */
export function depthwiseNHWC(x: Float32Array, w: Float32Array, y: Float32Array, geometry: ConvGeometry, opts: DepthwiseOptions = {}): void {
  const m = opts.multiplier ?? 1, g = check('depthwiseNHWC', x, w, y, geometry, m), oc = g.c * m;
  const bias = opts.bias ?? null;
  if (bias) checkLen('depthwiseNHWC', 'bias', bias, oc, m === 1 ? 'c' : 'c*multiplier');
  const code = actCode(opts.act);
  if (code < 0) throw new KernelArgumentError('depthwiseNHWC', `act must be 'relu', 'relu6' or null, got '${String(opts.act)}'`);
  const yv = y.subarray(0, g.outH * g.outW * oc);
  if (yv.length === 0) return;
  const k = m === 1 && g.c % 4 === 0 ? activeWasm() : null;
  if (k) {
    try {
      k.depthwise(x, w, bias, yv, g, code);
      return;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  depthwiseJs(x, w, bias, yv, g, m);
  applyActJs(yv, code);
}

function check(kernel: string, x: ArrayLike<number>, w: ArrayLike<number>, y: ArrayLike<number>, geometry: ConvGeometry, m: number): ResolvedConv {
  const g = convOutputSize(geometry, kernel);
  const times = m === 1 ? '' : '*multiplier';
  checkLen(kernel, 'x', x, g.h * g.w * g.c, 'h*w*c');
  checkLen(kernel, 'w', w, g.kh * g.kw * g.c * m, `kh*kw*c${times}`);
  checkLen(kernel, 'y', y, g.outH * g.outW * g.c * m, `outH*outW*c${times}`);
  return g;
}
