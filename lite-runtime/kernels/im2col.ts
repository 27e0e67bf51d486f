/**
 * The convolution geometry every conv and pool kernel takes, and NHWC im2col
 * for the lite runtime: a convolution becomes one GEMM
 * y[outH*outW, oc] = col[outH*outW, kh*kw*c] @ W[oc, kh*kw*c]^T
 * (TFLite's OHWI filter layout, so `transB` / `packB(w, K, oc, true)`).
 * Training's NCHW convolutions (training/kernels/nn-conv.ts) build their own columns.
 */
import { KernelArgumentError, checkDim, checkLen } from './errors.js';

/**
 * Geometry of a 2-D convolution or pooling window: the one description every
 * conv and pool kernel takes (NHWC here and in the lite runtime, NCHW in
 * training). Omitted fields: one image, stride 1, padding 0, dilation 1, one
 * group, floor rounding.
 */
export interface ConvGeometry {
  /** Images; the NHWC kernels take one image at a time and ignore it. */
  n?: number;
  /** Input channels, height and width. */
  c: number; h: number; w: number;
  /** Kernel height and width. */
  kh: number; kw: number;
  strideH?: number; strideW?: number;
  padTop?: number; padLeft?: number; padBottom?: number; padRight?: number;
  dilationH?: number; dilationW?: number;
  /** Convolution channel groups (the NCHW kernels; c and the output channels divisible by it). */
  groups?: number;
  /** Pools: PyTorch's ceil rounding of the output size, the last window starting inside the input or its leading padding. */
  ceilMode?: boolean;
}

/** The window of a `ConvGeometry` with every field filled in, plus the output size (`convOutputSize`). */
export type ResolvedConv = Required<Omit<ConvGeometry, 'n' | 'groups' | 'ceilMode'>> & { outH: number; outW: number };

/**
 * Fills defaults, validates, and computes the output size:
 * outH = floor((h + padTop + padBottom - dilationH*(kh-1) - 1) / strideH) + 1.
 * @example convOutputSize({ c: 3, h: 28, w: 28, kh: 3, kw: 3 }) // { outH: 26, outW: 26, ... }
 */
export function convOutputSize(g: ConvGeometry, kernel = 'convOutputSize'): ResolvedConv {
  const r: ResolvedConv = {
    c: g.c, h: g.h, w: g.w, kh: g.kh, kw: g.kw,
    strideH: g.strideH ?? 1, strideW: g.strideW ?? 1,
    padTop: g.padTop ?? 0, padLeft: g.padLeft ?? 0, padBottom: g.padBottom ?? 0, padRight: g.padRight ?? 0,
    dilationH: g.dilationH ?? 1, dilationW: g.dilationW ?? 1, outH: 0, outW: 0,
  };
  for (const key of ['c', 'h', 'w', 'kh', 'kw', 'padTop', 'padLeft', 'padBottom', 'padRight'] as const) {
    checkDim(kernel, key, r[key]);
  }
  for (const key of ['strideH', 'strideW', 'dilationH', 'dilationW'] as const) {
    checkDim(kernel, key, r[key]);
    if (r[key] < 1) throw new KernelArgumentError(kernel, `${key} must be >= 1, got ${r[key]}`);
  }
  const effH = r.dilationH * (r.kh - 1) + 1, effW = r.dilationW * (r.kw - 1) + 1;
  const ph = r.h + r.padTop + r.padBottom, pw = r.w + r.padLeft + r.padRight;
  if (r.kh < 1 || r.kw < 1 || effH > ph || effW > pw) {
    throw new KernelArgumentError(kernel, `kernel ${r.kh}x${r.kw} (dilation ${r.dilationH}x${r.dilationW}) does not fit the padded input ${ph}x${pw}`);
  }
  r.outH = Math.floor((ph - effH) / r.strideH) + 1;
  r.outW = Math.floor((pw - effW) / r.strideW) + 1;
  return r;
}

/** Options of `im2colNHWC`. */
export interface Im2colNHWCOptions {
  /** Value written for padding positions: 0 for float, the input zero point for int8. */
  padValue?: number;
  /** First input channel to copy (grouped convolution); default 0. */
  c0?: number;
  /** Channels to copy from c0; default c - c0. */
  cn?: number;
}

/**
 * NHWC im2col for one image: x [h, w, c] -> col [outH*outW, kh*kw*cn]
 * (column index (ky*kw + kx)*cn + ci), matching TFLite's OHWI filters.
 * Works for float32 and int8 (pass the zero point as `padValue`).
 * @example
 * const g = convOutputSize({ c: 8, h: 5, w: 5, kh: 3, kw: 3, strideH: 2, strideW: 2 });
 * im2colNHWC(x, col, g, { padValue: inputZeroPoint });
 */
export function im2colNHWC<T extends Float32Array | Int8Array>(
  x: T, col: T, geometry: ConvGeometry, opts: Im2colNHWCOptions = {},
): void {
  const g = convOutputSize(geometry, 'im2colNHWC');
  const { c, h, w, kh, kw, outH, outW } = g;
  const c0 = opts.c0 ?? 0, cn = opts.cn ?? c - c0, pad = opts.padValue ?? 0;
  checkDim('im2colNHWC', 'c0', c0);
  checkDim('im2colNHWC', 'cn', cn);
  if (c0 + cn > c) throw new KernelArgumentError('im2colNHWC', `channels [${c0}, ${c0 + cn}) exceed c = ${c}`);
  if (!Number.isFinite(pad)) throw new KernelArgumentError('im2colNHWC', `padValue must be finite, got ${pad}`);
  if (col instanceof Int8Array && (!Number.isInteger(pad) || pad < -128 || pad > 127)) {
    throw new KernelArgumentError('im2colNHWC', `padValue ${pad} does not fit int8 [-128, 127]`);
  }
  const rowLen = kh * kw * cn;
  checkLen('im2colNHWC', 'x', x, h * w * c, 'h*w*c');
  checkLen('im2colNHWC', 'col', col, outH * outW * rowLen, 'outH*outW*kh*kw*cn');
  // With all channels and no horizontal dilation, a window row inside the
  // image is one contiguous run of kw*c elements.
  const runs = cn === c && g.dilationW === 1;
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * g.strideW - g.padLeft;
      const rowInside = runs && ix0 >= 0 && ix0 + kw <= w;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * g.strideH + ky * g.dilationH - g.padTop;
        if (rowInside && iy >= 0 && iy < h) {
          copy(col, o, x, (iy * w + ix0) * c, kw * c);
          o += kw * c;
          continue;
        }
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx * g.dilationW;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
            for (let i = 0; i < cn; i++) col[o + i] = pad;
          } else {
            copy(col, o, x, (iy * w + ix) * c + c0, cn);
          }
          o += cn;
        }
      }
    }
  }
}

/** dst[d, d+len) = src[s, s+len): a loop for short runs, `set` for long ones. */
function copy(dst: Float32Array | Int8Array, d: number, src: Float32Array | Int8Array, s: number, len: number): void {
  if (len < 48) {
    for (let i = 0; i < len; i++) dst[d + i] = src[s + i];
  } else {
    dst.set(src.subarray(s, s + len), d);
  }
}
