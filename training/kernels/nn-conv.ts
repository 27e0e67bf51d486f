/**
 * 2-D convolution on NCHW float32 tensors, forward and both gradients, with
 * groups (depthwise included). Dense groups go through im2col + GEMM
 * (`matmul`, WASM SIMD when loaded), one image per GEMM for large feature maps
 * and several side by side for small ones; groups of one input channel
 * (depthwise) use direct loops (nn-depthwise.ts). Stride-1 convolutions build
 * their forward / weight-gradient columns as contiguous "wide" rows
 * (nn-conv-wide.ts) and fold the input gradient by gathering
 * (nn-conv-gather.ts); work buffers come from nn-scratch.ts. Where the training
 * wasm module loads, the stride-1 wide forward / weight gradient and the stride-1
 * input gradient run there instead (nn-conv-wasm.ts), and 3x3 stride-1 ones with
 * 8+ channels each side by Winograd F(4x4, 3x3) (nn-conv-winograd.ts). The transposed
 * convolution is `conv2dBackwardInputNCHW`.
 */
import { KernelArgumentError, checkDim, checkLen } from '../../lite-runtime/kernels/errors.js';
import { depthwiseBackwardInput, depthwiseBackwardWeight, depthwiseForward } from './nn-depthwise.js';
import { matmul } from '../../lite-runtime/kernels/index.js';
import { convOutputSize, type ConvGeometry } from '../../lite-runtime/kernels/im2col.js';
import { col2imStride1 } from './nn-conv-gather.js';
import { wideBackwardWeight, wideFits, wideForward } from './nn-conv-wide.js';
import { wasmBackwardInputStride1, wasmWideBackwardWeight, wasmWideForward } from './nn-conv-wasm.js';
import { winogradBackwardInput, winogradBackwardWeight, winogradForward } from './nn-conv-winograd.js';
import { scratch } from './nn-scratch.js';

/**
 * Derived sizes of one convolution x [n, c, h, w] * w [oc, c/groups, kh, kw] -> y [n, oc, outH, outW],
 * shared with the depthwise loops.
 */
export interface ConvPlan {
  /** The geometry with every field filled in, and the output channels. */
  s: Required<ConvGeometry> & { oc: number };
  cg: number; ocg: number; kk: number; outH: number; outW: number; ohw: number; hw: number;
  /** 1x1 kernel, stride 1, no padding: the input already is the im2col matrix. */
  direct1x1: boolean;
  /** One input channel per group and several groups: direct loops instead of GEMMs of depth kh*kw. */
  depthwise: boolean;
  /** Stride 1 with little padding waste: contiguous "wide" im2col rows (nn-conv-wide.ts) for forward and weight gradient. */
  wide: boolean;
  /** Per kernel column kx: the outputs [x0[kx], x1[kx]) whose input column lies inside the image. */
  x0: Int32Array; x1: Int32Array;
}

/** Validates sizes and derives per-group quantities; `kernel` names the caller in errors. */
function plan(kernel: string, g: ConvGeometry, oc: number): ConvPlan {
  const s = { n: g.n ?? 1, c: g.c, oc, groups: g.groups ?? 1 };
  for (const k of ['n', 'c', 'oc', 'groups'] as const) checkDim(kernel, k, s[k]);
  if (s.groups < 1 || s.c % s.groups !== 0 || s.oc % s.groups !== 0) {
    throw new KernelArgumentError(kernel, `groups = ${s.groups} must be >= 1 and divide c = ${s.c} and oc = ${s.oc}`);
  }
  const cg = s.c / s.groups;
  const r = convOutputSize(g, kernel);
  const full = { ...r, ...s, ceilMode: false };
  const direct1x1 = r.kh === 1 && r.kw === 1 && r.strideH === 1 && r.strideW === 1 &&
    r.padTop + r.padLeft + r.padBottom + r.padRight === 0;
  const p: ConvPlan = {
    s: full, cg, ocg: s.oc / s.groups, kk: r.kh * r.kw, outH: r.outH, outW: r.outW, ohw: r.outH * r.outW,
    hw: r.h * r.w, direct1x1, depthwise: cg === 1 && s.groups > 1, wide: false, ...tapRanges(full, r.outW),
  };
  p.wide = wideFits(p);
  return p;
}

