import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelBackend, setKernelBackend, type KernelBackend } from '../../../lite-runtime/kernels/index.js';
import { CONV_2D } from '../../../lite-runtime/ops/conv_2d.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { constant, maxAbsDiff, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';
import { convFloat, convInt8, geom, type ConvCase, type Mode } from './reference.js';
import { setRequantMode } from '../../../lite-runtime/ops/util/requant.js';

const MODES: Mode[] = ['fp32', 'reference'];

const CASES: Array<ConvCase & { act: number }> = [
  { n: 1, h: 5, w: 5, c: 3, oc: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: 0, act: 0 },
  { n: 2, h: 7, w: 6, c: 2, oc: 5, kh: 3, kw: 2, sh: 2, sw: 1, dh: 1, dw: 1, padding: 1, act: 1 },
  { n: 1, h: 9, w: 9, c: 4, oc: 3, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padding: 0, act: 3 },
  { n: 1, h: 8, w: 7, c: 2, oc: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, padding: 0, act: 2 },
  { n: 2, h: 4, w: 4, c: 8, oc: 6, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: 1, act: 0 },
  { n: 1, h: 6, w: 6, c: 3, oc: 2, kh: 1, kw: 1, sh: 2, sw: 2, dh: 1, dw: 1, padding: 0, act: 0 },
  { n: 2, h: 6, w: 5, c: 6, oc: 4, kh: 3, kw: 3, sh: 1, sw: 2, dh: 1, dw: 1, padding: 0, act: 1, groups: 2 },
  { n: 1, h: 4, w: 4, c: 6, oc: 6, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1, padding: 1, act: 0, groups: 3 },
];
const RANGE: Record<number, [number, number]> = { 0: [-Infinity, Infinity], 1: [0, Infinity], 2: [-1, 1], 3: [0, 6] };

function opts(p: ConvCase & { act: number }): Record<number, number> {
  return { 0: p.padding, 1: p.sw, 2: p.sh, 3: p.act, 4: p.dw, 5: p.dh };
}

