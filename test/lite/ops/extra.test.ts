import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { NEG } from '../../../lite-runtime/ops/neg.js';
import { ABS } from '../../../lite-runtime/ops/abs.js';
import { SQUARE } from '../../../lite-runtime/ops/square.js';
import { FLOOR } from '../../../lite-runtime/ops/floor.js';
import { CEIL } from '../../../lite-runtime/ops/ceil.js';
import { ROUND } from '../../../lite-runtime/ops/round.js';
import { LOG } from '../../../lite-runtime/ops/log.js';
import { SIN } from '../../../lite-runtime/ops/sin.js';
import { COS } from '../../../lite-runtime/ops/cos.js';
import { SQUARED_DIFFERENCE } from '../../../lite-runtime/ops/squared_difference.js';
import { POW } from '../../../lite-runtime/ops/pow.js';
import { PACK } from '../../../lite-runtime/ops/pack.js';
import { UNPACK } from '../../../lite-runtime/ops/unpack.js';
import { SPLIT_V } from '../../../lite-runtime/ops/split_v.js';
import { TILE } from '../../../lite-runtime/ops/tile.js';
import { PRELU } from '../../../lite-runtime/ops/prelu.js';
import { LESS } from '../../../lite-runtime/ops/less.js';
import { GREATER } from '../../../lite-runtime/ops/greater.js';
import { LESS_EQUAL } from '../../../lite-runtime/ops/less_equal.js';
import { GREATER_EQUAL } from '../../../lite-runtime/ops/greater_equal.js';
import { EQUAL } from '../../../lite-runtime/ops/equal.js';
import { NOT_EQUAL } from '../../../lite-runtime/ops/not_equal.js';
import { SELECT_V2 } from '../../../lite-runtime/ops/select_v2.js';
import { RESIZE_BILINEAR } from '../../../lite-runtime/ops/resize_bilinear.js';
import { RESIZE_NEAREST_NEIGHBOR } from '../../../lite-runtime/ops/resize_nearest_neighbor.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import type { LiteOp } from '../../../lite-runtime/ops/op.js';
import { constant, maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';

const data = (t: { data: unknown }): number[] => Array.from(t.data as ArrayLike<number>, Number);
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('more unary ops', () => {
  const cases: Array<[LiteOp<unknown>, (x: number) => number, boolean]> = [
    [ABS as LiteOp<unknown>, Math.abs, false], [SQUARE as LiteOp<unknown>, (x) => x * x, false],
    [FLOOR as LiteOp<unknown>, Math.floor, false], [CEIL as LiteOp<unknown>, Math.ceil, false], [LOG as LiteOp<unknown>, Math.log, true],
    [SIN as LiteOp<unknown>, Math.sin, false], [COS as LiteOp<unknown>, Math.cos, false],
  ];
  it('float32 follows the math, int8 tables stay within half a step', () => {
    const r = rng(100);
    for (const [op, f, pos] of cases) {
      const xs = randf(r, 30, pos ? 0.05 : -4, 4).map(Math.fround);
      const [y] = runOp(op, node([tensor('float32', [30], xs)], [out('float32')]));
      data(y!).forEach((v, i) => expect(Math.abs(v - f(xs[i]!))).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(f(xs[i]!)))));
      const qx = pos ? { scale: 0.03, zeroPoint: -128 } : { scale: 0.03, zeroPoint: 0 }, qy = { scale: 0.05, zeroPoint: -10 };
      const qs = iota(256).map((v) => v - 128);
      const [q] = runOp(op, node([tensor('int8', [256], qs, { quant: qx })], [out('int8', qy)]));
      data(q!).forEach((v, i) => {
        const real = f(Math.fround(qx.scale) * (qs[i]! - qx.zeroPoint)) / Math.fround(qy.scale) + qy.zeroPoint;
        if (Number.isFinite(real)) expect(Math.abs(v - Math.max(-128, Math.min(127, real)))).toBeLessThanOrEqual(0.5 + 1e-6);
      });
    }
  });
  it('NEG: float32 by the math, int8 on the stored values as the real runtime does', () => {
    expect(data(runOp(NEG, node([tensor('float32', [3], [1.5, -2, 0])], [out('float32')]))[0]!)).toEqual([-1.5, 2, -0]);
    const [q] = runOp(NEG, node([tensor('int8', [4], [-128, -5, 0, 127], { quant: { scale: 0.05, zeroPoint: 3 } })], [out('int8', { scale: 0.04, zeroPoint: -5 })]));
    expect(data(q!)).toEqual([127, 5, 0, -127]);
  });

  it('ROUND rounds half to even', () => {
    const [y] = runOp(ROUND, node([tensor('float32', [7], [0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])], [out('float32')]));
    expect(data(y!)).toEqual([0, 2, 2, -0, -2, 2, -3]);
  });
});

