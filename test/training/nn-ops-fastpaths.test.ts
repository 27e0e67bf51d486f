import { describe, expect, it } from 'vitest';
import { maxPool2dBackwardNCHW, maxPool2dNCHW, type Pool2dShape } from '../../lite-runtime/kernels/nn-pool.js';

/** Direct 2x2/stride-2 max pool: the first maximum in row-major order, or the first NaN. */
function naivePool2x2(x: Float32Array, gy: Float32Array, planes: number, h: number, w: number) {
  const oh = h >> 1, ow = w >> 1;
  const y = new Float32Array(planes * oh * ow), dx = new Float32Array(x.length);
  for (let p = 0, o = 0; p < planes; p++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, o++) {
    let best = -1;
    for (const [dy, dxx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      const i = p * h * w + (2 * oy + dy) * w + 2 * ox + dxx;
      if (best < 0) { best = i; continue; }
      const v = x[i], bv = x[best];
      if (bv !== bv) continue;
      if (v !== v || v > bv) best = i;
    }
    y[o] = x[best];
    dx[best] = gy[o];
  }
  return { y, dx };
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('maxPool2d 2x2 stride-2 fast path vs a direct scan', () => {
  // values drawn from a small set so that ties (0 and -0 included), infinities and NaN occur often
  const pool = [0, -0, 1, 1, -1, 2, Infinity, -Infinity, NaN, 0.5];
  for (const [planes, h, w] of [[3, 4, 4], [2, 5, 7], [4, 6, 3], [1, 2, 2], [2, 9, 8]]) {
    it(`planes ${planes}, ${h}x${w}`, () => {
      let seed = planes * 131 + h * 17 + w;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      const x = Float32Array.from({ length: planes * h * w }, () => pool[Math.floor(rnd() * pool.length)]);
      const oh = h >> 1, ow = w >> 1;
      const gy = Float32Array.from({ length: planes * oh * ow }, (_, i) => i + 1);
      const s: Pool2dShape = { planes, h, w, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, ceilMode: false };
      const y = new Float32Array(planes * oh * ow), dx = new Float32Array(x.length).fill(7);
      maxPool2dNCHW(x, y, s);
      maxPool2dBackwardNCHW(x, gy, dx, s);
      const ref = naivePool2x2(x, gy, planes, h, w);
      for (let i = 0; i < y.length; i++) if (!same(y[i], ref.y[i])) expect.fail(`y[${i}]: got ${y[i]}, want ${ref.y[i]}`);
      for (let i = 0; i < dx.length; i++) if (!same(dx[i], ref.dx[i])) expect.fail(`dx[${i}]: got ${dx[i]}, want ${ref.dx[i]}`);
    });
  }
});
