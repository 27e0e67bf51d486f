/**
 * Stride-1 dense convolution through "wide" columns (NCHW): on a plane of
 * width Wp (padded when the conv pads), tap (ky, kx) of output (oy, ox) reads
 * element (oy + ky*dH)*Wp + ox + kx*dW, so over the wide output grid
 * j = oy*Wp + ox (ox < Wp) each im2col row is one contiguous run of the
 * plane: a memcpy instead of a loop per output row. The GEMM then computes
 * Wp - outW extra "garbage" columns per output row, which are dropped
 * (forward) or given a zero gradient (weight gradient). Used when that costs
 * at most ~1/8 more GEMM columns (nn-conv.ts decides).
 */
import { matmul } from '../../lite-runtime/kernels/index.js';
import type { ConvPlan } from './nn-conv.js';
import { scratch } from './nn-scratch.js';

/** Padded plane sizes and wide columns per image. */
interface Wide { hp: number; wp: number; plane: number; cols: number; padded: boolean; images: number }

function wideOf(p: ConvPlan): Wide {
  const { s } = p;
  const hp = s.h + s.padTop + s.padBottom, wp = s.w + s.padLeft + s.padRight, cols = p.outH * wp;
  // several images side by side when one gives fewer than ~1024 GEMM columns
  const images = Math.max(1, Math.min(s.n, Math.floor(1024 / Math.max(cols, 1))));
  return { hp, wp, plane: hp * wp, cols, padded: hp * wp !== p.hw, images };
}

/**
 * Whether the wide path pays: stride 1, at most 1/8 more GEMM columns than
 * outputs, and im2col rows (cg*kh*kw) outnumbering the output rows it adds
 * work for (the forward compacts ocg rows, the weight gradient widens them).
 */
export function wideFits(p: ConvPlan): boolean {
  const { s } = p;
  return s.strideH === 1 && s.strideW === 1 && !p.depthwise && !p.direct1x1 && p.cg * p.kk >= 2 * p.ocg &&
    (s.w + s.padLeft + s.padRight - p.outW) * 8 <= p.outW;
}

/** The group's cg channels of one image, zero-padded to hp x wp in `dst` (or `xg` itself without padding). */
function source(xg: Float32Array, p: ConvPlan, d: Wide): Float32Array {
  if (!d.padded) return xg;
  const { s, cg } = p;
  const dst = scratch('conv.pad', cg * d.plane);
  dst.fill(0);
  for (let ci = 0; ci < cg; ci++) {
    for (let iy = 0; iy < s.h; iy++) {
      const from = (ci * s.h + iy) * s.w;
      dst.set(xg.subarray(from, from + s.w), ci * d.plane + (iy + s.padTop) * d.wp + s.padLeft);
    }
  }
  return dst;
}

/** Rows (ci, ky, kx) of the wide im2col of one image's planes, at col[row*ld + off ...]. */
function wideColumns(src: Float32Array, col: Float32Array, p: ConvPlan, d: Wide, ld: number, off: number): void {
  const { s, cg } = p, L = d.cols;
  for (let ci = 0, r = 0; ci < cg; ci++) {
    const end = (ci + 1) * d.plane;
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++, r++) {
        const start = ci * d.plane + ky * s.dilationH * d.wp + kx * s.dilationW;
        const n = Math.min(L, end - start), at = r * ld + off;
        col.set(src.subarray(start, start + n), at);
        if (n < L) col.fill(0, at + n, at + L); // past the plane: garbage columns only
      }
    }
  }
}

/** True when every element is finite (0 * inf and 0 * NaN are NaN). */
function allFinite(a: Float32Array): boolean {
  let z = 0;
  for (let i = 0; i < a.length; i++) z += a[i] * 0;
  return z === 0;
}