function checkSizes(kernel: string, p: ConvPlan, x: Float32Array, w: Float32Array, y: Float32Array, xName: string, yName: string): void {
  const { s } = p;
  checkLen(kernel, xName, x, s.n * s.c * p.hw, 'n*c*h*w');
  checkLen(kernel, 'w', w, s.oc * p.cg * p.kk, 'oc*(c/groups)*kh*kw');
  checkLen(kernel, yName, y, s.n * s.oc * p.ohw, 'n*oc*outH*outW');
}

/**
 * y = conv2d(x, w) + bias, NCHW. x [n, c, h, w], w [oc, c/groups, kh, kw], bias [oc] or null.
 * @example conv2dNCHW(x, w, b, y, { n: 1, c: 3, h: 8, w: 8, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }, 4);
 */
export function conv2dNCHW(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: ConvGeometry, oc: number): void {
  const p = plan('conv2dNCHW', g, oc), s = p.s;
  checkSizes('conv2dNCHW', p, x, w, y, 'x', 'y');
  if (bias) checkLen('conv2dNCHW', 'bias', bias, s.oc, 'oc');
  const { cg, ocg, ohw, hw } = p;
  if (p.depthwise) depthwiseForward(x, w, y, p);
  else if (winogradForward(x, w, bias, y, p)) { /* done by Winograd in the training wasm module */ }
  else if (wasmWideForward(x, w, bias, y, p)) { /* done in the training wasm module */ }
  else if (p.wide) wideForward(x, w, bias, y, p);
  else {
    const K = cg * p.kk, B = imagesPerGemm(p);
    const col = B === 1 && p.direct1x1 ? null : scratch('conv.col', K * B * ohw);
    const tmp = B > 1 ? scratch('conv.out', ocg * B * ohw) : null;
    for (let b0 = 0; b0 < s.n; b0 += B) {
      const nb = Math.min(B, s.n - b0), cols = nb * ohw;
      for (let g = 0; g < s.groups; g++) {
        const wg = w.subarray(g * ocg * K, (g + 1) * ocg * K);
        // the bias is written first and the product accumulated onto it (no extra pass over y)
        if (!tmp) {
          const xg = x.subarray((b0 * s.c + g * cg) * hw, (b0 * s.c + (g + 1) * cg) * hw);
          const yg = y.subarray((b0 * s.oc + g * ocg) * ohw, (b0 * s.oc + (g + 1) * ocg) * ohw);
          if (col) im2col(xg, col, p, ohw, 0);
          if (bias) for (let o = 0; o < ocg; o++) yg.fill(bias[g * ocg + o], o * ohw, (o + 1) * ohw);
          matmul(wg, col ?? xg, yg, ocg, K, ohw, { accumulate: !!bias });
          continue;
        }
        for (let i = 0; i < nb; i++) im2col(x.subarray(((b0 + i) * s.c + g * cg) * hw), col!, p, cols, i * ohw);
        if (bias) for (let o = 0; o < ocg; o++) tmp.fill(bias[g * ocg + o], o * cols, (o + 1) * cols);
        matmul(wg, col!.subarray(0, K * cols), tmp.subarray(0, ocg * cols), ocg, K, cols, { accumulate: !!bias });
        for (let i = 0; i < nb; i++) {
          for (let o = 0; o < ocg; o++) {
            const src = o * cols + i * ohw;
            y.set(tmp.subarray(src, src + ohw), ((b0 + i) * s.oc + g * ocg + o) * ohw);
          }
        }
      }
    }
  }
  if (bias && p.depthwise) {
    for (let b = 0; b < s.n; b++) {
      for (let o = 0; o < s.oc; o++) {
        const v = bias[o], base = (b * s.oc + o) * ohw;
        for (let i = base; i < base + ohw; i++) y[i] += v;
      }
    }
  }
}

/**
 * dx = the input gradient of conv2d given gy, NCHW (overwrites dx). Also the
 * transposed convolution: gy is its input [n, oc, outH, outW], dx its output.
 * @example conv2dBackwardInputNCHW(gy, w, dx, geometry, oc);
 */
