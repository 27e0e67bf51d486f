/**
 * col2im for stride-1 convolutions as a gather: each input-gradient element
 * sums the im2col-gradient entries of the taps that read it, and is written
 * once (no clearing pass, no read-modify-write per tap). For 3x3 kernels the
 * interior (where every tap is inside the output) is nine explicit loads per
 * element, ~3x faster than scattering tap rows; borders take a checked loop.
 */
import type { ConvPlan } from './nn-conv.js';

/**
 * dx [cg, h, w] = fold(col) for stride 1 (overwrites dx): col row
 * (ci*kh + ky)*kw + kx holds that tap over the outH*outW outputs at
 * col[row*ld + off ...].
 */
export function col2imStride1(col: Float32Array, dx: Float32Array, p: ConvPlan, ld: number, off: number): void {
  const { s, cg, outH, outW, kk } = p;
  const h = s.h, w = s.w, kw = s.kw, pt = s.padTop, pl = s.padLeft;
  const taps = new Int32Array(kk); // col offset of each tap relative to row 0 at output (iy + pt, ix + pl)
  for (let ky = 0, t = 0; ky < s.kh; ky++) for (let kx = 0; kx < kw; kx++, t++) taps[t] = t * ld - ky * s.dilationH * outW - kx * s.dilationW;
  // taps [lo, hi) whose output (iy + pt - ky*dH, ix + pl - kx*dW) lies inside, per input row / column
  const [kyLo, kyHi] = tapRange(h, s.kh, s.dilationH, pt, outH);
  const [kxLo, kxHi] = tapRange(w, kw, s.dilationW, pl, outW);
  // inside [y0, y1) x [x0, x1) every tap is
  const y0 = Math.max(0, (s.kh - 1) * s.dilationH - pt), y1 = Math.min(h, outH - pt);
  const x0 = Math.min(w, Math.max(0, (kw - 1) * s.dilationW - pl)), x1 = Math.max(x0, Math.min(w, outW - pl));
  const three = s.kh === 3 && kw === 3;
  const t0 = taps[0], t1 = taps[1 % kk], t2 = taps[2 % kk], t3 = taps[3 % kk], t4 = taps[4 % kk];
  const t5 = taps[5 % kk], t6 = taps[6 % kk], t7 = taps[7 % kk], t8 = taps[8 % kk];
  for (let ci = 0; ci < cg; ci++) {
    const cb = ci * kk * ld + off + pt * outW + pl, xo = ci * h * w;
    for (let iy = 0; iy < h; iy++) {
      const xr = xo + iy * w, rb = cb + iy * outW, ya = kyLo[iy], yb = kyHi[iy];
      const inner = iy >= y0 && iy < y1;
      // columns [0, x0) and [x1, w) (all of them outside the inner rows): the valid taps of each
      for (let ix = 0; ix < w; ix++) {
        if (inner && ix === x0 && x1 > x0) { ix = x1 - 1; continue; }
        const b = rb + ix, xa = kxLo[ix], xb = kxHi[ix];
        let acc = 0;
        for (let ky = ya; ky < yb; ky++) for (let t = ky * kw + xa, e = ky * kw + xb; t < e; t++) acc += col[b + taps[t]];
        dx[xr + ix] = acc;
      }
      if (!inner) continue;
      if (three) {
        for (let ix = x0; ix < x1; ix++) {
          const b = rb + ix;
          dx[xr + ix] = col[b + t0] + col[b + t1] + col[b + t2] + col[b + t3] + col[b + t4] +
            col[b + t5] + col[b + t6] + col[b + t7] + col[b + t8];
        }
      } else {
        for (let ix = x0; ix < x1; ix++) {
          const b = rb + ix;
          let acc = 0;
          for (let t = 0; t < kk; t++) acc += col[b + taps[t]];
          dx[xr + ix] = acc;
        }
      }
    }
  }
}

/** Per input index i of an axis: the taps k in [lo, hi) with 0 <= i + pad - k*dilation < out. */
function tapRange(size: number, k: number, dilation: number, pad: number, out: number): [Int32Array, Int32Array] {
  const lo = new Int32Array(size), hi = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const a = Math.max(0, Math.ceil((i + pad - out + 1) / dilation)), b = Math.min(k, Math.floor((i + pad) / dilation) + 1);
    lo[i] = Math.min(a, k);
    hi[i] = Math.max(lo[i], b);
  }
  return [lo, hi];
}
