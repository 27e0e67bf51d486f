// Depthwise 2-D convolution, NHWC, depth multiplier 1: for each output pixel
// and channel, the sum over the window's taps of x[iy, ix, ch] * w[ky, kx, ch].
// Channels are contiguous in x, w and y, so a pixel is computed 16 (then 4)
// channels at a time, all taps accumulated in registers (float: channels a
// multiple of 4). Taps in the padding are skipped (zero for float; x = xZero,
// i.e. zero, for int8). Float 3x3 windows inside the image run along the
// output row 4 channels at a time, the nine taps' weights held in registers.

import { madd, mulAdd } from './madd';

// Geometry, set by dwSetGeometry before a run (keeps call signatures short).
export let H = 0, W = 0, C = 0, KH = 0, KW = 0, SH = 1, SW = 1, PT = 0, PL = 0, DH = 1, DW = 1, OH = 0, OW = 0;

/** Sets the geometry used by dwF32, im2col and maxPool. */
export function dwSetGeometry(h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32): void {
  H = h; W = w; C = c; KH = kh; KW = kw; SH = sh; SW = sw; PT = pt; PL = pl; DH = dh; DW = dw; OH = oh; OW = ow;
}

// Float: channels [cb, cb+16) (four vectors) or [cb, cb+4) (one, `one`) of one output pixel:
// the in-image taps [ky0, ky1) x [kx0, kx1), x at xr (tap (ky0, kx0)), w at wr, act fused.
function dwF32Block(xr: usize, wr: usize, y: usize, bias: usize, co: usize, nky: i32, nkx: i32, act: i32, one: bool): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  if (bias) { a0 = v128.load(bias + co); if (!one) { a1 = v128.load(bias + co, 16); a2 = v128.load(bias + co, 32); a3 = v128.load(bias + co, 48); } }
  const cs = <usize>(DW * C) << 2, rs = <usize>(DH * W * C) << 2, ws = <usize>C << 2, wrs = <usize>(KW * C) << 2;
  xr += co; wr += co;
  for (let ky = 0; ky < nky; ky++, xr += rs, wr += wrs) {
    let xp = xr, wp = wr;
    for (let kx = 0; kx < nkx; kx++, xp += cs, wp += ws) {
      a0 = madd(v128.load(xp), v128.load(wp), a0);
      if (!one) {
        a1 = madd(v128.load(xp, 16), v128.load(wp, 16), a1);
        a2 = madd(v128.load(xp, 32), v128.load(wp, 32), a2);
        a3 = madd(v128.load(xp, 48), v128.load(wp, 48), a3);
      }
    }
  }
  const lo = f32x4.splat(act ? 0 : -Infinity), hi = f32x4.splat(act == 2 ? 6 : Infinity);
  v128.store(y + co, f32x4.pmin(f32x4.pmax(a0, lo), hi));
  if (!one) {
    v128.store(y + co, f32x4.pmin(f32x4.pmax(a1, lo), hi), 16);
    v128.store(y + co, f32x4.pmin(f32x4.pmax(a2, lo), hi), 32);
    v128.store(y + co, f32x4.pmin(f32x4.pmax(a3, lo), hi), 48);
  }
}

