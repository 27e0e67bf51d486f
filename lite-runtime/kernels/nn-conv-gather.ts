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
  const h = s.h, w = s.w, dh = s.dilationH, dw = s.dilationW, pt = s.padTop, pl = s.padLeft;
  // output (oy, ox) = (iy + pt - ky*dh, ix + pl - kx*dw): every tap is inside for these input rows/columns
  const y0 = Math.max(0, (s.kh - 1) * dh - pt), y1 = Math.min(h, outH - pt);
  const x0 = Math.max(0, (s.kw - 1) * dw - pl), x1 = Math.min(w, outW - pl);
  const taps = new Int32Array(kk); // col offset of each tap relative to row 0 at output (iy + pt, ix + pl)
  for (let ky = 0, t = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++, t++) taps[t] = t * ld - ky * dh * outW - kx * dw;
  const three = s.kh === 3 && s.kw === 3;
  const t0 = taps[0], t1 = taps[1 % kk], t2 = taps[2 % kk], t3 = taps[3 % kk], t4 = taps[4 % kk];
  const t5 = taps[5 % kk], t6 = taps[6 % kk], t7 = taps[7 % kk], t8 = taps[8 % kk];
  for (let ci = 0; ci < cg; ci++) {
    const cb = ci * kk * ld + off + pt * outW + pl, xo = ci * h * w;
    for (let iy = 0; iy < h; iy++) {
      const inner = iy >= y0 && iy < y1;
      const xr = xo + iy * w, rb = cb + iy * outW;
      if (!inner || x1 <= x0) { border(col, dx, p, ld, off, ci, iy, 0, w); continue; }
      border(col, dx, p, ld, off, ci, iy, 0, x0);
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
      border(col, dx, p, ld, off, ci, iy, x1, w);
    }
  }
}

/** dx[ci, iy, ix] for ix in [xa, xb): the taps whose output lies inside, checked one by one. */
function border(col: Float32Array, dx: Float32Array, p: ConvPlan, ld: number, off: number, ci: number, iy: number, xa: number, xb: number): void {
  const { s, outH, outW, kk } = p;
  for (let ix = xa; ix < xb; ix++) {
    let acc = 0;
    for (let ky = 0; ky < s.kh; ky++) {
      const oy = iy + s.padTop - ky * s.dilationH;
      if (oy < 0 || oy >= outH) continue;
      for (let kx = 0; kx < s.kw; kx++) {
        const ox = ix + s.padLeft - kx * s.dilationW;
        if (ox < 0 || ox >= outW) continue;
        acc += col[(ci * kk + ky * s.kw + kx) * ld + off + oy * outW + ox];
      }
    }
    dx[(ci * s.h + iy) * s.w + ix] = acc;
  }
}
