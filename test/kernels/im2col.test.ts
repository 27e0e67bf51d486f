import { describe, it, expect } from 'vitest';
import {
  im2colNHWC, convOutputSize, matmul, qmatmulI8, setKernelBackend,
  type ConvGeometry, type KernelBackend,
} from '../../lite-runtime/kernels/index.js';
import { conv2dBackwardInputNCHW, conv2dNCHW } from '../../training/kernels/nn-conv.js';
import { randF32, randI8, expectClose } from './ref.js';

const GEOMS: ConvGeometry[] = [
  { c: 1, h: 1, w: 1, kh: 1, kw: 1 },
  { c: 3, h: 5, w: 7, kh: 3, kw: 3 },
  { c: 2, h: 6, w: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 },
  { c: 4, h: 9, w: 8, kh: 3, kw: 2, strideH: 2, strideW: 3, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 },
  { c: 2, h: 10, w: 11, kh: 3, kw: 3, dilationH: 2, dilationW: 3, padTop: 2, padLeft: 1, padBottom: 1, padRight: 3 },
  { c: 3, h: 7, w: 5, kh: 5, kw: 1, strideH: 3, strideW: 1, padTop: 3, padBottom: 3 },
  { c: 1, h: 2, w: 2, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, strideH: 2, strideW: 2 },
  { c: 5, h: 4, w: 4, kh: 4, kw: 4, padTop: 4, padLeft: 4, padBottom: 4, padRight: 4, strideH: 3, strideW: 2 },
  // Long contiguous runs (outW and kw*c >= 48): the bulk-copy paths.
  { c: 16, h: 5, w: 52, kh: 2, kw: 3, padLeft: 1, padRight: 1 },
];

const abs = (a: Float32Array) => a.map(Math.abs);

function full(g: ConvGeometry) {
  return convOutputSize(g);
}

/** Naive NCHW convolution of one image: W [oc, c, kh, kw]. */
function convNCHW(x: Float32Array, wt: Float32Array, oc: number, geo: ConvGeometry): Float64Array {
  const g = full(geo);
  const y = new Float64Array(oc * g.outH * g.outW);
  for (let o = 0; o < oc; o++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
    let s = 0;
    for (let ci = 0; ci < g.c; ci++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.strideH + ky * g.dilationH - g.padTop, ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      s += wt[((o * g.c + ci) * g.kh + ky) * g.kw + kx] * x[(ci * g.h + iy) * g.w + ix];
    }
    y[(o * g.outH + oy) * g.outW + ox] = s;
  }
  return y;
}

/** Naive input gradient of convNCHW: dx[ci,iy,ix] = sum W[o,ci,ky,kx] * dy[o,oy,ox]. */
function convNCHWInputGrad(dy: Float32Array, wt: Float32Array, oc: number, geo: ConvGeometry): Float64Array {
  const g = full(geo);
  const dx = new Float64Array(g.c * g.h * g.w);
  for (let o = 0; o < oc; o++) for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
    for (let ci = 0; ci < g.c; ci++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.strideH + ky * g.dilationH - g.padTop, ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      dx[(ci * g.h + iy) * g.w + ix] += wt[((o * g.c + ci) * g.kh + ky) * g.kw + kx] * dy[(o * g.outH + oy) * g.outW + ox];
    }
  }
  return dx;
}

/** Naive NHWC convolution over channels [c0, c0+cn) with OHWI weights [oc, kh, kw, cn]; padding reads `pad`. */
function convNHWC(x: ArrayLike<number>, wt: ArrayLike<number>, oc: number, geo: ConvGeometry, c0: number, cn: number, pad: number): Float64Array {
  const g = full(geo);
  const y = new Float64Array(g.outH * g.outW * oc);
  for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let o = 0; o < oc; o++) {
    let s = 0;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let ci = 0; ci < cn; ci++) {
      const iy = oy * g.strideH + ky * g.dilationH - g.padTop, ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
      const inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
      const v = inside ? x[(iy * g.w + ix) * g.c + c0 + ci] : pad;
      s += wt[((o * g.kh + ky) * g.kw + kx) * cn + ci] * v;
    }
    y[(oy * g.outW + ox) * oc + o] = s;
  }
  return y;
}

describe('convOutputSize', () => {
  it('follows floor((h + pads - dilation*(k-1) - 1) / stride) + 1', () => {
    expect(convOutputSize({ c: 1, h: 28, w: 28, kh: 3, kw: 3 })).toMatchObject({ outH: 26, outW: 26 });
    expect(convOutputSize({ c: 1, h: 10, w: 11, kh: 3, kw: 3, dilationH: 2, dilationW: 3, padTop: 2, padLeft: 1, padBottom: 1, padRight: 3 }))
      .toMatchObject({ outH: 9, outW: 9 });
    expect(convOutputSize({ c: 1, h: 7, w: 7, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 }))
      .toMatchObject({ outH: 4, outW: 4 });
  });
  it('rejects impossible geometry with typed errors', () => {
    expect(() => convOutputSize({ c: 1, h: 2, w: 2, kh: 3, kw: 3 })).toThrow(/kernel 3x3 \(dilation 1x1\) does not fit the padded input 2x2/);
    expect(() => convOutputSize({ c: 1, h: 4, w: 4, kh: 3, kw: 3, strideW: 0 })).toThrow(/strideW must be >= 1, got 0/);
    expect(() => convOutputSize({ c: 1, h: 4, w: 4, kh: 3, kw: 3, padTop: -1 })).toThrow(/padTop must be a non-negative integer/);
    expect(() => im2colNHWC(new Float32Array(16), new Float32Array(3), { c: 1, h: 4, w: 4, kh: 3, kw: 3 }))
      .toThrow('im2colNHWC: col has 3 elements, needs outH*outW*kh*kw*cn = 36');
    expect(() => im2colNHWC(new Float32Array(16), new Float32Array(36), { c: 1, h: 4, w: 4, kh: 3, kw: 3 }, { c0: 1, cn: 1 }))
      .toThrow('im2colNHWC: channels [1, 2) exceed c = 1');
    expect(() => im2colNHWC(new Int8Array(16), new Int8Array(36), { c: 1, h: 4, w: 4, kh: 3, kw: 3 }, { padValue: 200 }))
      .toThrow(/padValue 200 does not fit int8/);
  });
});

