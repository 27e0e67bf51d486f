/**
 * Int8 loops of DEPTHWISE_CONV_2D (NHWC), where the fused wasm kernel does not run. Windows
 * fully inside the image are swept channel by channel (the channel's taps, bias and scale
 * stay in registers; 3x3 windows unrolled); the few border windows go pixel by pixel,
 * skipping padding taps.
 */
import { mulQ } from './quant.js';
import type { Requant } from './requant.js';
import type { Window2D } from './window.js';

/** Shape of one depthwise node: input [n,h,w,c], output channels oc = c * mult. */
export interface DwGeometry { n: number; h: number; w: number; c: number; oc: number; mult: number; win: Window2D }

/** Output rows [oy0, oy1) and columns [ox0, ox1) whose windows lie fully inside the image. */
export type Interior = [number, number, number, number];

/** No interior: border loops then visit every output pixel. */
export const NO_INTERIOR: Interior = [0, 0, 0, 0];

/** The interior block of output pixels (possibly empty). */
export function interiorOf(g: DwGeometry): Interior {
  const { win } = g;
  const effH = (win.kh - 1) * win.dilationH, effW = (win.kw - 1) * win.dilationW;
  const oy0 = Math.ceil(win.padTop / win.strideH), ox0 = Math.ceil(win.padLeft / win.strideW);
  const oy1 = Math.min(win.outH, Math.floor((g.h - 1 - effH + win.padTop) / win.strideH) + 1);
  const ox1 = Math.min(win.outW, Math.floor((g.w - 1 - effW + win.padLeft) / win.strideW) + 1);
  return [oy0, Math.max(oy0, oy1), ox0, Math.max(ox0, ox1)];
}

/** Per output channel, the sum of its taps (folds the int8 input offset out of the interior loops). */
export function weightSums(w: Int8Array, g: DwGeometry): Int32Array {
  const sums = new Int32Array(g.oc), taps = g.win.kh * g.win.kw;
  for (let k = 0; k < taps; k++) for (let o = 0; o < g.oc; o++) sums[o] += w[k * g.oc + o]!;
  return sums;
}

/** Taps per output channel, contiguous: wT[o * taps + k] = w[k * oc + o]. */
export function transposeTaps<T extends Float32Array | Int8Array>(w: T, g: DwGeometry, out: T): T {
  const taps = g.win.kh * g.win.kw, oc = g.oc;
  for (let k = 0; k < taps; k++) for (let o = 0; o < oc; o++) out[o * taps + k] = w[k * oc + o]!;
  return out;
}

const ROUND_MAGIC = 6755399441055744; // 1.5 * 2^52: (v + M) - M rounds half to even

/**
 * Int8 3x3 interior windows of batch `b`, channel by channel, the nine taps unrolled:
 * sum (x + inOff) * w = sum x * w + inOff * wsum, plus bias, fp32-requantized per channel
 * (the 'reference' requantization takes the border path for every pixel).
 */
export function interior3x3Int8(x: Int8Array, w: Int8Array, y: Int8Array, g: DwGeometry, inner: Interior,
  bias: Int32Array | null, wsum: Int32Array, inOff: number, rq: Requant, b: number): void {
  const { win, oc, mult } = g;
  const [oy0, oy1, ox0, ox1] = inner;
  const sc = rq.scale, pc = sc.length > 1, zp = rq.outZp, flo = rq.lo - zp, fhi = rq.hi - zp;
  const cs = win.dilationW * g.c, cs2 = 2 * cs, rs = win.dilationH * g.w * g.c, rs2 = 2 * rs, xStep = win.strideW * g.c;
  for (let o = 0; o < oc; o++) {
    const ch = mult === 1 ? o : (o / mult) | 0;
    const w0 = w[o]!, w1 = w[oc + o]!, w2 = w[2 * oc + o]!, w3 = w[3 * oc + o]!, w4 = w[4 * oc + o]!;
    const w5 = w[5 * oc + o]!, w6 = w[6 * oc + o]!, w7 = w[7 * oc + o]!, w8 = w[8 * oc + o]!;
    const base = (bias ? bias[o]! : 0) + inOff * wsum[o]!, scale = pc ? sc[o]! : sc[0]!;
    for (let oy = oy0; oy < oy1; oy++) {
      let a = ((b * g.h + oy * win.strideH - win.padTop) * g.w + ox0 * win.strideW - win.padLeft) * g.c + ch;
      let yo = ((b * win.outH + oy) * win.outW + ox0) * oc + o;
      for (let ox = ox0; ox < ox1; ox++, a += xStep, yo += oc) {
        const acc = base + x[a]! * w0 + x[a + cs]! * w1 + x[a + cs2]! * w2
          + x[a + rs]! * w3 + x[a + rs + cs]! * w4 + x[a + rs + cs2]! * w5
          + x[a + rs2]! * w6 + x[a + rs2 + cs]! * w7 + x[a + rs2 + cs2]! * w8;
        let v = Math.fround(Math.fround(acc) * scale);
        v = v < flo ? flo : v > fhi ? fhi : v;
        y[yo] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
      }
    }
  }
}

