import { describe, expect, it } from 'vitest';
import { AVERAGE_POOL_2D } from '../../../lite-runtime/ops/average_pool_2d.js';
import { MAX_POOL_2D } from '../../../lite-runtime/ops/max_pool_2d.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';
import { geom, type ConvCase } from './reference.js';

type Reduce = (vals: number[]) => number;

function pool(p: ConvCase, x: ArrayLike<number>, f: Reduce): number[] {
  const { outH, outW, pt, pl } = geom(p);
  const y: number[] = [];
  for (let b = 0; b < p.n; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) for (let c = 0; c < p.c; c++) {
    const vals: number[] = [];
    for (let ky = 0; ky < p.kh; ky++) for (let kx = 0; kx < p.kw; kx++) {
      const iy = oy * p.sh + ky - pt, ix = ox * p.sw + kx - pl;
      if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w) vals.push(x[((b * p.h + iy) * p.w + ix) * p.c + c]!);
    }
    y.push(f(vals));
  }
  return y;
}

const CASES: ConvCase[] = [
  { n: 1, h: 6, w: 6, c: 3, oc: 3, kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, padding: 1 },
  { n: 2, h: 7, w: 5, c: 2, oc: 2, kh: 3, kw: 3, sh: 2, sw: 1, dh: 1, dw: 1, padding: 0 },
  { n: 1, h: 3, w: 3, c: 4, oc: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: 1 },
];
const opts = (p: ConvCase, act = 0): Record<number, number> => ({ 0: p.padding, 1: p.sw, 2: p.sh, 3: p.kw, 4: p.kh, 5: act });
const mean: Reduce = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const max: Reduce = (v) => Math.max(...v);
// TFLite's integer average: sum rounded half away from zero by the tap count.
const imean: Reduce = (v) => {
  const s = v.reduce((a, b) => a + b, 0), n = v.length, h = Math.trunc(n / 2);
  return (s > 0 ? Math.trunc((s + h) / n) : Math.trunc((s - h) / n)) | 0;
};

describe('AVERAGE_POOL_2D / MAX_POOL_2D', () => {
  it('float32 matches window mean / max (padding taps excluded)', () => {
    const r = rng(40);
    for (const p of CASES) {
      const xs = randf(r, p.n * p.h * p.w * p.c, -3, 3);
      const [a] = runOp(AVERAGE_POOL_2D, node([tensor('float32', [p.n, p.h, p.w, p.c], xs)], [out('float32')], opts(p)));
      const [m] = runOp(MAX_POOL_2D, node([tensor('float32', [p.n, p.h, p.w, p.c], xs)], [out('float32')], opts(p, 1)));
      const g = geom(p);
      expect(a!.shape).toEqual([p.n, g.outH, g.outW, p.c]);
      expect(maxAbsDiff(a!.data as Float32Array, pool(p, xs, mean))).toBeLessThan(1e-5);
      expect(maxAbsDiff(m!.data as Float32Array, pool(p, xs, max).map((v) => Math.max(0, v)))).toBeLessThan(1e-6);
    }
  });

  it('int8 matches TFLite integer average rounding and max, with activation clamp', () => {
    const r = rng(41);
    for (const p of CASES) {
      const xs = randi(r, p.n * p.h * p.w * p.c, -128, 127);
      const q = { scale: 0.1, zeroPoint: -5 };
      const [a] = runOp(AVERAGE_POOL_2D, node([tensor('int8', [p.n, p.h, p.w, p.c], xs, { quant: q })], [out('int8', q)], opts(p)));
      const [m] = runOp(MAX_POOL_2D, node([tensor('int8', [p.n, p.h, p.w, p.c], xs, { quant: q })], [out('int8', q)], opts(p, 3)));
      expect(Array.from(a!.data as Int8Array)).toEqual(pool(p, xs, imean));
      expect(Array.from(m!.data as Int8Array)).toEqual(pool(p, xs, max).map((v) => Math.min(55, Math.max(-5, v))));
    }
  });

  it('rejects int8 pooling that changes quantization, and a rank-3 input', () => {
    expect(() => AVERAGE_POOL_2D.prepare(node([tensor('int8', [1, 4, 4, 1], undefined, { quant: { scale: 0.1 } })],
      [out('int8', { scale: 0.2 })], { 3: 2, 4: 2 }))).toThrow(KernelError);
    expect(() => MAX_POOL_2D.prepare(node([tensor('float32', [4, 4, 1])], [out('float32')], { 3: 2, 4: 2 }))).toThrow(/rank must be 4/);
  });
});