for (const backend of ['wasm', 'js'] as KernelBackend[]) {
  describe(`convolution (${backend} GEMM)`, () => {
    it('NCHW forward (training kernel) matches a naive convolution', () => {
      setKernelBackend(backend);
      let seed = 1;
      for (const geo of GEOMS) {
        const g = full(geo), oc = 3, K = g.c * g.kh * g.kw, P = g.outH * g.outW;
        const x = randF32(g.c * g.h * g.w, seed++), wt = randF32(oc * K, seed++);
        const y = new Float32Array(oc * P).fill(Number.NaN);
        conv2dNCHW(x, wt, null, y, geo, oc);
        expectClose(y, convNCHW(x, wt, oc, geo), convNCHW(abs(x), abs(wt), oc, geo), `NCHW ${JSON.stringify(geo)}`);
      }
    });

    it('NCHW input gradient (training kernel) overwrites dx with the gradient', () => {
      setKernelBackend(backend);
      let seed = 50;
      for (const geo of GEOMS) {
        const g = full(geo), oc = 2, K = g.c * g.kh * g.kw, P = g.outH * g.outW;
        const dy = randF32(oc * P, seed++), wt = randF32(oc * K, seed++);
        const dx = new Float32Array(g.c * g.h * g.w).fill(Number.NaN);
        conv2dBackwardInputNCHW(dy, wt, dx, geo, oc);
        expectClose(dx, convNCHWInputGrad(dy, wt, oc, geo), convNCHWInputGrad(abs(dy), abs(wt), oc, geo), `input gradient ${JSON.stringify(geo)}`);
      }
    });

    it('the input gradient is the adjoint of the convolution: <conv(x), y> = <x, convInputGrad(y)>', () => {
      setKernelBackend(backend);
      for (const geo of GEOMS) {
        const g = full(geo), oc = 2, n = oc * g.outH * g.outW;
        const x = randF32(g.c * g.h * g.w, 7), y = randF32(n, 8), wt = randF32(oc * g.c * g.kh * g.kw, 9);
        const fx = new Float32Array(n), back = new Float32Array(x.length);
        conv2dNCHW(x, wt, null, fx, geo, oc);
        conv2dBackwardInputNCHW(y, wt, back, geo, oc);
        let l = 0, r = 0, mag = 0;
        for (let i = 0; i < n; i++) { l += fx[i] * y[i]; mag += Math.abs(fx[i] * y[i]); }
        for (let i = 0; i < x.length; i++) { r += x[i] * back[i]; mag += Math.abs(x[i] * back[i]); }
        expect(Math.abs(l - r)).toBeLessThanOrEqual(mag * 1e-5 + 1e-9);
      }
    });

    it('NHWC forward (OHWI weights, transB) matches a naive convolution, including channel groups', () => {
      setKernelBackend(backend);
      let seed = 200;
      for (const geo of GEOMS) {
        const g = full(geo), oc = 5, P = g.outH * g.outW;
        const x = randF32(g.h * g.w * g.c, seed++);
        for (const [c0, cn] of [[0, g.c], [Math.floor(g.c / 2), g.c - Math.floor(g.c / 2)]]) {
          if (cn === 0) continue;
          const K = g.kh * g.kw * cn, wt = randF32(oc * K, seed++);
          const col = new Float32Array(P * K).fill(Number.NaN);
          im2colNHWC(x, col, geo, { c0, cn });
          const y = new Float32Array(P * oc);
          matmul(col, wt, y, P, K, oc, { transB: true });
          expectClose(y, convNHWC(x, wt, oc, geo, c0, cn, 0), convNHWC(abs(x), abs(wt), oc, geo, c0, cn, 0), `NHWC c0=${c0} ${JSON.stringify(geo)}`);
        }
      }
    });

    it('int8 NHWC: padding with the zero point makes padded taps contribute zero', () => {
      setKernelBackend(backend);
      let seed = 300;
      for (const geo of GEOMS) {
        const g = full(geo), oc = 6, P = g.outH * g.outW, K = g.kh * g.kw * g.c;
        const x = randI8(g.h * g.w * g.c, seed++), wt = randI8(oc * K, seed++);
        for (const zp of [0, -128, 17, 127]) {
          const col = new Int8Array(P * K);
          im2colNHWC(x, col, geo, { padValue: zp });
          const acc = new Int32Array(P * oc);
          qmatmulI8(col, zp, wt, acc, P, K, oc);
          const xs = Array.from(x, (v) => v - zp);
          expect(Array.from(acc), `int8 zp=${zp} ${JSON.stringify(geo)}`).toEqual(Array.from(convNHWC(xs, wt, oc, geo, 0, g.c, 0)));
        }
      }
    });
  });
}
