/**
 * 2-D convolution on NCHW float32 tensors, forward and both gradients, with
 * groups (depthwise included). Dense groups go through im2col + GEMM
 * (`matmul`, WASM SIMD when loaded); groups of one input channel (depthwise)
 * use direct loops. The transposed convolution is `conv2dBackwardInputNCHW`.
 */
import { KernelError, checkDim, checkLen } from './errors.js';
import { matmul } from './index.js';
import { col2imNCHW, convOutputSize, im2colNCHW, type ConvGeometry } from './im2col.js';

/** Sizes of one 2-D convolution: x [n, c, h, w] * w [oc, c/groups, kh, kw] -> y [n, oc, outH, outW]. */
export interface Conv2dShape {
  n: number; c: number; h: number; w: number; oc: number; kh: number; kw: number;
  strideH: number; strideW: number; padTop: number; padLeft: number; padBottom: number; padRight: number;
  dilationH: number; dilationW: number; groups: number;
}

interface Plan {
  s: Conv2dShape; cg: number; ocg: number; kk: number; outH: number; outW: number; ohw: number; hw: number;
  geom: ConvGeometry; direct1x1: boolean;
  /** One input channel per group and several groups: direct loops instead of GEMMs of depth kh*kw. */
  depthwise: boolean;
}

/** Validates sizes and derives per-group quantities; `kernel` names the caller in errors. */
function plan(kernel: string, s: Conv2dShape): Plan {
  for (const k of ['n', 'c', 'oc', 'groups'] as const) checkDim(kernel, k, s[k]);
  if (s.groups < 1 || s.c % s.groups !== 0 || s.oc % s.groups !== 0) {
    throw new KernelError(kernel, `groups = ${s.groups} must be >= 1 and divide c = ${s.c} and oc = ${s.oc}`);
  }
  const cg = s.c / s.groups;
  const geom: ConvGeometry = {
    c: cg, h: s.h, w: s.w, kh: s.kh, kw: s.kw, strideH: s.strideH, strideW: s.strideW,
    padTop: s.padTop, padLeft: s.padLeft, padBottom: s.padBottom, padRight: s.padRight,
    dilationH: s.dilationH, dilationW: s.dilationW,
  };
  const r = convOutputSize(geom, kernel);
  const direct1x1 = s.kh === 1 && s.kw === 1 && r.strideH === 1 && r.strideW === 1 &&
    r.padTop + r.padLeft + r.padBottom + r.padRight === 0;
  return {
    s, cg, ocg: s.oc / s.groups, kk: s.kh * s.kw, outH: r.outH, outW: r.outW, ohw: r.outH * r.outW,
    hw: s.h * s.w, geom, direct1x1, depthwise: cg === 1 && s.groups > 1,
  };
}

/** Output height and width of a convolution. @example conv2dOutputSize(shape) // [outH, outW] */
export function conv2dOutputSize(s: Conv2dShape): [number, number] {
  const p = plan('conv2dOutputSize', s);
  return [p.outH, p.outW];
}

function checkSizes(kernel: string, p: Plan, x: Float32Array, w: Float32Array, y: Float32Array, xName: string, yName: string): void {
  const { s } = p;
  checkLen(kernel, xName, x, s.n * s.c * p.hw, 'n*c*h*w');
  checkLen(kernel, 'w', w, s.oc * p.cg * p.kk, 'oc*(c/groups)*kh*kw');
  checkLen(kernel, yName, y, s.n * s.oc * p.ohw, 'n*oc*outH*outW');
}

/**
 * y = conv2d(x, w) + bias, NCHW. x [n, c, h, w], w [oc, c/groups, kh, kw], bias [oc] or null.
 * @example conv2dNCHW(x, w, b, y, { n: 1, c: 3, h: 8, w: 8, oc: 4, kh: 3, kw: 3, strideH: 1, strideW: 1,
 *   padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, dilationH: 1, dilationW: 1, groups: 1 });
 */
