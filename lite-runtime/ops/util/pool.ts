/** Shared prepare of AVERAGE_POOL_2D and MAX_POOL_2D (NHWC, Pool2DOptions). */

import { Pool2DOptions as F } from '../../format/schema.js';
import type { OpNode } from '../op.js';
import { expect, expectDType, expectRank, input, output, qparams, setOutput, describe } from './check.js';
import { actName, floatActRange, quantActRange } from './activation.js';
import { requantMode } from './requant.js';
import { window2d, type Window2D } from './window.js';

/** Pooling geometry and clamp range (float, or int8 in the output's quantization). */
export interface PoolState {
  int8: boolean; n: number; h: number; w: number; c: number; win: Window2D; lo: number; hi: number;
}

/**
 * Checks a pooling node and sets its output shape. Int8 pooling keeps the
 * input's quantization, so the output must carry the same scale and zero point.
 */
export function preparePool(op: string, node: OpNode): PoolState {
  const x = input(op, node, 0), y = output(op, node, 0);
  expectDType(op, node, 'input 0', x, 'float32', 'int8');
  expectRank(op, node, 'input 0', x, 4);
  const o = node.options;
  expect(op, node, o !== null, () => 'needs Pool2DOptions');
  const padding = o.i8(F.padding, 0);
  const sw = o.i32(F.stride_w, 1), sh = o.i32(F.stride_h, 1);
  const fw = o.i32(F.filter_width, 1), fh = o.i32(F.filter_height, 1);
  expect(op, node, sw >= 1 && sh >= 1 && fw >= 1 && fh >= 1, () => `strides (${sh},${sw}) and filter ${fh}x${fw} must be >= 1`);
  expect(op, node, padding === 0 || padding === 1, () => `padding must be SAME (0) or VALID (1), got ${padding}`);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const win = window2d(padding, h, w, fh, fw, sh, sw);
  expect(op, node, win.outH > 0 && win.outW > 0, () => `filter ${fh}x${fw} does not fit ${describe('input 0', x)}`);
  setOutput(op, node, y, [n, win.outH, win.outW, c], x.dtype);
  const act = o.i8(F.fused_activation_function, 0);
  if (x.dtype === 'float32') {
    const r = floatActRange(act);
    expect(op, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
    return { int8: false, n, h, w, c, win, lo: r[0], hi: r[1] };
  }
  const xq = qparams(op, node, 'input 0', x), yq = qparams(op, node, 'output', y);
  expect(op, node, Math.abs(xq.scale - yq.scale) <= 1e-6 * xq.scale && xq.zeroPoint === yq.zeroPoint,
    () => `int8 pooling needs the output quantization (${yq.scale}, ${yq.zeroPoint}) equal to the input's (${xq.scale}, ${xq.zeroPoint})`);
  // XNNPACK runs int8 MAX_POOL_2D (its rounding of the bounds); TFLite's kernel runs AVERAGE_POOL_2D
  const r = quantActRange(act, yq.scale, yq.zeroPoint, -128, 127, op === 'MAX_POOL_2D' && requantMode() === 'fp32');
  expect(op, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
  return { int8: true, n, h, w, c, win, lo: r[0], hi: r[1] };
}

/** In-image window bounds [y0,y1) x [x0,x1) of one output pixel. */
export function poolBounds(s: PoolState, oy: number, ox: number, out: Int32Array): void {
  const y = oy * s.win.strideH - s.win.padTop, x = ox * s.win.strideW - s.win.padLeft;
  out[0] = Math.max(0, y); out[1] = Math.min(s.h, y + s.win.kh);
  out[2] = Math.max(0, x); out[3] = Math.min(s.w, x + s.win.kw);
}
