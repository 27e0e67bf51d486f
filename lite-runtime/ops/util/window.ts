/** Sliding-window geometry shared by convolutions and pooling (NHWC). */

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

/** Clamps `a[from..to)` to [lo, hi] (a fused float activation). */
export function clampRange(a: Float32Array, from: number, to: number, lo: number, hi: number): void {
  if (lo === -Infinity && hi === Infinity) return;
  for (let i = from; i < to; i++) {
    const v = a[i]!;
    a[i] = v < lo ? lo : v > hi ? hi : v;
  }
}