export function conv2dNCHW(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, s: Conv2dShape): void {
  const p = plan('conv2dNCHW', s);
  checkSizes('conv2dNCHW', p, x, w, y, 'x', 'y');
  if (bias) checkLen('conv2dNCHW', 'bias', bias, s.oc, 'oc');
  const { cg, ocg, kk, ohw, hw } = p;
  if (p.depthwise) depthwiseForward(x, w, y, p);
  else {
    const K = cg * kk;
    const col = p.direct1x1 ? null : new Float32Array(K * ohw);
    for (let b = 0; b < s.n; b++) {
      for (let g = 0; g < s.groups; g++) {
        const xg = x.subarray((b * s.c + g * cg) * hw, (b * s.c + (g + 1) * cg) * hw);
        const yg = y.subarray((b * s.oc + g * ocg) * ohw, (b * s.oc + (g + 1) * ocg) * ohw);
        if (col) im2colNCHW(xg, col, p.geom);
        matmul(w.subarray(g * ocg * K, (g + 1) * ocg * K), col ?? xg, yg, ocg, K, ohw);
      }
    }
  }
  if (bias) {
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
 * @example conv2dBackwardInputNCHW(gy, w, dx, shape);
 */
export function conv2dBackwardInputNCHW(gy: Float32Array, w: Float32Array, dx: Float32Array, s: Conv2dShape): void {
  const p = plan('conv2dBackwardInputNCHW', s);
  checkSizes('conv2dBackwardInputNCHW', p, dx, w, gy, 'dx', 'gy');
  const { cg, ocg, kk, ohw, hw } = p;
  dx.fill(0, 0, s.n * s.c * hw);
  if (p.depthwise) { depthwiseBackwardInput(gy, w, dx, p); return; }
  const K = cg * kk;
  const col = p.direct1x1 ? null : new Float32Array(K * ohw);
  for (let b = 0; b < s.n; b++) {
    for (let g = 0; g < s.groups; g++) {
      const dxg = dx.subarray((b * s.c + g * cg) * hw, (b * s.c + (g + 1) * cg) * hw);
      const gyg = gy.subarray((b * s.oc + g * ocg) * ohw, (b * s.oc + (g + 1) * ocg) * ohw);
      const wg = w.subarray(g * ocg * K, (g + 1) * ocg * K);
      matmul(wg, gyg, col ?? dxg, K, ocg, ohw, { transA: true });
      if (col) col2imNCHW(col, dxg, p.geom);
    }
  }
}

/**
 * dw = the weight gradient of conv2d given x and gy, NCHW (overwrites dw).
 * @example conv2dBackwardWeightNCHW(x, gy, dw, shape);
 */
export function conv2dBackwardWeightNCHW(x: Float32Array, gy: Float32Array, dw: Float32Array, s: Conv2dShape): void {
  const p = plan('conv2dBackwardWeightNCHW', s);
  checkSizes('conv2dBackwardWeightNCHW', p, x, dw, gy, 'x', 'gy');
  const { cg, ocg, kk, ohw, hw } = p;
  const K = cg * kk;
  dw.fill(0, 0, s.oc * K);
  if (p.depthwise) { depthwiseBackwardWeight(x, gy, dw, p); return; }
  const col = p.direct1x1 ? null : new Float32Array(K * ohw);
  for (let b = 0; b < s.n; b++) {
    for (let g = 0; g < s.groups; g++) {
      const xg = x.subarray((b * s.c + g * cg) * hw, (b * s.c + (g + 1) * cg) * hw);
      const gyg = gy.subarray((b * s.oc + g * ocg) * ohw, (b * s.oc + (g + 1) * ocg) * ohw);
      if (col) im2colNCHW(xg, col, p.geom);
      matmul(gyg, col ?? xg, dw.subarray(g * ocg * K, (g + 1) * ocg * K), ocg, ohw, K, { transB: true, accumulate: true });
    }
  }
}

// Depthwise (one input channel per group, `ocg` outputs each): direct loops.
// For output (oy, ox) and tap (ky, kx): iy = oy*sH + ky*dH - padTop; the valid
// ox range of each tap row is precomputed so the inner loop has no bounds test.

function tapRange(p: Plan, kx: number): [number, number] {
  const { s, outW } = p;
  const off = kx * s.dilationW - s.padLeft;
  const x0 = off >= 0 ? 0 : Math.min(outW, Math.ceil(-off / s.strideW));
  const x1 = s.w - off <= 0 ? x0 : Math.max(x0, Math.min(outW, Math.ceil((s.w - off) / s.strideW)));
  return [x0, x1];
}

function depthwiseForward(x: Float32Array, w: Float32Array, y: Float32Array, p: Plan): void {
  const { s, ocg, outH, outW, ohw, hw } = p;
  const sw = s.strideW;
  y.fill(0, 0, s.n * s.oc * ohw);
  for (let b = 0; b < s.n; b++) {
    for (let o = 0; o < s.oc; o++) {
      const xo = (b * s.c + Math.floor(o / ocg)) * hw, yo = (b * s.oc + o) * ohw, wo = o * p.kk;
      for (let ky = 0; ky < s.kh; ky++) {
        for (let kx = 0; kx < s.kw; kx++) {
          const wv = w[wo + ky * s.kw + kx];
          const [x0, x1] = tapRange(p, kx);
          const dx = kx * s.dilationW - s.padLeft;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * s.strideH + ky * s.dilationH - s.padTop;
            if (iy < 0 || iy >= s.h) continue;
            const row = xo + iy * s.w + dx, yr = yo + oy * outW;
            for (let ox = x0; ox < x1; ox++) y[yr + ox] += wv * x[row + ox * sw];
          }
        }
      }
    }
  }
}

function depthwiseBackwardInput(gy: Float32Array, w: Float32Array, dx: Float32Array, p: Plan): void {
  const { s, ocg, outH, outW, ohw, hw } = p;
  const sw = s.strideW;
  for (let b = 0; b < s.n; b++) {
    for (let o = 0; o < s.oc; o++) {
      const xo = (b * s.c + Math.floor(o / ocg)) * hw, yo = (b * s.oc + o) * ohw, wo = o * p.kk;
      for (let ky = 0; ky < s.kh; ky++) {
        for (let kx = 0; kx < s.kw; kx++) {
          const wv = w[wo + ky * s.kw + kx];
          const [x0, x1] = tapRange(p, kx);
          const off = kx * s.dilationW - s.padLeft;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * s.strideH + ky * s.dilationH - s.padTop;
            if (iy < 0 || iy >= s.h) continue;
            const row = xo + iy * s.w + off, yr = yo + oy * outW;
            for (let ox = x0; ox < x1; ox++) dx[row + ox * sw] += wv * gy[yr + ox];
          }
        }
      }
    }
  }
}

function depthwiseBackwardWeight(x: Float32Array, gy: Float32Array, dw: Float32Array, p: Plan): void {
  const { s, ocg, outH, outW, ohw, hw } = p;
  const sw = s.strideW;
  for (let o = 0; o < s.oc; o++) {
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++) {
        const [x0, x1] = tapRange(p, kx);
        const off = kx * s.dilationW - s.padLeft;
        let acc = 0;
        for (let b = 0; b < s.n; b++) {
          const xo = (b * s.c + Math.floor(o / ocg)) * hw, yo = (b * s.oc + o) * ohw;
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * s.strideH + ky * s.dilationH - s.padTop;
            if (iy < 0 || iy >= s.h) continue;
            const row = xo + iy * s.w + off, yr = yo + oy * outW;
            for (let ox = x0; ox < x1; ox++) acc += x[row + ox * sw] * gy[yr + ox];
          }
        }
        dw[o * p.kk + ky * s.kw + kx] = acc;
      }
    }
  }
}
