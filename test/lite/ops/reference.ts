/**
 * Straightforward reference loops (NHWC) the op tests compare against. The
 * int8 references follow TFLite's reference kernels step by step, built on the
 * quantization helpers that util.test.ts checks against 64-bit BigInt math.
 */
import { mulQ, quantizeMultiplier } from '../../../lite-runtime/ops/util/quant.js';

export interface ConvCase {
  n: number; h: number; w: number; c: number; oc: number; kh: number; kw: number;
  sh: number; sw: number; dh: number; dw: number; padding: 0 | 1;
  /** Grouped convolution: the filter holds c / groups input channels. */
  groups?: number;
}

/** Output size and leading padding as TFLite computes them. */
export function geom(p: ConvCase): { outH: number; outW: number; pt: number; pl: number } {
  const effH = (p.kh - 1) * p.dh + 1, effW = (p.kw - 1) * p.dw + 1;
  const outH = p.padding === 0 ? Math.ceil(p.h / p.sh) : Math.floor((p.h - effH) / p.sh) + 1;
  const outW = p.padding === 0 ? Math.ceil(p.w / p.sw) : Math.floor((p.w - effW) / p.sw) + 1;
  const pt = Math.floor(Math.max(0, (outH - 1) * p.sh + effH - p.h) / 2);
  const pl = Math.floor(Math.max(0, (outW - 1) * p.sw + effW - p.w) / 2);
  return { outH, outW, pt, pl };
}

/**
 * Generic conv accumulation: visits every (batch, oy, ox, oc) with the sum of
 * term(xIndex, wIndex) over the in-image window taps. depthwise: w is [1,kh,kw,oc], oc = c*mult.
 */
export function convLoop(p: ConvCase, depthwise: boolean, term: (xi: number, wi: number) => number,
  emit: (outIndex: number, oc: number, sum: number) => void): void {
  const { outH, outW, pt, pl } = geom(p);
  const mult = depthwise ? p.oc / p.c : 0;
  for (let b = 0; b < p.n; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
    for (let o = 0; o < p.oc; o++) {
      let s = 0;
      for (let ky = 0; ky < p.kh; ky++) for (let kx = 0; kx < p.kw; kx++) {
        const iy = oy * p.sh + ky * p.dh - pt, ix = ox * p.sw + kx * p.dw - pl;
        if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
        if (depthwise) {
          const ic = Math.floor(o / mult);
          s += term(((b * p.h + iy) * p.w + ix) * p.c + ic, (ky * p.kw + kx) * p.oc + o);
        } else {
          const gr = p.groups ?? 1, gc = p.c / gr, c0 = Math.floor(o / (p.oc / gr)) * gc;
          for (let ic = 0; ic < gc; ic++) s += term(((b * p.h + iy) * p.w + ix) * p.c + c0 + ic, ((o * p.kh + ky) * p.kw + kx) * gc + ic);
        }
      }
      emit(((b * outH + oy) * outW + ox) * p.oc + o, o, s);
    }
  }
}

/** Float conv / depthwise conv with bias and clamp. */
export function convFloat(p: ConvCase, depthwise: boolean, x: ArrayLike<number>, w: ArrayLike<number>,
  bias: ArrayLike<number> | null, lo = -Infinity, hi = Infinity): Float32Array {
  const { outH, outW } = geom(p);
  const y = new Float32Array(p.n * outH * outW * p.oc);
  convLoop(p, depthwise, (xi, wi) => x[xi]! * w[wi]!, (i, o, s) => {
    y[i] = Math.min(hi, Math.max(lo, s + (bias ? bias[o]! : 0)));
  });
  return y;
}

/** Requantization arithmetics: TFLite reference (gemmlowp) or XNNPACK's fp32 (the real runtimes). */
export type Mode = 'reference' | 'fp32';

/** One accumulator requantized as `mode` does it (clamped to [lo, hi]). */
export function requantRef(mode: Mode, acc: number, inScale: number, wScale: number, outScale: number, outZp: number, lo: number, hi: number): number {
  if (mode === 'reference') {
    const q = quantizeMultiplier(inScale * wScale / outScale);
    return Math.min(hi, Math.max(lo, mulQ(acc, q.multiplier, q.shift) + outZp));
  }
  const f = new Float32Array(3);
  f[0] = inScale * wScale; f[0] = f[0]! / outScale; // f32 scale
  f[1] = acc; f[2] = f[1]! * f[0]!;                  // f32 product
  const v = Math.min(hi - outZp, Math.max(lo - outZp, f[2]!));
  const fl = Math.floor(v), frac = v - fl;
  const r = frac > 0.5 ? fl + 1 : frac < 0.5 ? fl : (fl % 2 === 0 ? fl : fl + 1); // half to even
  return r + outZp;
}

/** TFLite's integer ConvPerChannel / DepthwiseConvPerChannel. */
export function convInt8(mode: Mode, p: ConvCase, depthwise: boolean, x: ArrayLike<number>, inZp: number, w: ArrayLike<number>,
  bias: ArrayLike<number> | null, inScale: number, wScales: number[], outScale: number, outZp: number,
  lo = -128, hi = 127): Int8Array {
  const { outH, outW } = geom(p);
  const y = new Int8Array(p.n * outH * outW * p.oc);
  convLoop(p, depthwise, (xi, wi) => (x[xi]! - inZp) * w[wi]!, (i, o, s) => {
    y[i] = requantRef(mode, s + (bias ? bias[o]! : 0), inScale, wScales[wScales.length === 1 ? 0 : o]!, outScale, outZp, lo, hi);
  });
  return y;
}
