import { describe, it, expect } from 'vitest';
import {
  depthwiseNHWC, convOutputSize, setKernelBackend, KernelArgumentError,
  type ConvGeometry, type KernelBackend,
} from '../../lite-runtime/kernels/index.js';
import { randF32, expectClose } from './ref.js';

// Channel counts cover the 16-wide and 4-wide blocks and the scalar tail.
const GEOMS: ConvGeometry[] = [
  { c: 1, h: 1, w: 1, kh: 1, kw: 1 },
  { c: 3, h: 5, w: 7, kh: 3, kw: 3 },
  { c: 16, h: 6, w: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 },
  { c: 21, h: 9, w: 8, kh: 3, kw: 2, strideH: 2, strideW: 3, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 },
  { c: 35, h: 10, w: 11, kh: 3, kw: 3, dilationH: 2, dilationW: 3, padTop: 2, padLeft: 1, padBottom: 1, padRight: 3 },
  { c: 32, h: 7, w: 7, kh: 5, kw: 5, strideH: 2, strideW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 },
  { c: 4, h: 2, w: 2, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, strideH: 2, strideW: 2 },
  // 3x3 windows inside the image run along the row (weights in registers): strides, dilation, odd sizes
  { c: 12, h: 11, w: 13, kh: 3, kw: 3, strideH: 2, strideW: 1, dilationH: 1, dilationW: 2, padTop: 1, padLeft: 2, padBottom: 0, padRight: 1 },
  { c: 20, h: 9, w: 9, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 1, padBottom: 1, padRight: 0 },
];

/** Naive depthwise NHWC in float64, plus sum |x||w| per output; padding reads `pad`. */
function naive(x: ArrayLike<number>, w: ArrayLike<number>, geo: ConvGeometry, pad: number): { y: Float64Array; mag: Float64Array } {
  const g = convOutputSize(geo);
  const y = new Float64Array(g.outH * g.outW * g.c), mag = new Float64Array(y.length);
  for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let ch = 0; ch < g.c; ch++) {
    let s = 0, m = 0;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.strideH + ky * g.dilationH - g.padTop, ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
      const v = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? x[(iy * g.w + ix) * g.c + ch] : pad;
      const p = v * w[(ky * g.kw + kx) * g.c + ch];
      s += p; m += Math.abs(p);
    }
    y[(oy * g.outW + ox) * g.c + ch] = s;
    mag[(oy * g.outW + ox) * g.c + ch] = m;
  }
  return { y, mag };
}

for (const backend of ['wasm', 'js'] as KernelBackend[]) {
  describe(`depthwise NHWC (${backend})`, () => {
    it('float matches a naive loop, with bias and relu / relu6', () => {
      setKernelBackend(backend);
      let seed = 1;
      for (const geo of GEOMS) {
        const g = convOutputSize(geo);
        const x = randF32(g.h * g.w * g.c, seed++).map((v) => v * 4), w = randF32(g.kh * g.kw * g.c, seed++), bias = randF32(g.c, seed++);
        const ref = naive(x, w, geo, 0);
        for (const act of [null, 'relu', 'relu6'] as const) {
          for (const withBias of [false, true]) {
            const y = new Float32Array(ref.y.length).fill(Number.NaN);
            depthwiseNHWC(x, w, y, geo, { bias: withBias ? bias : null, act });
            const want = ref.y.map((v, i) => {
              let r = v + (withBias ? bias[i % g.c] : 0);
              if (act) r = Math.max(0, r);
              if (act === 'relu6') r = Math.min(6, r);
              return r;
            });
            expectClose(y, want, ref.mag.map((v, i) => v + (withBias ? Math.abs(bias[i % g.c]) : 0)),
              `${backend} act=${act} bias=${withBias} ${JSON.stringify(geo)}`);
          }
        }
      }
    });

    it('rejects bad input with typed errors', () => {
      setKernelBackend(backend);
      const geo = { c: 4, h: 3, w: 3, kh: 3, kw: 3 };
      expect(() => depthwiseNHWC(new Float32Array(36), new Float32Array(35), new Float32Array(4), geo)).toThrow(KernelArgumentError);
      expect(() => depthwiseNHWC(new Float32Array(36), new Float32Array(35), new Float32Array(4), geo))
        .toThrow('depthwiseNHWC: w has 35 elements, needs kh*kw*c = 36');
      expect(() => depthwiseNHWC(new Float32Array(36), new Float32Array(36), new Float32Array(3), geo))
        .toThrow('depthwiseNHWC: y has 3 elements, needs outH*outW*c = 4');
      expect(() => depthwiseNHWC(new Float32Array(36), new Float32Array(36), new Float32Array(4), geo, { bias: new Float32Array(2) }))
        .toThrow('depthwiseNHWC: bias has 2 elements, needs c = 4');
    });
  });
}

describe('depthwise NHWC with a depth multiplier (JS)', () => {
  it('equals a naive reference for odd sizes, strides, padding and dilation', () => {
    for (const [c, m, h, w, k, s, p, d] of [[3, 2, 7, 5, 3, 1, 1, 1], [2, 3, 9, 8, 3, 2, 0, 1], [5, 4, 6, 7, 2, 1, 1, 2]]) {
      const geo = { c: c!, h: h!, w: w!, kh: k!, kw: k!, strideH: s!, strideW: s!, padTop: p!, padLeft: p!, padBottom: p!, padRight: p!, dilationH: d!, dilationW: d! };
      const g = convOutputSize(geo), oc = c! * m!;
      const x = randF32(h! * w! * c!, c! + h!), wt = randF32(k! * k! * oc, oc + k!), bias = randF32(oc, 3);
      const y = new Float32Array(g.outH * g.outW * oc);
      depthwiseNHWC(x, wt, y, geo, { bias, act: 'relu6', multiplier: m });
      for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let o = 0; o < oc; o++) {
        let v = bias[o]!;
        for (let ky = 0; ky < k!; ky++) for (let kx = 0; kx < k!; kx++) {
          const iy = oy * s! + ky * d! - p!, ix = ox * s! + kx * d! - p!;
          if (iy >= 0 && iy < h! && ix >= 0 && ix < w!) v += x[(iy * w! + ix) * c! + Math.floor(o / m!)]! * wt[(ky * k! + kx) * oc + o]!;
        }
        expect(y[(oy * g.outW + ox) * oc + o]).toBeCloseTo(Math.min(Math.max(v, 0), 6), 5);
      }
    }
  });
});