export function conv2dBackwardInputNCHW(gy: Float32Array, w: Float32Array, dx: Float32Array, g: ConvGeometry, oc: number): void {
  const p = plan('conv2dBackwardInputNCHW', g, oc), s = p.s;
  checkSizes('conv2dBackwardInputNCHW', p, dx, w, gy, 'dx', 'gy');
  const { cg, ocg, ohw, hw } = p;
  // stride 1 folds by gathering (every dx element written once); the scatter form accumulates
  const gather = s.strideH === 1 && s.strideW === 1 && !p.depthwise;
  const fold = gather ? col2imStride1 : col2im;
  if (!gather) dx.fill(0, 0, s.n * s.c * hw);
  if (p.depthwise) { depthwiseBackwardInput(gy, w, dx, p); return; }
  if (gather && (winogradBackwardInput(gy, w, dx, p) || wasmBackwardInputStride1(gy, w, dx, p))) return;
  const K = cg * p.kk, B = imagesPerGemm(p);
  const col = B === 1 && p.direct1x1 ? null : scratch('conv.col', K * B * ohw);
  const gyT = B > 1 ? scratch('conv.gy', ocg * B * ohw) : null;
  for (let b0 = 0; b0 < s.n; b0 += B) {
    const nb = Math.min(B, s.n - b0), cols = nb * ohw;
    for (let g = 0; g < s.groups; g++) {
      const wg = w.subarray(g * ocg * K, (g + 1) * ocg * K);
      if (!gyT) {
        const dxg = dx.subarray((b0 * s.c + g * cg) * hw, (b0 * s.c + (g + 1) * cg) * hw);
        matmul(wg, gy.subarray((b0 * s.oc + g * ocg) * ohw, (b0 * s.oc + (g + 1) * ocg) * ohw), col ?? dxg, K, ocg, ohw, { transA: true });
        if (col) fold(col, dxg, p, ohw, 0);
        continue;
      }
      gatherImages(gy, gyT, p, b0, nb, g);
      matmul(wg, gyT.subarray(0, ocg * cols), col!.subarray(0, K * cols), K, ocg, cols, { transA: true });
      for (let i = 0; i < nb; i++) fold(col!, dx.subarray(((b0 + i) * s.c + g * cg) * hw), p, cols, i * ohw);
    }
  }
}

/**
 * dw = the weight gradient of conv2d given x and gy, NCHW (overwrites dw).
 * @example conv2dBackwardWeightNCHW(x, gy, dw, geometry, oc);
 */
export function conv2dBackwardWeightNCHW(x: Float32Array, gy: Float32Array, dw: Float32Array, g: ConvGeometry, oc: number): void {
  const p = plan('conv2dBackwardWeightNCHW', g, oc), s = p.s;
  checkSizes('conv2dBackwardWeightNCHW', p, x, dw, gy, 'x', 'gy');
  const { cg, ocg, ohw, hw } = p;
  const K = cg * p.kk, B = imagesPerGemm(p);
  dw.fill(0, 0, s.oc * K);
  if (p.depthwise) { depthwiseBackwardWeight(x, gy, dw, p); return; }
  if (winogradBackwardWeight(x, gy, dw, p) || wasmWideBackwardWeight(x, gy, dw, p)) return;
  if (p.wide) { wideBackwardWeight(x, gy, dw, p); return; }
  const col = B === 1 && p.direct1x1 ? null : scratch('conv.col', K * B * ohw);
  const gyT = B > 1 ? scratch('conv.gy', ocg * B * ohw) : null;
  // few im2col rows (a first layer: K = c*kh*kw < ocg): dw^T [K, ocg] is the better-shaped product
  // (the GEMM's 8-wide column panels would mostly pad K), transposed into dw at the end
  const swap = K < ocg && K < 64;
  const acc = swap ? scratch('conv.dwT', s.oc * K).fill(0) : dw;
  const product = (a: Float32Array, b: Float32Array, out: Float32Array, len: number) => {
    if (swap) matmul(b, a, out, K, len, ocg, { transB: true, accumulate: true });
    else matmul(a, b, out, ocg, len, K, { transB: true, accumulate: true });
  };
  for (let b0 = 0; b0 < s.n; b0 += B) {
    const nb = Math.min(B, s.n - b0), cols = nb * ohw;
    for (let g = 0; g < s.groups; g++) {
      const dwg = acc.subarray(g * ocg * K, (g + 1) * ocg * K);
      if (!gyT) {
        const xg = x.subarray((b0 * s.c + g * cg) * hw, (b0 * s.c + (g + 1) * cg) * hw);
        if (col) im2col(xg, col, p, ohw, 0);
        product(gy.subarray((b0 * s.oc + g * ocg) * ohw, (b0 * s.oc + (g + 1) * ocg) * ohw), col ?? xg, dwg, ohw);
        continue;
      }
      for (let i = 0; i < nb; i++) im2col(x.subarray(((b0 + i) * s.c + g * cg) * hw), col!, p, cols, i * ohw);
      gatherImages(gy, gyT, p, b0, nb, g);
      product(gyT.subarray(0, ocg * cols), col!.subarray(0, K * cols), dwg, cols);
    }
  }
  if (swap) {
    for (let g = 0; g < s.groups; g++) {
      const base = g * ocg * K;
      for (let r = 0; r < K; r++) for (let o = 0; o < ocg; o++) dw[base + o * K + r] = acc[base + r * ocg + o];
    }
  }
}

