import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

/** A direct float64 convolution and its two adjoints: the oracle for random geometries. */
function naiveConv(
  x: Float32Array, w: Float32Array, gy: Float32Array,
  [n, c, h, wd]: number[], [oc, cg, kh, kw]: number[], [oh, ow]: number[],
  stride: number[], pads: number[], dil: number[], groups: number,
) {
  const y = new Float64Array(n * oc * oh * ow), dx = new Float64Array(x.length), dw = new Float64Array(w.length);
  const ocg = oc / groups;
  for (let b = 0; b < n; b++) for (let o = 0; o < oc; o++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const yi = ((b * oc + o) * oh + oy) * ow + ox;
    const g = Math.floor(o / ocg);
    for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * stride[0] + ky * dil[0] - pads[0], ix = ox * stride[1] + kx * dil[1] - pads[1];
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      const xi = ((b * c + g * cg + ci) * h + iy) * wd + ix, wi = ((o * cg + ci) * kh + ky) * kw + kx;
      y[yi] += x[xi] * w[wi];
      dx[xi] += gy[yi] * w[wi];
      dw[wi] += gy[yi] * x[xi];
    }
  }
  return { y, dx, dw };
}

function close(got: tg.Tensor, want: Float64Array, what: string): void {
  const g = got.data();
  expect(g.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(g[i] - want[i]) > 1e-4 + 1e-4 * Math.abs(want[i])) expect.fail(`${what}[${i}]: got ${g[i]}, direct ${want[i]}`);
  }
}

describe('conv2d on random geometries vs a direct loop (forward, input and weight gradients)', () => {
  tg.manualSeed(21);
  const pick = (lo: number, hi: number) => tg.randint(lo, hi + 1, []).item();
  for (let t = 0; t < 60; t++) {
    const groups = [1, 1, 2, 3][pick(0, 3)];
    const cg = groups === 1 ? pick(1, 4) : pick(1, 2), ocg = pick(1, 3);
    const kh = pick(1, 4), kw = pick(1, 4), stride = [pick(1, 3), pick(1, 3)], dil = [pick(1, 2), pick(1, 2)];
    const same = t % 4 === 0;
    const pads = same ? null : [pick(0, 2), pick(0, 2)];
    const n = pick(1, 5), h = pick(kh * dil[0], 12), wd = pick(kw * dil[1], 30);
    const name = `#${t} n${n} c${cg * groups} ${h}x${wd} k${kh}x${kw} s${stride} d${dil} g${groups} ${same ? 'same' : `p${pads}`}`;
    it(name, () => {
      const x = tg.randn([n, cg * groups, h, wd], { requiresGrad: true });
      const w = tg.randn([ocg * groups, cg, kh, kw], { requiresGrad: true });
      const opts = same ? { padding: 'same' as const, dilation: dil as [number, number], groups }
        : { stride: stride as [number, number], padding: pads as [number, number], dilation: dil as [number, number], groups };
      const y = tg.conv2d(x, w, null, opts);
      const gy = tg.randn(y.shape as number[]);
      const [dx, dw] = tg.grad(y, [x, w], [gy]);
      const th = dil[0] * (kh - 1), tw = dil[1] * (kw - 1);
      const before = same ? [th >> 1, tw >> 1] : pads!;
      const ref = naiveConv(x.data() as Float32Array, w.data() as Float32Array, gy.data() as Float32Array,
        [...x.shape], [...w.shape], [y.shape[2], y.shape[3]], same ? [1, 1] : stride, before, dil, groups);
      close(y, ref.y, 'y');
      close(dx!, ref.dx, 'dx');
      close(dw!, ref.dw, 'dw');
    });
  }
});