/** y = conv2d(x, w) + bias (overwrites y). */
export function wideForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, p: ConvPlan): void {
  const { s, cg, ocg, outH, outW, ohw, hw } = p;
  const d = wideOf(p), K = cg * p.kk;
  for (let b0 = 0; b0 < s.n; b0 += d.images) {
    const nb = Math.min(d.images, s.n - b0), ld = nb * d.cols;
    const col = scratch('conv.col', K * ld), out = scratch('conv.out', ocg * ld);
    for (let g = 0; g < s.groups; g++) {
      for (let i = 0; i < nb; i++) {
        const xo = ((b0 + i) * s.c + g * cg) * hw;
        wideColumns(source(x.subarray(xo, xo + cg * hw), p, d), col, p, d, ld, i * d.cols);
      }
      matmul(w.subarray(g * ocg * K, (g + 1) * ocg * K), col, out, ocg, K, ld);
      // keep the outW valid columns of each wide row, adding the bias on the way
      for (let i = 0; i < nb; i++) {
        for (let o = 0; o < ocg; o++) {
          const v = bias ? bias[g * ocg + o] : 0;
          let src = o * ld + i * d.cols, dst = ((b0 + i) * s.oc + g * ocg + o) * ohw;
          for (let oy = 0; oy < outH; oy++, src += d.wp, dst += outW) copyAdd(out, src, y, dst, outW, v);
        }
      }
    }
  }
}

/** dw += the weight gradient of conv2d (the caller zeroes dw). */
export function wideBackwardWeight(x: Float32Array, gy: Float32Array, dw: Float32Array, p: ConvPlan): void {
  const { s, cg, ocg, outH, outW, ohw, hw } = p;
  const d = wideOf(p), K = cg * p.kk;
  for (let b0 = 0; b0 < s.n; b0 += d.images) {
    const nb = Math.min(d.images, s.n - b0), ld = nb * d.cols;
    const col = scratch('conv.col', K * ld), gyw = scratch('conv.gy', ocg * ld);
    for (let g = 0; g < s.groups; g++) {
      let finite = true;
      for (let i = 0; i < nb; i++) {
        const xo = ((b0 + i) * s.c + g * cg) * hw, xg = x.subarray(xo, xo + cg * hw);
        finite = finite && allFinite(xg);
        wideColumns(source(xg, p, d), col, p, d, ld, i * d.cols);
      }
      // garbage columns meet zero gradients; they must hold finite values (0 * inf is NaN)
      if (!finite) zeroGarbage(col, K, ld, p, d);
      for (let o = 0; o < ocg; o++) {
        for (let i = 0; i < nb; i++) {
          let src = ((b0 + i) * s.oc + g * ocg + o) * ohw, dst = o * ld + i * d.cols;
          for (let oy = 0; oy < outH; oy++, src += outW, dst += d.wp) {
            copyRun(gy, src, gyw, dst, outW);
            for (let ox = outW; ox < d.wp; ox++) gyw[dst + ox] = 0;
          }
        }
      }
      matmul(gyw, col, dw.subarray(g * ocg * K, (g + 1) * ocg * K), ocg, ld, K, { transB: true, accumulate: true });
    }
  }
}

/** dst[d, d+n) = src[s, s+n) + v, unrolled by 4 (V8 runs short copy loops ~1.5x faster so). */
function copyAdd(src: Float32Array, s: number, dst: Float32Array, d: number, n: number, v: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    dst[d + i] = src[s + i] + v; dst[d + i + 1] = src[s + i + 1] + v;
    dst[d + i + 2] = src[s + i + 2] + v; dst[d + i + 3] = src[s + i + 3] + v;
  }
  for (; i < n; i++) dst[d + i] = src[s + i] + v;
}

/** dst[d, d+n) = src[s, s+n), unrolled by 4. */
function copyRun(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    dst[d + i] = src[s + i]; dst[d + i + 1] = src[s + i + 1];
    dst[d + i + 2] = src[s + i + 2]; dst[d + i + 3] = src[s + i + 3];
  }
  for (; i < n; i++) dst[d + i] = src[s + i];
}

function zeroGarbage(col: Float32Array, rows: number, ld: number, p: ConvPlan, d: Wide): void {
  for (let r = 0; r < rows; r++) {
    for (let j = r * ld; j < (r + 1) * ld; j += d.wp) col.fill(0, j + p.outW, j + d.wp);
  }
}