/**
 * Images per GEMM: small feature maps are batched side by side (columns
 * [image][outH*outW]) so each product has at least ~1024 columns; large ones
 * go one image at a time, straight into the output.
 */
function imagesPerGemm(p: ConvPlan): number {
  return Math.max(1, Math.min(p.s.n, Math.floor(1024 / Math.max(p.ohw, 1))));
}

/** gyT [ocg, nb*ohw] = group g's output channels of images b0..b0+nb, side by side. */
function gatherImages(gy: Float32Array, gyT: Float32Array, p: ConvPlan, b0: number, nb: number, g: number): void {
  const { s, ocg, ohw } = p, cols = nb * ohw;
  for (let o = 0; o < ocg; o++) {
    for (let i = 0; i < nb; i++) {
      const src = ((b0 + i) * s.oc + g * ocg + o) * ohw;
      gyT.set(gy.subarray(src, src + ohw), o * cols + i * ohw);
    }
  }
}

// im2col / col2im of one group of one image: row (ci*kh + ky)*kw + kx of col
// holds that tap over the image's outH*outW outputs, at col[row*ld + off ...]
// (ld > outH*outW when several images share one GEMM).

function im2col(x: Float32Array, col: Float32Array, p: ConvPlan, ld: number, off: number): void {
  const { s, cg, outH, outW } = p;
  const h = s.h, w = s.w, sh = s.strideH, sw = s.strideW;
  if (sh === 1 && sw === 1 && outW === w) { im2colSameWidth(x, col, p, ld, off); return; }
  for (let ci = 0, r = 0; ci < cg; ci++) {
    const xo = ci * h * w;
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++, r++) {
        const x0 = p.x0[kx], x1 = p.x1[kx];
        const dx = kx * s.dilationW - s.padLeft;
        let o = r * ld + off;
        for (let oy = 0; oy < outH; oy++, o += outW) {
          const iy = oy * sh + ky * s.dilationH - s.padTop;
          if (iy < 0 || iy >= h) { zero(col, o, o + outW); continue; }
          const row = xo + iy * w + dx;
          for (let ox = 0; ox < x0; ox++) col[o + ox] = 0;
          if (sw === 1) copy(x, row + x0, row + x1, col, o + x0);
          else for (let ox = x0; ox < x1; ox++) col[o + ox] = x[row + ox * sw];
          for (let ox = x1; ox < outW; ox++) col[o + ox] = 0;
        }
      }
    }
  }
}

/**
 * im2col for stride 1 when output rows are as wide as input rows ('same'
 * padding): each tap's valid rows are one contiguous block of the image,
 * copied at once; the columns that fall in the padding are zeroed after.
 */
