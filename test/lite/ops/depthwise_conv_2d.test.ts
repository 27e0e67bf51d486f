import { describe, expect, it } from 'vitest';
import { DEPTHWISE_CONV_2D } from '../../../lite-runtime/ops/depthwise_conv_2d.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { constant, maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';
import { convFloat, convInt8, geom, type ConvCase, type Mode } from './reference.js';
import { setRequantMode } from '../../../lite-runtime/ops/util/requant.js';

const MODES: Mode[] = ['fp32', 'reference'];

const CASES: Array<ConvCase & { act: number }> = [
  { n: 1, h: 6, w: 6, c: 4, oc: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: 0, act: 0 },
  { n: 2, h: 7, w: 5, c: 3, oc: 6, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padding: 0, act: 3 },
  { n: 1, h: 9, w: 8, c: 2, oc: 2, kh: 3, kw: 2, sh: 1, sw: 2, dh: 2, dw: 1, padding: 1, act: 1 },
  { n: 1, h: 10, w: 8, c: 1, oc: 8, kh: 5, kw: 4, sh: 2, sw: 2, dh: 1, dw: 1, padding: 0, act: 1 },
];
const RANGE: Record<number, [number, number]> = { 0: [-Infinity, Infinity], 1: [0, Infinity], 3: [0, 6] };

const opts = (p: ConvCase & { act: number }): Record<number, number> =>
  ({ 0: p.padding, 1: p.sw, 2: p.sh, 3: p.oc / p.c, 4: p.act, 5: p.dw, 6: p.dh });

describe('DEPTHWISE_CONV_2D', () => {
  it('float32 matches a direct depthwise convolution (multipliers, strides, dilation)', () => {
    const r = rng(20);
    for (const p of CASES) {
      const xs = randf(r, p.n * p.h * p.w * p.c, -2, 2), ws = randf(r, p.kh * p.kw * p.oc), bs = randf(r, p.oc);
      const x = tensor('float32', [p.n, p.h, p.w, p.c], xs);
      const isConst = p.n === 1; // batch-2 cases feed weights and bias computed at run time
      const w = tensor('float32', [1, p.kh, p.kw, p.oc], ws, { isConst });
      const [y] = runOp(DEPTHWISE_CONV_2D, node([x, w, tensor('float32', [p.oc], bs, { isConst })], [out('float32')], opts(p)));
      const g = geom(p);
      expect(y!.shape).toEqual([p.n, g.outH, g.outW, p.oc]);
      expect(maxAbsDiff(y!.data as Float32Array, convFloat(p, true, xs, ws, bs, ...RANGE[p.act]!))).toBeLessThan(1e-5);
    }
  });

  it.each(MODES)('int8 per-channel matches the %s requantization exactly', (mode) => {
    setRequantMode(mode);
    const r = rng(21);
    for (const p of CASES) {
      const xs = randi(r, p.n * p.h * p.w * p.c, -128, 127), ws = randi(r, p.kh * p.kw * p.oc, -127, 127);
      const bs = randi(r, p.oc, -2000, 2000), wScales = randf(r, p.oc, 0.003, 0.03).map(Math.fround);
      const inScale = Math.fround(0.04), outScale = Math.fround(0.1 * Math.sqrt(p.kh * p.kw)), inZp = 9, outZp = -3;
      const x = tensor('int8', [p.n, p.h, p.w, p.c], xs, { quant: { scale: inScale, zeroPoint: inZp } });
      const w = constant('int8', [1, p.kh, p.kw, p.oc], ws, { quant: { scale: wScales, axis: 3 } });
      const [y] = runOp(DEPTHWISE_CONV_2D, node([x, w, constant('int32', [p.oc], bs)],
        [out('int8', { scale: outScale, zeroPoint: outZp })], opts(p)));
      const lo = p.act === 0 ? -128 : outZp;
      const hi = p.act === 3 ? Math.min(127, outZp + Math.round(6 / outScale)) : 127;
      const ref = convInt8(mode, p, true, xs, inZp, ws, bs, inScale, wScales, outScale, outZp, lo, hi);
      expect(Array.from(y!.data as Int8Array)).toEqual(Array.from(ref));
    }
  });

  it('rejects a filter that is not [1,kh,kw,c*m]', () => {
    const x = tensor('float32', [1, 4, 4, 3]);
    expect(() => DEPTHWISE_CONV_2D.prepare(node([x, constant('float32', [1, 3, 3, 4], new Array(36).fill(0))], [out('float32')])))
      .toThrow(KernelError);
    expect(() => DEPTHWISE_CONV_2D.prepare(node([x, constant('float32', [2, 3, 3, 3], new Array(54).fill(0))], [out('float32')])))
      .toThrow(/DEPTHWISE_CONV_2D \(node 7\)/);
  });

  it('rejects strides or dilations below 1 and unknown padding', () => {
    const x = tensor('float32', [1, 4, 4, 3]), w = () => constant('float32', [1, 3, 3, 3], new Array(27).fill(0));
    expect(() => DEPTHWISE_CONV_2D.prepare(node([x, w()], [out('float32')], { 2: 0 }))).toThrow(/DEPTHWISE_CONV_2D \(node 7\).*strides \(0,1\)/);
    expect(() => DEPTHWISE_CONV_2D.prepare(node([x, w()], [out('float32')], { 5: -1 }))).toThrow(/dilations \(1,-1\) must be >= 1/);
    expect(() => DEPTHWISE_CONV_2D.prepare(node([x, w()], [out('float32')], { 0: 3 }))).toThrow(/padding must be SAME \(0\) or VALID \(1\), got 3/);
  });
});
