/**
 * Plain TypeScript depthwise convolution, NHWC (the fallback of `depthwiseNHWC`, and
 * multipliers > 1): per output pixel and tap, one pass over the contiguous channels.
 */
import type { ResolvedConv } from '../im2col.js';

/** y[oh, ow, c * mult + j] = bias + sum over taps of x[iy, ix, c] * w[ky, kx, c * mult + j]. */
export function depthwiseJs(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: ResolvedConv, mult = 1): void {
  const { c, h, kh, kw } = g, oc = c * mult;
  let yo = 0;
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++, yo += oc) {
      if (bias) for (let o = 0; o < oc; o++) y[yo + o] = bias[o];
      else y.fill(0, yo, yo + oc);
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * g.strideH + ky * g.dilationH - g.padTop;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
          if (ix < 0 || ix >= g.w) continue;
          const xo = (iy * g.w + ix) * c, wo = (ky * kw + kx) * oc;
          if (mult === 1) for (let ch = 0; ch < c; ch++) y[yo + ch] += x[xo + ch] * w[wo + ch];
          else for (let o = 0; o < oc; o++) y[yo + o] += x[xo + ((o / mult) | 0)] * w[wo + o];
        }
      }
    }
  }
}
