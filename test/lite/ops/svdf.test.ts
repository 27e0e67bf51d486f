import { describe, expect, it } from 'vitest';
import { SVDF } from '../../../lite-runtime/ops/svdf.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { setRequantMode } from '../../../lite-runtime/ops/util/requant.js';
import { constant, node, out, randf, randi, rng, runOp, tensor } from './helpers.js';

/**
 * SVDF from its definition: each filter f keeps the last `memory` feature activations
 * a_t[f] = x_t . wf[f]; unit u sums over its `rank` filters sum_j wt[f][j] * a_{t-memory+1+j}[f], + bias.
 */
function svdfRef(xs: number[][], wf: number[], wt: number[], bias: number[], inSize: number, filters: number, memory: number, rank: number, relu: boolean): number[][] {
  const hist: number[][] = Array.from({ length: filters }, () => new Array(memory).fill(0));
  return xs.map((x) => {
    for (let f = 0; f < filters; f++) {
      let a = 0;
      for (let i = 0; i < inSize; i++) a += x[i]! * wf[f * inSize + i]!;
      hist[f]!.shift(); hist[f]!.push(a);
    }
    const units = filters / rank;
    return Array.from({ length: units }, (_, u) => {
      let s = bias[u]!;
      for (let r = 0; r < rank; r++) { const f = u * rank + r; for (let j = 0; j < memory; j++) s += wt[f * memory + j]! * hist[f]![j]!; }
      return relu ? Math.max(0, s) : s;
    });
  });
}

describe('SVDF', () => {
  it('float32 over a sequence of runs matches the definition (state persists in input 4)', () => {
    const r = rng(90);
    const inSize = 5, filters = 6, memory = 4, rank = 2, units = 3;
    const wf = randf(r, filters * inSize), wt = randf(r, filters * memory), bias = randf(r, units);
    const xs = Array.from({ length: 7 }, () => randf(r, inSize));
    const x = tensor('float32', [1, inSize]);
    const state = tensor('float32', [1, filters * memory]);
    const n = node([x, constant('float32', [filters, inSize], wf), constant('float32', [filters, memory], wt), constant('float32', [units], bias), state],
      [out('float32')], { 0: rank, 1: 1 });
    const st = SVDF.prepare(n);
    n.outputs[0]!.data = new Float32Array(units);
    const ref = svdfRef(xs, wf, wt, bias, inSize, filters, memory, rank, true);
    xs.forEach((v, t) => {
      (x.data as Float32Array).set(v);
      SVDF.run(n, st);
      Array.from(n.outputs[0]!.data as Float32Array).forEach((y, u) => expect(y).toBeCloseTo(ref[t]![u]!, 5));
    });
  });

  it('int8 with an int16 state follows the float result within one output step', () => {
    setRequantMode('reference');
    const r = rng(91);
    const inSize = 8, filters = 4, memory = 5, rank = 1, units = 4;
    const xq = randi(r, inSize * 6, -100, 100), wfq = randi(r, filters * inSize, -127, 127), wtq = randi(r, filters * memory, -30000, 30000);
    const sx = 0.05, swf = 0.01, swt = 1 / 32768, ss = 0.004, sy = 0.15;
    const bq = randi(r, units, -20000, 20000);
    const x = tensor('int8', [1, inSize], undefined, { quant: { scale: sx, zeroPoint: 2 } });
    const state = tensor('int16', [1, filters * memory], undefined, { quant: { scale: ss, zeroPoint: 0 } });
    const n = node([x, constant('int8', [filters, inSize], wfq, { quant: { scale: swf } }), constant('int16', [filters, memory], wtq, { quant: { scale: swt } }),
      constant('int32', [units], bq, { quant: { scale: ss * swt } }), state], [out('int8', { scale: sy, zeroPoint: -1 })], { 0: rank });
    const st = SVDF.prepare(n);
    n.outputs[0]!.data = new Int8Array(units);
    const xs = Array.from({ length: 6 }, (_, t) => xq.slice(t * inSize, t * inSize + inSize));
    const f = (v: number) => Math.fround(v);
    const ref = svdfRef(xs.map((v) => v.map((q) => f(sx) * (q - 2))), wfq.map((q) => f(swf) * q), wtq.map((q) => f(swt) * q),
      bq.map((q) => q * f(ss) * f(swt)), inSize, filters, memory, rank, false);
    xs.forEach((v, t) => {
      (x.data as Int8Array).set(v);
      SVDF.run(n, st);
      Array.from(n.outputs[0]!.data as Int8Array).forEach((q, u) => {
        const want = Math.max(-128, Math.min(127, ref[t]![u]! / f(sy) - 1));
        expect(Math.abs(q - want)).toBeLessThanOrEqual(1);
      });
    });
    setRequantMode('fp32');
  });

  it('rejects a state of the wrong size and a rank that does not divide the filters', () => {
    const mk = (stateLen: number, rank: number) => node([tensor('float32', [1, 3]), constant('float32', [4, 3], new Array(12).fill(0)),
      constant('float32', [4, 2], new Array(8).fill(0)), null, tensor('float32', [1, stateLen])], [out('float32')], { 0: rank });
    expect(() => SVDF.prepare(mk(8, 2))).not.toThrow();
    expect(() => SVDF.prepare(mk(7, 2))).toThrow(KernelError);
    expect(() => SVDF.prepare(mk(8, 3))).toThrow(/multiple of rank/);
  });
});
