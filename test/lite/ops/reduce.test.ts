import { describe, expect, it } from 'vitest';
import { MEAN } from '../../../lite-runtime/ops/mean.js';
import { SUM } from '../../../lite-runtime/ops/sum.js';
import { REDUCE_MAX } from '../../../lite-runtime/ops/reduce_max.js';
import { REDUCE_MIN } from '../../../lite-runtime/ops/reduce_min.js';
import { REDUCE_PROD } from '../../../lite-runtime/ops/reduce_prod.js';
import type { LiteOp } from '../../../lite-runtime/ops/op.js';
import { constant, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';

const KINDS: Array<[LiteOp<unknown>, (v: number[]) => number]> = [
  [SUM as LiteOp<unknown>, (v) => v.reduce((a, b) => a + b, 0)],
  [MEAN as LiteOp<unknown>, (v) => v.reduce((a, b) => a + b, 0) / v.length],
  [REDUCE_PROD as LiteOp<unknown>, (v) => v.reduce((a, b) => a * b, 1)],
  // TFLite's reducers skip NaN
  [REDUCE_MAX as LiteOp<unknown>, (v) => v.reduce((a, b) => (b > a ? b : a), -Infinity)],
  [REDUCE_MIN as LiteOp<unknown>, (v) => v.reduce((a, b) => (b < a ? b : a), Infinity)],
];

/** Brute force: for each output position (row-major over the kept dims) the values reduced into it, in input order. */
function groups(xs: number[], shape: number[], axes: number[]): number[][] {
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const outN = kept.reduce((a, d) => a * shape[d]!, 1);
  const g: number[][] = Array.from({ length: outN }, () => []);
  xs.forEach((v, i) => {
    let rest = i, o = 0;
    const pos = new Array<number>(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) { pos[d] = rest % shape[d]!; rest = Math.floor(rest / shape[d]!); }
    for (const d of kept) o = o * shape[d]! + pos[d]!;
    g[o]!.push(v);
  });
  return g;
}

describe('reductions over any axes (kernels axisView / sumAxis / prodAxis; max/min skip NaN)', () => {
  it('float32 and int32 match a brute-force reference, contiguous and scattered axes', () => {
    const r = rng(301);
    const shape = [2, 3, 4, 5];
    for (const axes of [[0], [3], [1, 2], [0, 2], [0, 1, 3], [1, 3], [0, 1, 2, 3]]) {
      const xs = randf(r, 120, -1.5, 1.5).map(Math.fround);
      xs[7] = NaN;
      for (const [op, f] of KINDS) {
        const [y] = runOp(op, node([tensor('float32', shape, xs), constant('int32', [axes.length], axes)], [out('float32')]));
        const want = groups(xs, shape, axes).map(f);
        const got = Array.from(y!.data as Float32Array);
        want.forEach((w, i) => {
          if (Number.isNaN(w)) expect(got[i], `${op.name} ${axes} ${i}`).toBeNaN();
          else expect(Math.abs(got[i]! - w), `${op.name} ${axes} ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w)));
        });
      }
      const is = randi(r, 120, -50, 50);
      for (const [op, f] of KINDS.filter(([op]) => op !== REDUCE_PROD)) {
        const [y] = runOp(op, node([tensor('int32', shape, is), constant('int32', [axes.length], axes)], [out('int32')]));
        expect(Array.from(y!.data as Int32Array), `${op.name} int32 ${axes}`).toEqual(groups(is, shape, axes).map(f).map((v) => Math.trunc(v) | 0));
      }
    }
  });

  it('int8 combines real values and rounds into the output (within half a step)', () => {
    const r = rng(302);
    const shape = [3, 4, 2], qx = { scale: 0.05, zeroPoint: -7 }, qy = { scale: 0.04, zeroPoint: 5 };
    const xs = randi(r, 24, -128, 127);
    const real = xs.map((q) => Math.fround(qx.scale) * (q - qx.zeroPoint));
    for (const axes of [[1], [0, 2]]) {
      for (const [op, f] of KINDS) {
        const [y] = runOp(op, node([tensor('int8', shape, xs, { quant: qx }), constant('int32', [axes.length], axes)], [out('int8', qy)]));
        groups(real, shape, axes).map(f).forEach((w, i) => {
          const want = Math.max(-128, Math.min(127, w / Math.fround(qy.scale) + qy.zeroPoint));
          expect(Math.abs((y!.data as Int8Array)[i]! - want), `${op.name} ${axes} ${i}`).toBeLessThanOrEqual(0.5 + 1e-6);
        });
      }
    }
  });
});
