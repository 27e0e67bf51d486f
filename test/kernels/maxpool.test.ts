import { afterEach, describe, expect, it } from 'vitest';
import { convOutputSize, kernelMemory, maxPoolNHWC, setKernelBackend, KernelArgumentError, type ConvGeometry } from '../../lite-runtime/kernels/index.js';
import { randF32, randI8 } from './ref.js';

/** Max over in-image taps with `if (v > m) m = v` (the lite op's rule), clamped. */
function naive(x: ArrayLike<number>, geo: ConvGeometry, lo: number, hi: number): number[] {
  const g = convOutputSize(geo), out: number[] = [];
  for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let c = 0; c < g.c; c++) {
    let m = NaN, any = false;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.strideH + ky - g.padTop, ix = ox * g.strideW + kx - g.padLeft;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      const v = x[(iy * g.w + ix) * g.c + c]!;
      if (!any) { m = v; any = true; } else if (v > m) m = v;
    }
    out.push(!any ? (lo > 0 ? lo : hi < 0 ? hi : 0) : m < lo ? lo : m > hi ? hi : m);
  }
  return out;
}

const GEOS: ConvGeometry[] = [
  { c: 16, h: 8, w: 8, kh: 2, kw: 2, strideH: 2, strideW: 2 },
  { c: 37, h: 7, w: 9, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 },
  { c: 3, h: 5, w: 5, kh: 3, kw: 2, padTop: 1, padLeft: 0, padBottom: 1, padRight: 1 },
];

afterEach(() => setKernelBackend('wasm'));

describe('maxPoolNHWC (wasm)', () => {
  GEOS.forEach((geo, i) => {
    it(`c=${geo.c} ${geo.h}x${geo.w} k${geo.kh}x${geo.kw}: float and int8 exact, in place and copied`, () => {
      const g = convOutputSize(geo), ny = g.outH * g.outW * g.c;
      const xf = randF32(g.h * g.w * g.c, i + 1);
      xf[3] = NaN; // an input NaN follows the op's comparison rule
      const yf = new Float32Array(ny);
      expect(maxPoolNHWC(xf, yf, geo, { lo: -0.5, hi: 0.75 })).toBe(true);
      expect(Array.from(yf)).toEqual(naive(xf, geo, -0.5, 0.75).map(Math.fround));
      const xi = randI8(g.h * g.w * g.c, i + 9), yi = new Int8Array(ny + 2).fill(55);
      expect(maxPoolNHWC(xi, yi, geo, { lo: -100, hi: 90, yOffset: 1 })).toBe(true);
      expect(Array.from(yi.subarray(1, 1 + ny))).toEqual(naive(xi, geo, -100, 90));
      expect([yi[0], yi[ny + 1]]).toEqual([55, 55]);
      const mem = kernelMemory()!, ox = mem.alloc(xi.length), oy = mem.alloc(ny);
      const rx = new Int8Array(mem.buffer, ox, xi.length), ry = new Int8Array(mem.buffer, oy, ny);
      rx.set(xi);
      expect(maxPoolNHWC(rx, ry, geo, { lo: -128, hi: 127 })).toBe(true);
      expect(Array.from(ry)).toEqual(naive(xi, geo, -128, 127));
      mem.release(ox, xi.length);
      mem.release(oy, ny);
    });
  });

  it('checks its arguments and declines under the js backend', () => {
    const geo: ConvGeometry = { c: 2, h: 2, w: 2, kh: 2, kw: 2 };
    expect(() => maxPoolNHWC(new Float32Array(7), new Float32Array(2), geo)).toThrow(KernelArgumentError);
    expect(() => maxPoolNHWC(new Int8Array(8), new Int8Array(2), geo, { lo: 0.5 })).toThrow(KernelArgumentError);
    setKernelBackend('js');
    expect(maxPoolNHWC(new Float32Array(8), new Float32Array(2), geo)).toBe(false);
  });
});