describe('more binary ops', () => {
  it('SQUARED_DIFFERENCE float32 (broadcast) and int8; POW float32 and int32', () => {
    const [d] = runOp(SQUARED_DIFFERENCE, node([tensor('float32', [2, 2], [1, 2, 3, 4]), tensor('float32', [2], [0.5, 5])], [out('float32')]));
    expect(data(d!)).toEqual([0.25, 9, 6.25, 1]);
    const [q] = runOp(SQUARED_DIFFERENCE, node([tensor('int8', [3], [10, -10, 40], { quant: { scale: 0.1 } }), tensor('int8', [3], [0, 10, 0], { quant: { scale: 0.1 } })],
      [out('int8', { scale: 0.05, zeroPoint: -128 })]));
    expect(data(q!)).toEqual([-108, -48, 127]); // 1, 4, 16 (saturates)
    const [p] = runOp(POW, node([tensor('float32', [3], [2, 4, 9]), tensor('float32', [3], [3, 0.5, -1])], [out('float32')]));
    expect(maxAbsDiff(p!.data as Float32Array, [8, 2, 1 / 9])).toBeLessThan(1e-7);
    const [pi] = runOp(POW, node([tensor('int32', [3], [2, -3, 7]), tensor('int32', [1], [3])], [out('int32')]));
    expect(data(pi!)).toEqual([8, -27, 343]);
    expect(() => runOp(POW, node([tensor('int32', [1], [2]), tensor('int32', [1], [-1])], [out('int32')]))).toThrow(/exponent/);
  });

  it('comparisons broadcast, output bool, and compare real values of quantized inputs', () => {
    const a = tensor('float32', [2, 2], [1, 2, 3, 4]), b = () => tensor('float32', [2], [2, 2]);
    const table: Array<[LiteOp<unknown>, number[]]> = [[LESS as LiteOp<unknown>, [1, 0, 0, 0]], [GREATER as LiteOp<unknown>, [0, 0, 1, 1]],
      [LESS_EQUAL as LiteOp<unknown>, [1, 1, 0, 0]], [GREATER_EQUAL as LiteOp<unknown>, [0, 1, 1, 1]], [EQUAL as LiteOp<unknown>, [0, 1, 0, 0]],
      [NOT_EQUAL as LiteOp<unknown>, [1, 0, 1, 1]]];
    for (const [op, want] of table) {
      const [y] = runOp(op, node([a, b()], [out('bool')]));
      expect(y!.dtype).toBe('bool');
      expect(data(y!)).toEqual(want);
    }
    // 10 * 0.1 = 1.0 vs 4 * 0.25 = 1.0: equal although the stored values differ
    const [e] = runOp(EQUAL, node([tensor('int8', [2], [10, 11], { quant: { scale: 0.1 } }), tensor('int8', [2], [4, 4], { quant: { scale: 0.25 } })], [out('bool')]));
    expect(data(e!)).toEqual([1, 0]);
    // all six on quantized inputs, NaN in float ones: 1.0, 1.1, 0.9, -0.5 vs 1.0, 1.0, 1.0, -0.5
    const qa = () => tensor('int8', [4], [10, 11, 9, -5], { quant: { scale: 0.1 } });
    const qb = () => tensor('int8', [4], [4, 4, 4, -2], { quant: { scale: 0.25 } });
    const qtable: Array<[LiteOp<unknown>, number[], number[]]> = [[LESS as LiteOp<unknown>, [0, 0, 1, 0], [0, 0]],
      [GREATER as LiteOp<unknown>, [0, 1, 0, 0], [0, 0]], [LESS_EQUAL as LiteOp<unknown>, [1, 0, 1, 1], [0, 0]],
      [GREATER_EQUAL as LiteOp<unknown>, [1, 1, 0, 1], [0, 0]], [EQUAL as LiteOp<unknown>, [1, 0, 0, 1], [0, 0]],
      [NOT_EQUAL as LiteOp<unknown>, [0, 1, 1, 0], [1, 1]]];
    for (const [op, want, wantNaN] of qtable) {
      expect(data(runOp(op, node([qa(), qb()], [out('bool')]))[0]!)).toEqual(want);
      expect(data(runOp(op, node([tensor('float32', [2], [NaN, 1]), tensor('float32', [2], [1, NaN])], [out('bool')]))[0]!)).toEqual(wantNaN);
    }
    expect(() => LESS.prepare(node([tensor('float32', [2]), tensor('int32', [2])], [out('bool')]))).toThrow(KernelError);
  });

  it('SELECT_V2 broadcasts condition, x and y', () => {
    const [y] = runOp(SELECT_V2, node([tensor('bool', [2, 1], [1, 0]), tensor('float32', [3], [1, 2, 3]), tensor('float32', [1], [-1])], [out('float32')]));
    expect(y!.shape).toEqual([2, 3]);
    expect(data(y!)).toEqual([1, 2, 3, -1, -1, -1]);
  });

  it('PRELU float32 with per-channel alpha, and int8 within one step', () => {
    const [y] = runOp(PRELU, node([tensor('float32', [2, 3], [-1, 2, -3, 4, -5, 6]), constant('float32', [3], [0.1, 0.2, 0.3])], [out('float32')]));
    expect(maxAbsDiff(y!.data as Float32Array, [-0.1, 2, -0.9, 4, -1, 6])).toBeLessThan(1e-6);
    const r = rng(101), xs = randi(r, 20, -128, 127);
    const [q] = runOp(PRELU, node([tensor('int8', [20], xs, { quant: { scale: 0.05, zeroPoint: 3 } }), constant('int8', [1], [64], { quant: { scale: 0.005 } })],
      [out('int8', { scale: 0.04, zeroPoint: -2 })]));
    data(q!).forEach((v, i) => {
      const xr = Math.fround(0.05) * (xs[i]! - 3), real = (xr >= 0 ? xr : 64 * Math.fround(0.005) * xr) / Math.fround(0.04) - 2;
      expect(Math.abs(v - Math.max(-128, Math.min(127, real)))).toBeLessThanOrEqual(0.5 + 1e-5);
    });
  });
});