describe.each(['wasm', 'js'] as KernelBackend[])('CONV_2D (%s kernels)', (backend) => {
  const before = kernelBackend();
  beforeAll(() => setKernelBackend(backend));
  afterAll(() => setKernelBackend(before));

  it('float32 matches a direct convolution (SAME/VALID, strides, dilation, 1x1, batch, activations, groups)', () => {
    const r = rng(10);
    for (const p of CASES) {
      for (const constW of [true, false]) {
        const xs = randf(r, p.n * p.h * p.w * p.c, -2, 2);
        const ws = randf(r, p.oc * p.kh * p.kw * (p.c / (p.groups ?? 1)));
        const bs = randf(r, p.oc);
        const x = tensor('float32', [p.n, p.h, p.w, p.c], xs);
        const w = tensor('float32', [p.oc, p.kh, p.kw, p.c / (p.groups ?? 1)], ws, { isConst: constW });
        const b = constant('float32', [p.oc], bs);
        const [y] = runOp(CONV_2D, node([x, w, b], [out('float32')], opts(p)));
        const g = geom(p);
        expect(y!.shape).toEqual([p.n, g.outH, g.outW, p.oc]);
        const ref = convFloat(p, false, xs, ws, bs, ...RANGE[p.act]!);
        expect(maxAbsDiff(y!.data as Float32Array, ref)).toBeLessThan(1e-4);
      }
    }
  });

  it.each(MODES)('int8 per-channel matches the %s requantization exactly', (mode) => {
    setRequantMode(mode);
    const r = rng(11);
    for (const p of CASES) {
      const xs = randi(r, p.n * p.h * p.w * p.c, -128, 127);
      const ws = randi(r, p.oc * p.kh * p.kw * (p.c / (p.groups ?? 1)), -127, 127);
      const bs = randi(r, p.oc, -3000, 3000);
      const wScales = randf(r, p.oc, 0.002, 0.02).map(Math.fround);
      const inScale = Math.fround(0.05), outScale = Math.fround(0.09 * Math.sqrt(p.kh * p.kw * p.c)), inZp = -7, outZp = 5;
      const x = tensor('int8', [p.n, p.h, p.w, p.c], xs, { quant: { scale: inScale, zeroPoint: inZp } });
      const w = constant('int8', [p.oc, p.kh, p.kw, p.c / (p.groups ?? 1)], ws, { quant: { scale: wScales, zeroPoint: 0 } });
      const b = constant('int32', [p.oc], bs);
      const [y] = runOp(CONV_2D, node([x, w, b], [out('int8', { scale: outScale, zeroPoint: outZp })], opts(p)));
      const lo = p.act === 0 ? -128 : Math.max(-128, outZp + Math.round((p.act === 2 ? -1 : 0) / outScale));
      const hi = p.act === 3 ? Math.min(127, outZp + Math.round(6 / outScale)) : p.act === 2 ? Math.min(127, outZp + Math.round(1 / outScale)) : 127;
      const ref = convInt8(mode, p, false, xs, inZp, ws, bs, inScale, wScales, outScale, outZp, lo, hi);
      expect(Array.from(y!.data as Int8Array)).toEqual(Array.from(ref));
      // and it approximates the float convolution of the dequantized values
      const fx = xs.map((v) => inScale * (v - inZp));
      const fw = ws.map((v, i) => wScales[Math.floor(i / (p.kh * p.kw * (p.c / (p.groups ?? 1))))]! * v);
      const fb = bs.map((v, o) => v * inScale * wScales[o]!);
      const fref = convFloat(p, false, fx, fw, fb, ...RANGE[p.act]!);
      const deq = Array.from(y!.data as Int8Array, (v) => outScale * (v - outZp));
      const clipped = Array.from(fref, (v) => Math.min(outScale * (127 - outZp), Math.max(outScale * (-128 - outZp), v)));
      expect(maxAbsDiff(deq, clipped)).toBeLessThanOrEqual(outScale * 0.51);
    }
  });

  it.each(MODES)('int8 per-tensor weights without bias (%s)', (mode) => {
    setRequantMode(mode);
    const p: ConvCase = { n: 1, h: 6, w: 5, c: 3, oc: 4, kh: 3, kw: 3, sh: 1, sw: 2, dh: 1, dw: 1, padding: 0 };
    const r = rng(12);
    const xs = randi(r, 90, -128, 127), ws = randi(r, 108, -127, 127);
    const x = tensor('int8', [1, 6, 5, 3], xs, { quant: { scale: 0.1, zeroPoint: 3 } });
    const w = constant('int8', [4, 3, 3, 3], ws, { quant: { scale: 0.01 } });
    const [y] = runOp(CONV_2D, node([x, w, null], [out('int8', { scale: 0.5, zeroPoint: -2 })], { 0: 0, 1: 2, 2: 1 }));
    const ref = convInt8(mode, p, false, xs, 3, ws, null, Math.fround(0.1), [Math.fround(0.01)], Math.fround(0.5), -2);
    expect(Array.from(y!.data as Int8Array)).toEqual(Array.from(ref));
  });

  it('large images run in bands of output rows (bounded scratch) with the same results', () => {
    const r = rng(13);
    for (const p of [
      { n: 1, h: 200, w: 200, c: 8, oc: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padding: 0 as const, act: 0 },
      { n: 2, h: 150, w: 120, c: 9, oc: 3, kh: 3, kw: 3, sh: 2, sw: 2, dh: 2, dw: 1, padding: 0 as const, act: 1 },
    ]) {
      const xs = randf(r, p.n * p.h * p.w * p.c), ws = randf(r, p.oc * p.kh * p.kw * p.c), bs = randf(r, p.oc);
      const [y] = runOp(CONV_2D, node([tensor('float32', [p.n, p.h, p.w, p.c], xs), constant('float32', [p.oc, p.kh, p.kw, p.c], ws),
        constant('float32', [p.oc], bs)], [out('float32')], opts(p)));
      expect(maxAbsDiff(y!.data as Float32Array, convFloat(p, false, xs, ws, bs, ...RANGE[p.act]!))).toBeLessThan(1e-4);
      setRequantMode('reference');
      const xq = randi(r, xs.length, -128, 127), wq = randi(r, ws.length, -127, 127);
      const [q] = runOp(CONV_2D, node([tensor('int8', [p.n, p.h, p.w, p.c], xq, { quant: { scale: 0.05, zeroPoint: 4 } }),
        constant('int8', [p.oc, p.kh, p.kw, p.c], wq, { quant: { scale: 0.01 } }), null], [out('int8', { scale: 2, zeroPoint: 0 })], opts(p)));
      const lo = p.act ? 0 : -128;
      expect(Array.from(q!.data as Int8Array)).toEqual(Array.from(convInt8('reference', p, false, xq, 4, wq, null, Math.fround(0.05), [Math.fround(0.01)], 2, 0, lo, 127)));
      setRequantMode('fp32');
    }
  }, 30_000); // ~1.2 s alone; a long timeout so a loaded machine does not fail it

  it('rejects bad ranks, dtypes, channel mismatch and activations with a KernelError', () => {
    const x = tensor('float32', [1, 4, 4, 2]);
    const bad = [
      node([tensor('float32', [4, 4, 2]), constant('float32', [1, 1, 1, 2], [1, 1])], [out('float32')]),
      node([x, constant('float32', [1, 1, 1, 3], [1, 1, 1])], [out('float32')]),
      node([tensor('int32', [1, 4, 4, 2]), constant('float32', [1, 1, 1, 2], [1, 1])], [out('int32')]),
      node([x, constant('float32', [1, 1, 1, 2], [1, 1])], [out('float32')], { 3: 4 }),
      node([x, constant('float32', [1, 5, 5, 2], new Array(50).fill(0))], [out('float32')], { 0: 1 }),
    ];
    for (const n of bad) expect(() => CONV_2D.prepare(n)).toThrow(KernelError);
    expect(() => CONV_2D.prepare(bad[1]!)).toThrow(/CONV_2D \(node 7\).*input channels 3/);
    const w1 = () => constant('float32', [1, 1, 1, 2], [1, 1]);
    expect(() => CONV_2D.prepare(node([x, w1()], [out('float32')], { 1: 0 }))).toThrow(/CONV_2D \(node 7\).*strides \(1,0\) and dilations \(1,1\) must be >= 1/);
    expect(() => CONV_2D.prepare(node([x, w1()], [out('float32')], { 5: 0 }))).toThrow(/dilations \(0,1\) must be >= 1/);
    expect(() => CONV_2D.prepare(node([x, w1()], [out('float32')], { 0: 2 }))).toThrow(/padding must be SAME \(0\) or VALID \(1\), got 2/);
  });
});
