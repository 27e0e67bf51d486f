/**
 * Depthwise 2-D convolution loops (NCHW, one input channel per group, `ocg`
 * outputs each): forward and both gradients, called by nn-conv.ts where a GEMM
 * of depth kh*kw would be mostly overhead.
 */
import type { ConvPlan } from './nn-conv.js';

// For output (oy, ox) and tap (ky, kx): iy = oy*sH + ky*dH - padTop; the valid
// ox range [p.x0[kx], p.x1[kx]) of each tap is precomputed so the inner loop has no bounds test.

/** y = depthwise conv of x (overwrites y). */
export function depthwiseForward(x: Float32Array, w: Float32Array, y: Float32Array, p: ConvPlan): void {
  const { s, ocg, outH, outW, ohw, hw } = p;
  const sw = s.strideW;
  y.fill(0, 0, s.n * s.oc * ohw);
  for (let b = 0; b < s.n; b++) {
    for (let o = 0; o < s.oc; o++) {
      const xo = (b * s.c + Math.floor(o / ocg)) * hw, yo = (b * s.oc + o) * ohw, wo = o * p.kk;
      for (let ky = 0; ky < s.kh; ky++) {
        for (let kx = 0; kx < s.kw; kx++) {
          const wv = w[wo + ky * s.kw + kx];
          const x0 = p.x0[kx], x1 = p.x1[kx];
          const dx = kx * s.dilationW - s.padLeft;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * s.strideH + ky * s.dilationH - s.padTop;
            if (iy < 0 || iy >= s.h) continue;
            const row = xo + iy * s.w + dx, yr = yo + oy * outW;
            if (sw === 1) for (let ox = x0; ox < x1; ox++) y[yr + ox] += wv * x[row + ox];
            else for (let ox = x0; ox < x1; ox++) y[yr + ox] += wv * x[row + ox * sw];
          }
        }
      }
    }
  }
}

/** dx += the input gradient (dx zeroed by the caller). */
export function depthwiseBackwardInput(gy: Float32Array, w: Float32Array, dx: Float32Array, p: ConvPlan): void {
  const { s, ocg, outH, outW, ohw, hw } = p;
  const sw = s.strideW;
  for (let b = 0; b < s.n; b++) {
    for (let o = 0; o < s.oc; o++) {
      const xo = (b * s.c + Math.floor(o / ocg)) * hw, yo = (b * s.oc + o) * ohw, wo = o * p.kk;
      for (let ky = 0; ky < s.kh; ky++) {
        for (let kx = 0; kx < s.kw; kx++) {
          const wv = w[wo + ky * s.kw + kx];
          const x0 = p.x0[kx], x1 = p.x1[kx];
          const off = kx * s.dilationW - s.padLeft;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * s.strideH + ky * s.dilationH - s.padTop;
            if (iy < 0 || iy >= s.h) continue;
            const row = xo + iy * s.w + off, yr = yo + oy * outW;
            if (sw === 1) for (let ox = x0; ox < x1; ox++) dx[row + ox] += wv * gy[yr + ox];
            else for (let ox = x0; ox < x1; ox++) dx[row + ox * sw] += wv * gy[yr + ox];
          }
        }
      }
    }
  }
}

/** dw = the weight gradient (every element written). */
export function depthwiseBackwardWeight(x: Float32Array, gy: Float32Array, dw: Float32Array, p: ConvPlan): void {
  const { s, ocg, outH, outW, ohw, hw } = p;
  const sw = s.strideW;
  for (let o = 0; o < s.oc; o++) {
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++) {
        const x0 = p.x0[kx], x1 = p.x1[kx];
        const off = kx * s.dilationW - s.padLeft;
        let acc = 0;
        for (let b = 0; b < s.n; b++) {
          const xo = (b * s.c + Math.floor(o / ocg)) * hw, yo = (b * s.oc + o) * ohw;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * s.strideH + ky * s.dilationH - s.padTop;
            if (iy < 0 || iy >= s.h) continue;
            const row = xo + iy * s.w + off, yr = yo + oy * outW;
            if (sw === 1) for (let ox = x0; ox < x1; ox++) acc += x[row + ox] * gy[yr + ox];
            else for (let ox = x0; ox < x1; ox++) acc += x[row + ox * sw] * gy[yr + ox];
          }
        }
        dw[o * p.kk + ky * s.kw + kx] = acc;
      }
    }
  }
}