// Float 3x3 windows of output row oy, columns [ox0, ox1) (all taps in the image): per block
// of 4 channels, the nine weights and the bias in registers, two partial sums per pixel.
function dw3x3Row(x: usize, w: usize, bias: usize, y: usize, act: i32, oy: i32, ox0: i32, ox1: i32): void {
  const cb = <usize>C << 2, cs = <usize>DW * cb, rs = <usize>(DH * W) * cb, xs = <usize>SW * cb;
  const lo = f32x4.splat(act ? 0 : -Infinity), hi = f32x4.splat(act == 2 ? 6 : Infinity);
  const x0 = x + <usize>((oy * SH - PT) * W + ox0 * SW - PL) * cb, y0 = y + <usize>(oy * OW + ox0) * cb;
  for (let c: usize = 0; c < cb; c += 16) {
    let wp = w + c;
    const w0 = v128.load(wp), w1 = v128.load(wp += cb), w2 = v128.load(wp += cb), w3 = v128.load(wp += cb);
    const w4 = v128.load(wp += cb), w5 = v128.load(wp += cb), w6 = v128.load(wp += cb), w7 = v128.load(wp += cb);
    const w8 = v128.load(wp += cb), b = bias ? v128.load(bias + c) : f32x4.splat(0);
    for (let ox = ox0, r0 = x0 + c, yp = y0 + c; ox < ox1; ox++, r0 += xs, yp += cb) {
      const r1 = r0 + rs, r2 = r1 + rs;
      let a = mulAdd(v128.load(r0), w0, b), e = f32x4.mul(v128.load(r0 + cs), w1);
      a = mulAdd(v128.load(r0 + 2 * cs), w2, a); e = mulAdd(v128.load(r1), w3, e);
      a = mulAdd(v128.load(r1 + cs), w4, a); e = mulAdd(v128.load(r1 + 2 * cs), w5, e);
      a = mulAdd(v128.load(r2), w6, a); e = mulAdd(v128.load(r2 + cs), w7, e);
      a = mulAdd(v128.load(r2 + 2 * cs), w8, a);
      v128.store(yp, f32x4.pmin(f32x4.pmax(f32x4.add(a, e), lo), hi));
    }
  }
}

/**
 * y[oh, ow, c] = act(bias + depthwise(x[h, w, c], w[kh, kw, c])), c a multiple of 4; bias 0
 * means none; act 0 none, 1 relu, 2 relu6 (NaN kept).
 */
export function dwF32(x: usize, w: usize, bias: usize, y: usize, act: i32): void {
  // the columns whose 3x3 windows lie inside the image (none unless 3x3)
  const oxA = (PL + SW - 1) / SW, oxB = KH == 3 && KW == 3 ? min(OW, (W - 1 - 2 * DW + PL) / SW + 1) : 0;
  for (let oy = 0; oy < OH; oy++) {
    const iy0 = oy * SH - PT, ry = H - 1 - iy0;
    const ky0 = iy0 >= 0 ? 0 : (-iy0 + DH - 1) / DH, ky1 = ry < 0 ? 0 : min(KH, ry / DH + 1);
    const inner = ky0 == 0 && ky1 == 3 && oxA < oxB;
    if (inner) dw3x3Row(x, w, bias, y, act, oy, oxA, oxB);
    for (let ox = 0; ox < OW; ox++) {
      if (inner && ox == oxA) { ox = oxB - 1; continue; }
      const ix0 = ox * SW - PL, rx = W - 1 - ix0;
      const kx0 = ix0 >= 0 ? 0 : (-ix0 + DW - 1) / DW, kx1 = rx < 0 ? 0 : min(KW, rx / DW + 1);
      const nky = max(0, ky1 - ky0), nkx = max(0, kx1 - kx0);
      const xr = x + (<usize>(((iy0 + ky0 * DH) * W + ix0 + kx0 * DW) * C) << 2), wr = w + (<usize>((ky0 * KW + kx0) * C) << 2);
      const yp = y + (<usize>((oy * OW + ox) * C) << 2);
      let cb = 0;
      for (; cb + 16 <= C; cb += 16) dwF32Block(xr, wr, yp, bias, <usize>cb << 2, nky, nkx, act, false);
      for (; cb < C; cb += 4) dwF32Block(xr, wr, yp, bias, <usize>cb << 2, nky, nkx, act, true);
    }
  }
}

// Copies n bytes from src to dst 16 at a time: up to 15 bytes past dst + n are written
// (the next copy overwrites them; the caller keeps 16 bytes after the last row) and read past src + n.
@inline function copyBytes(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  do { v128.store(dst + i, v128.load(src + i)); i += 16; } while (i < n);
}