function im2colSameWidth(x: Float32Array, col: Float32Array, p: ConvPlan, ld: number, off: number): void {
  const { s, cg, outH, outW } = p;
  const h = s.h, w = s.w, hw = h * w;
  for (let ci = 0, r = 0; ci < cg; ci++) {
    const xo = ci * hw;
    for (let ky = 0; ky < s.kh; ky++) {
      const dy = ky * s.dilationH - s.padTop;
      const oy0 = Math.min(outH, Math.max(0, -dy)), oy1 = Math.max(oy0, Math.min(outH, h - dy));
      for (let kx = 0; kx < s.kw; kx++, r++) {
        const x0 = p.x0[kx], x1 = p.x1[kx], dx = kx * s.dilationW - s.padLeft;
        const o = r * ld + off;
        zero(col, o, o + oy0 * outW);
        zero(col, o + oy1 * outW, o + outH * outW);
        if (oy1 === oy0) continue;
        // source [a, b) maps to col at o + oy0*outW + (index - start); clip it to the plane
        const start = xo + (oy0 + dy) * w + dx, end = start + (oy1 - oy0) * w;
        const a = Math.max(start, xo), b = Math.min(end, xo + hw);
        const d = o + oy0 * outW - start;
        copy(x, a, b, col, a + d);
        for (let oy = oy0; oy < oy1; oy++) {
          const ro = o + oy * outW;
          for (let ox = 0; ox < x0; ox++) col[ro + ox] = 0;
          for (let ox = x1; ox < outW; ox++) col[ro + ox] = 0;
        }
        zero(col, start + d, a + d);
        zero(col, b + d, end + d);
      }
    }
  }
}

/** dst[at..] = src[a, b): a loop for short runs (a typed-array view costs more), memcpy for long ones. */
function copy(src: Float32Array, a: number, b: number, dst: Float32Array, at: number): void {
  if (b - a >= 256) { dst.set(src.subarray(a, b), at); return; }
  for (let i = a; i < b; i++) dst[at + i - a] = src[i];
}

function zero(dst: Float32Array, a: number, b: number): void {
  if (b - a >= 256) { dst.fill(0, a, b); return; }
  for (let i = a; i < b; i++) dst[i] = 0;
}

/** dx += fold(col), the adjoint of im2col. */
function col2im(col: Float32Array, dx: Float32Array, p: ConvPlan, ld: number, off: number): void {
  const { s, cg, outH, outW } = p;
  const h = s.h, w = s.w, sh = s.strideH, sw = s.strideW;
  for (let ci = 0, r = 0; ci < cg; ci++) {
    const xo = ci * h * w;
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++, r++) {
        const x0 = p.x0[kx], x1 = p.x1[kx];
        const dxo = kx * s.dilationW - s.padLeft;
        let o = r * ld + off;
        for (let oy = 0; oy < outH; oy++, o += outW) {
          const iy = oy * sh + ky * s.dilationH - s.padTop;
          if (iy < 0 || iy >= h) continue;
          const row = xo + iy * w + dxo;
          if (sw === 1) addRun(dx, row + x0, col, o + x0, x1 - x0);
          else for (let ox = x0; ox < x1; ox++) dx[row + ox * sw] += col[o + ox];
        }
      }
    }
  }
}

/** dst[d, d+n) += src[s, s+n), unrolled by 4 (about 1.5x faster in V8 than the plain loop). */
function addRun(dst: Float32Array, d: number, src: Float32Array, s: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    dst[d + i] += src[s + i]; dst[d + i + 1] += src[s + i + 1];
    dst[d + i + 2] += src[s + i + 2]; dst[d + i + 3] += src[s + i + 3];
  }
  for (; i < n; i++) dst[d + i] += src[s + i];
}

/** Per kernel column kx, the outputs whose input column lies inside the image. */
function tapRanges(s: ConvPlan['s'], outW: number): { x0: Int32Array; x1: Int32Array } {
  const x0 = new Int32Array(s.kw), x1 = new Int32Array(s.kw);
  for (let kx = 0; kx < s.kw; kx++) {
    const off = kx * s.dilationW - s.padLeft;
    x0[kx] = off >= 0 ? 0 : Math.min(outW, Math.ceil(-off / s.strideW));
    x1[kx] = s.w - off <= 0 ? x0[kx] : Math.max(x0[kx], Math.min(outW, Math.ceil((s.w - off) / s.strideW)));
  }
  return { x0, x1 };
}
