/** Sliding-window geometry shared by convolutions and pooling (NHWC). */

import type { OpNode, OptionsTable } from '../op.js';
import { expect } from './check.js';
import { outSize, padBefore } from './padding.js';

/** Output size and padding of a 2-D window over an input image. */
export interface Window2D {
  outH: number; outW: number;
  padTop: number; padLeft: number; padBottom: number; padRight: number;
  strideH: number; strideW: number; dilationH: number; dilationW: number;
  kh: number; kw: number;
}

/**
 * TFLite's SAME/VALID geometry for a kh x kw window over an h x w image.
 * @example window2d(0, 96, 96, 3, 3, 2, 2) // { outH: 48, padTop: 0, padBottom: 1, ... }
 */
export function window2d(
  padding: number, h: number, w: number, kh: number, kw: number,
  strideH: number, strideW: number, dilationH = 1, dilationW = 1,
): Window2D {
  const outH = outSize(padding, h, kh, strideH, dilationH);
  const outW = outSize(padding, w, kw, strideW, dilationW);
  const padTop = padBefore(strideH, dilationH, h, kh, outH);
  const padLeft = padBefore(strideW, dilationW, w, kw, outW);
  const totalH = Math.max(0, (outH - 1) * strideH + (kh - 1) * dilationH + 1 - h);
  const totalW = Math.max(0, (outW - 1) * strideW + (kw - 1) * dilationW + 1 - w);
  return {
    outH, outW, padTop, padLeft, padBottom: totalH - padTop, padRight: totalW - padLeft,
    strideH, strideW, dilationH, dilationW, kh, kw,
  };
}

/**
 * Options of a convolution into which a PAD was folded at load (`fold-pad.ts`): the
 * explicit padding [top, bottom, left, right] replaces the VALID window's none.
 */
export interface PaddedOptions extends OptionsTable {
  readonly explicitPadding: readonly [number, number, number, number];
}

/** Option field ids of a convolution's window (as in `Conv2DOptions`, `DepthwiseConv2DOptions`). */
export interface ConvWindowFields { padding: number; stride_w: number; stride_h: number; dilation_w_factor: number; dilation_h_factor: number }

/**
 * Reads a convolution's padding, strides and dilations from its options (TFLite's defaults when
 * absent), checks them, and returns the window of a kh x kw filter over an h x w image.
 * @example convWindow('CONV_2D', node, Conv2DOptions, 96, 96, 3, 3)
 */
export function convWindow(op: string, node: OpNode, f: ConvWindowFields, h: number, w: number, kh: number, kw: number): Window2D {
  const o = node.options;
  const padding = o ? o.i8(f.padding, 0) : 0;
  const sw = o ? o.i32(f.stride_w, 1) : 1, sh = o ? o.i32(f.stride_h, 1) : 1;
  const dw = o ? o.i32(f.dilation_w_factor, 1) : 1, dh = o ? o.i32(f.dilation_h_factor, 1) : 1;
  expect(op, node, sw >= 1 && sh >= 1 && dw >= 1 && dh >= 1, () => `strides (${sh},${sw}) and dilations (${dh},${dw}) must be >= 1`);
  expect(op, node, padding === 0 || padding === 1, () => `padding must be SAME (0) or VALID (1), got ${padding}`);
  if (o && 'explicitPadding' in o) {
    const [padTop, padBottom, padLeft, padRight] = (o as PaddedOptions).explicitPadding;
    const outH = Math.floor((h + padTop + padBottom - (kh - 1) * dh - 1) / sh) + 1;
    const outW = Math.floor((w + padLeft + padRight - (kw - 1) * dw - 1) / sw) + 1;
    return { outH, outW, padTop, padLeft, padBottom, padRight, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, kh, kw };
  }
  return window2d(padding, h, w, kh, kw, sh, sw, dh, dw);
}

/** Clamps `a[from..to)` to [lo, hi] (a fused float activation). */
export function clampRange(a: Float32Array, from: number, to: number, lo: number, hi: number): void {
  if (lo === -Infinity && hi === Infinity) return;
  for (let i = from; i < to; i++) {
    const v = a[i]!;
    a[i] = v < lo ? lo : v > hi ? hi : v;
  }
}