describe('more layout ops', () => {
  it('PACK / UNPACK along an axis', () => {
    const [p] = runOp(PACK, node([tensor('int32', [2, 2], [1, 2, 3, 4]), tensor('int32', [2, 2], [5, 6, 7, 8])], [out('int32')], { 0: 2, 1: 1 }));
    expect(p!.shape).toEqual([2, 2, 2]);
    expect(data(p!)).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
    const [u0, u1, u2] = runOp(UNPACK, node([tensor('float32', [2, 3], iota(6))], [out('float32'), out('float32'), out('float32')], { 0: 3, 1: -1 }));
    expect(u0!.shape).toEqual([2]);
    expect([data(u0!), data(u1!), data(u2!)]).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(() => PACK.prepare(node([tensor('int32', [2]), tensor('int32', [3])], [out('int32')], { 0: 2 }))).toThrow(KernelError);
  });

  it('SPLIT_V with a -1 size and TILE', () => {
    const [a, b] = runOp(SPLIT_V, node([tensor('float32', [2, 5], iota(10)), constant('int32', [2], [2, -1]), constant('int32', [], [1])], [out('float32'), out('float32')]));
    expect(a!.shape).toEqual([2, 2]);
    expect(b!.shape).toEqual([2, 3]);
    expect([data(a!), data(b!)]).toEqual([[0, 1, 5, 6], [2, 3, 4, 7, 8, 9]]);
    const [t] = runOp(TILE, node([tensor('int8', [2, 2], [1, 2, 3, 4]), constant('int32', [2], [2, 3])], [out('int8')]));
    expect(t!.shape).toEqual([4, 6]);
    expect(data(t!).slice(0, 12)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    expect(() => SPLIT_V.prepare(node([tensor('float32', [4]), constant('int32', [2], [1, 1]), constant('int32', [], [0])], [out('float32'), out('float32')]))).toThrow(KernelError);
  });
});

interface ResizeCase { op: string; align: boolean; half: boolean; xShape: number[]; x: number[]; size: number[]; y: number[] }

describe('resize', () => {
  const cases = JSON.parse(readFileSync(new URL('../../fixtures/lite/ops/resize.json', import.meta.url), 'utf8')) as ResizeCase[];
  it('RESIZE_BILINEAR (half_pixel_centers, align_corners) and RESIZE_NEAREST_NEIGHBOR match torch interpolate', () => {
    for (const c of cases) {
      const op = (c.op === 'nearest' ? RESIZE_NEAREST_NEIGHBOR : RESIZE_BILINEAR) as LiteOp<unknown>;
      const opts: Record<number, boolean> = c.op === 'nearest' ? { 0: c.align, 1: c.half } : { 2: c.align, 3: c.half };
      const [y] = runOp(op, node([tensor('float32', c.xShape, c.x), constant('int32', [2], c.size)], [out('float32')], opts));
      expect(y!.shape).toEqual([1, c.size[0]!, c.size[1]!, c.xShape[3]!]);
      expect(maxAbsDiff(y!.data as Float32Array, c.y)).toBeLessThan(1e-5);
    }
  });
  it('RESIZE_BILINEAR without flags follows TFLite (source = out * in / out, upper index clamped)', () => {
    const [y] = runOp(RESIZE_BILINEAR, node([tensor('float32', [1, 1, 2, 1], [0, 10]), constant('int32', [2], [1, 4])], [out('float32')]));
    expect(data(y!)).toEqual([0, 5, 10, 10]);
    const [q] = runOp(RESIZE_BILINEAR, node([tensor('int8', [1, 1, 2, 1], [0, 11], { quant: { scale: 0.1 } }), constant('int32', [2], [1, 4])],
      [out('int8', { scale: 0.1 })]));
    expect(data(q!)).toEqual([0, 6, 11, 11]); // 5.5 rounds away from zero
  });
});