/** Int8 interior windows of any size (fp32 requantization), channel by channel with the channel's taps contiguous (`wT`). */
export function interiorInt8(x: Int8Array, wT: Int8Array, y: Int8Array, g: DwGeometry, inner: Interior,
  bias: Int32Array | null, wsum: Int32Array, inOff: number, rq: Requant, b: number): void {
  const { win, oc, mult } = g;
  const [oy0, oy1, ox0, ox1] = inner;
  const sc = rq.scale, pc = sc.length > 1, zp = rq.outZp, flo = rq.lo - zp, fhi = rq.hi - zp;
  const cs = win.dilationW * g.c, rs = win.dilationH * g.w * g.c, xStep = win.strideW * g.c, kh = win.kh, kw = win.kw;
  for (let o = 0; o < oc; o++) {
    const ch = mult === 1 ? o : (o / mult) | 0, wo = o * kh * kw;
    const base = (bias ? bias[o]! : 0) + inOff * wsum[o]!, scale = pc ? sc[o]! : sc[0]!;
    for (let oy = oy0; oy < oy1; oy++) {
      let a = ((b * g.h + oy * win.strideH - win.padTop) * g.w + ox0 * win.strideW - win.padLeft) * g.c + ch;
      let yo = ((b * win.outH + oy) * win.outW + ox0) * oc + o;
      for (let ox = ox0; ox < ox1; ox++, a += xStep, yo += oc) {
        let acc = base;
        for (let ky = 0, r = a, wk = wo; ky < kh; ky++, r += rs) {
          for (let kx = 0, p = r; kx < kw; kx++, p += cs, wk++) acc += x[p]! * wT[wk]!;
        }
        let v = Math.fround(Math.fround(acc) * scale);
        v = v < flo ? flo : v > fhi ? fhi : v;
        y[yo] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
      }
    }
  }
}

/** The in-image taps of one window along an axis: [k0, k1) for a window starting at `i0`. */
function tapRange(i0: number, size: number, k: number, dilation: number, out: Int32Array, at: number): void {
  out[at] = i0 >= 0 ? 0 : Math.ceil(-i0 / dilation);
  out[at + 1] = Math.min(k, Math.floor((size - 1 - i0) / dilation) + 1);
}

/** Int8 border windows of batch `b`, pixel by pixel (every window when `inner` is empty). */
export function borderInt8(x: Int8Array, w: Int8Array, y: Int8Array, g: DwGeometry, inner: Interior,
  bias: Int32Array | null, inOff: number, rq: Requant, b: number, acc: Int32Array, r: Int32Array): void {
  const { win, oc, mult, c } = g;
  const [oy0, oy1, ox0, ox1] = inner;
  const sc = rq.scale, pc = sc.length > 1, fp = rq.fp32, zp = rq.outZp, flo = rq.lo - zp, fhi = rq.hi - zp;
  for (let oy = 0; oy < win.outH; oy++) {
    const iy0 = oy * win.strideH - win.padTop, rowInside = oy >= oy0 && oy < oy1;
    tapRange(iy0, g.h, win.kh, win.dilationH, r, 0);
    for (let ox = 0; ox < win.outW; ox++) {
      if (rowInside && ox >= ox0 && ox < ox1) { ox = ox1 - 1; continue; }
      const ix0 = ox * win.strideW - win.padLeft, yo = ((b * win.outH + oy) * win.outW + ox) * oc;
      tapRange(ix0, g.w, win.kw, win.dilationW, r, 2);
      for (let o = 0; o < oc; o++) acc[o] = bias ? bias[o]! : 0;
      for (let ky = r[0]!; ky < r[1]!; ky++) {
        const rowX = (b * g.h + iy0 + ky * win.dilationH) * g.w;
        for (let kx = r[2]!; kx < r[3]!; kx++) {
          const xo = (rowX + ix0 + kx * win.dilationW) * c, wo = (ky * win.kw + kx) * oc;
          if (mult === 1) for (let o = 0; o < oc; o++) acc[o] += (x[xo + o]! + inOff) * w[wo + o]!;
          else for (let ch = 0, o = 0; ch < c; ch++) { const xv = x[xo + ch]! + inOff; for (let j = 0; j < mult; j++, o++) acc[o] += xv * w[wo + o]!; }
        }
      }
      for (let o = 0; o < oc; o++) {
        if (fp) {
          let v = Math.fround(Math.fround(acc[o]!) * (pc ? sc[o]! : sc[0]!));
          v = v < flo ? flo : v > fhi ? fhi : v;
          y[yo + o] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
        } else {
          const v = mulQ(acc[o]!, rq.mult[pc ? o : 0]!, rq.shift[pc ? o : 0]!) + zp;
          y[yo + o] = v < rq.lo ? rq.lo : v > rq.hi ? rq.hi : v;
        }
      }
    }
  }
}
