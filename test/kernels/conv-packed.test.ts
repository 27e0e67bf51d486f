import { afterEach, describe, expect, it } from 'vitest';
import {
  convNHWCPacked, convOutputSize, kernelMemory, packB, setKernelBackend, KernelArgumentError, type ConvGeometry,
} from '../../lite-runtime/kernels/index.js';
import { expectClose, randF32 } from './ref.js';

/** Direct NHWC convolution in float64 with OHWI weights, bias and relu; plus sum |x||w| per output. */
function naive(x: Float32Array, w: Float32Array, bias: Float32Array, geo: ConvGeometry, n: number): { y: Float64Array; mag: Float64Array } {
  const g = convOutputSize(geo), k = g.kh * g.kw * g.c;
  const y = new Float64Array(g.outH * g.outW * n), mag = new Float64Array(y.length);
  for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let o = 0; o < n; o++) {
    let s = bias[o]!, m = Math.abs(bias[o]!);
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) for (let c = 0; c < g.c; c++) {
      const iy = oy * g.strideH + ky * g.dilationH - g.padTop, ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      const p = x[(iy * g.w + ix) * g.c + c]! * w[o * k + (ky * g.kw + kx) * g.c + c]!;
      s += p; m += Math.abs(p);
    }
    y[(oy * g.outW + ox) * n + o] = Math.max(0, s);
    mag[(oy * g.outW + ox) * n + o] = m;
  }
  return { y, mag };
}

const CASES: [ConvGeometry, number][] = [
  [{ c: 3, h: 12, w: 11, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }, 16],
  [{ c: 16, h: 8, w: 8, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1 }, 13],
  [{ c: 5, h: 9, w: 10, kh: 2, kw: 3, dilationH: 2, dilationW: 2, padTop: 1, padLeft: 2, padBottom: 0, padRight: 1 }, 7],
  [{ c: 1, h: 4, w: 4, kh: 4, kw: 4 }, 3],
  // k = 288: more than one K block (packed path); 5x7 outputs leave rows past a multiple of 4
  [{ c: 32, h: 5, w: 7, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }, 20],
  [{ c: 4, h: 3, w: 5, kh: 2, kw: 2 }, 40],
];

afterEach(() => setKernelBackend('wasm'));

describe('convNHWCPacked (wasm)', () => {
  CASES.forEach(([geo, n], i) => {
    it(`c=${geo.c} ${geo.h}x${geo.w} k${geo.kh}x${geo.kw} n=${n}: matches a direct loop, in place and copied`, () => {
      const g = convOutputSize(geo), k = g.kh * g.kw * g.c, m = g.outH * g.outW;
      const x = randF32(g.h * g.w * g.c, i + 1), w = randF32(n * k, i + 20), bias = randF32(n, i + 40);
      const ref = naive(x, w, bias, geo, n);
      const p = packB(w, k, n, true);
      const y = new Float32Array(m * n + 3).fill(9);
      expect(convNHWCPacked(x, p, y, geo, bias, 'relu', { yOffset: 2 })).toBe(true);
      expectClose(y.subarray(2, 2 + m * n), ref.y, ref.mag, 'copied');
      expect([y[0], y[1], y[m * n + 2]]).toEqual([9, 9, 9]);
      const mem = kernelMemory()!, ox = mem.alloc(x.length * 4), oy = mem.alloc(m * n * 4);
      const rx = new Float32Array(mem.buffer, ox, x.length), ry = new Float32Array(mem.buffer, oy, m * n);
      rx.set(x);
      expect(convNHWCPacked(rx, p, ry, geo, bias, 'relu')).toBe(true);
      expectClose(ry, ref.y, ref.mag, 'in place');
      mem.release(ox, x.length * 4);
      mem.release(oy, m * n * 4);
    });
  });

  it('checks sizes, and declines under the js backend', () => {
    const geo: ConvGeometry = { c: 2, h: 3, w: 3, kh: 3, kw: 3 };
    const p = packB(randF32(18 * 4, 1), 18, 4, true);
    expect(() => convNHWCPacked(new Float32Array(17), p, new Float32Array(4), geo)).toThrow(KernelArgumentError);
    expect(() => convNHWCPacked(new Float32Array(18), p, new Float32Array(3), geo)).toThrow(KernelArgumentError);
    expect(() => convNHWCPacked(new Float32Array(18), packB(randF32(8, 1), 2, 4, true), new Float32Array(4), geo)).toThrow(KernelArgumentError);
    setKernelBackend('js');
    expect(convNHWCPacked(new Float32Array(18), p, new Float32Array(4), geo)).toBe(false);
  });
});