/**
 * im2col, NHWC, all channels, es-byte elements (4: float32, 1: int8), with the geometry
 * of dwSetGeometry: col [OH*OW][KH*KW*C] (taps in (ky, kx, c) order, TFLite's OHWI filter
 * rows), bytes `fill` (0, or the int8 zero point) where a tap is in the padding. Window rows
 * inside the image copy as one run. Writes up to 16 bytes past the end of col.
 */
export function im2col(x: usize, col: usize, es: i32, fill: i32): void {
  const cb = <usize>(C * es), runBytes = <usize>KW * cb;
  const f = <u8>fill;
  let o = col;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const ix0 = ox * SW - PL;
      const rowInside = DW == 1 && ix0 >= 0 && ix0 + KW <= W;
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * SH + ky * DH - PT;
        if (<u32>iy >= <u32>H) { memory.fill(o, f, runBytes); o += runBytes; continue; }
        if (rowInside) { copyBytes(o, x + <usize>(iy * W + ix0) * cb, runBytes); o += runBytes; continue; }
        for (let kx = 0; kx < KW; kx++, o += cb) {
          const ix = ix0 + kx * DW;
          if (<u32>ix >= <u32>W) memory.fill(o, f, cb);
          else copyBytes(o, x + <usize>(iy * W + ix) * cb, cb);
        }
      }
    }
  }
}

/**
 * Max pooling, NHWC, with the geometry of dwSetGeometry (KH x KW windows, C channels):
 * the maximum over each window's in-image taps, clamped to [lo, hi]; `int8` selects
 * int8 elements, else float32 (pmax: a NaN already in the output stays, a new one is
 * ignored, as `if (v > y) y = v`). Windows with no in-image tap get `empty`.
 */
export function maxPool(x: usize, y: usize, int8: i32, lo: f32, hi: f32, empty: f32): void {
  const es: usize = int8 ? 1 : 4, cb = <usize>C * es, lane = int8 ? 16 : 4;
  const vlo = int8 ? i8x16.splat(<i8>lo) : f32x4.splat(lo), vhi = int8 ? i8x16.splat(<i8>hi) : f32x4.splat(hi);
  const c16 = C & ~(lane - 1);
  let yp = y;
  for (let oy = 0; oy < OH; oy++) {
    const iy0 = oy * SH - PT, y0 = max(0, iy0), y1 = min(H, iy0 + KH);
    for (let ox = 0; ox < OW; ox++, yp += cb) {
      const ix0 = ox * SW - PL, x0 = max(0, ix0), x1 = min(W, ix0 + KW);
      if (y0 >= y1 || x0 >= x1) {
        for (let c = 0; c < C; c++) {
          if (int8) store<i8>(yp + <usize>c, <i8>empty);
          else store<f32>(yp + (<usize>c << 2), empty);
        }
        continue;
      }
      const first = x + <usize>(y0 * W + x0) * cb;
      let c = 0;
      for (; c < c16; c += lane) {
        const co = <usize>c * es;
        let m = v128.load(first + co);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
            const v = v128.load(x + <usize>(iy * W + ix) * cb + co);
            m = int8 ? i8x16.max_s(m, v) : f32x4.pmax(m, v);
          }
        }
        m = int8 ? i8x16.min_s(i8x16.max_s(m, vlo), vhi) : f32x4.pmin(f32x4.pmax(m, vlo), vhi);
        v128.store(yp + co, m);
      }
      for (; c < C; c++) {
        if (int8) {
          let m = <i32>load<i8>(first + <usize>c);
          for (let iy = y0; iy < y1; iy++) for (let ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
            const v = <i32>load<i8>(x + <usize>(iy * W + ix) * cb + <usize>c);
            if (v > m) m = v;
          }
          store<i8>(yp + <usize>c, <i8>min(max(m, <i32>lo), <i32>hi));
        } else {
          let m = load<f32>(first + (<usize>c << 2));
          for (let iy = y0; iy < y1; iy++) for (let ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
            const v = load<f32>(x + <usize>(iy * W + ix) * cb + (<usize>c << 2));
            if (v > m) m = v;
          }
          store<f32>(yp + (<usize>c << 2), m < lo ? lo : m > hi ? hi : m);
        }
      }
    }
  }
}
