/**
 * The everyday training ops (activations, rounding, triu/tril, cast, the norms, bmm, einsum) through
 * `convert` (tg.jit function -> ONNX -> IR -> .tflite) and the lite runtime, against eager values.
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { maxRelDiff, randomData, runLite, tg } from './helpers.js';

type Fn = (...xs: tg.Tensor[]) => tg.Tensor;

/** Converts `fn` (as a tg.jit function) at `inputs`, runs it in the lite runtime; returns [lite, eager] of output 0. */
async function both(fn: Fn, inputs: tg.Tensor[]): Promise<[Float32Array, Float32Array, Record<string, number>]> {
  const bytes = await convert({ model: tg.jit(fn), inputs });
  const [y] = await runLite(bytes, inputs.map((x) => x.data() as Float32Array));
  return [y, Float32Array.from(fn(...inputs).data() as ArrayLike<number>), bytes.report.opsAfter];
}

const x = (shape: number[], scale = 4, seed = 3) => tg.tensor(randomData(shape.reduce((a, b) => a * b, 1), seed).map((v) => v * scale), { shape });

describe('convert: training ops lower to TFLite builtins and match eager', () => {
  const unary: [string, Fn, number][] = [
    ['selu', (a) => tg.selu(a), 1e-5],
    ['celu (alpha 0.5)', (a) => tg.celu(a, 0.5), 1e-5],
    ['elu (alpha 2)', (a) => tg.elu(a, 2), 1e-5],
    ['softsign', (a) => tg.softsign(a), 1e-6],
    ['mish', (a) => tg.mish(a), 1e-5],
    ['logsigmoid', (a) => tg.logsigmoid(a), 1e-5],
    ['softplus', (a) => tg.softplus(a), 1e-5],
    ['softplus (beta 2, threshold 1)', (a) => tg.softplus(a, 2, 1), 1e-5],
    ['erf', (a) => tg.erf(a), 1e-6],
    ['sign', (a) => tg.sign(a), 0],
    ['floor', (a) => tg.floor(a), 0],
    ['ceil', (a) => tg.ceil(a), 0],
    ['round', (a) => tg.round(a.mul(2)), 0],
  ];
  for (const [name, fn, tol] of unary) {
    it(name, async () => {
      const a = x([2, 3, 8]);
      const [got, want] = await both(fn, [a]);
      expect(maxRelDiff(got, want)).toBeLessThanOrEqual(tol);
    });
  }

  it('round: half to even, eager as PyTorch', () => {
    expect(Array.from(tg.round(tg.tensor([0.5, 1.5, 2.5, -0.5, -2.5, 2.4])).data() as Float32Array)).toEqual([0, 2, 2, -0, -2, 2]);
  });

  it('sign keeps NaN and gives 0 at 0', async () => {
    const a = tg.tensor(Float32Array.of(-2, 0, 3, NaN, -0.5, Infinity), { shape: [6] });
    const [got] = await both((v) => tg.sign(v), [a]);
    expect(Array.from(got)).toEqual([-1, 0, 1, NaN, -1, 1]);
  });

  it('triu / tril with diagonals, as SELECT_V2 over a constant mask', async () => {
    const a = x([2, 4, 5]);
    for (const k of [-1, 0, 2]) {
      const [u, uw, ops] = await both((v) => tg.triu(v, k), [a]);
      expect(Array.from(u)).toEqual(Array.from(uw));
      expect(ops).toEqual({ SELECT_V2: 1 });
      const [l, lw] = await both((v) => tg.tril(v, k), [a]);
      expect(Array.from(l)).toEqual(Array.from(lw));
    }
  });

  it('cast: a 0/1 mask from a comparison, and float -> int32 truncation', async () => {
    const a = x([3, 5]);
    const [m, mw] = await both((v) => tg.cast(v.gt(0.5), 'float32').mul(v), [a]);
    expect(Array.from(m)).toEqual(Array.from(mw));
    const [t, tw] = await both((v) => tg.cast(v.mul(3), 'int32'), [a]);
    expect(Array.from(t)).toEqual(Array.from(tw));
  });

  it('groupNorm, instanceNorm, bmm and einsum (composites of lowered ops)', async () => {
    const img = x([2, 4, 3, 3], 2, 5);
    const w = x([4], 1, 6), b = x([4], 1, 7);
    const [g, gw] = await both((v, s, t) => tg.groupNorm(v, 2, s, t), [img, w, b]);
    expect(maxRelDiff(g, gw)).toBeLessThan(1e-5);
    const [n, nw] = await both((v) => tg.instanceNorm(v), [img]);
    expect(maxRelDiff(n, nw)).toBeLessThan(1e-5);
    const p = x([2, 3, 4], 1, 8), q = x([2, 4, 5], 1, 9);
    const [m, mw] = await both((u, v) => tg.bmm(u, v), [p, q]);
    expect(maxRelDiff(m, mw)).toBeLessThan(1e-5);
    const [e, ew] = await both((u, v) => tg.einsum('bij,bjk->bik', u, v), [p, q]);
    expect(maxRelDiff(e, ew)).toBeLessThan(1e-5);
    const [t, tw] = await both((u) => tg.einsum('bij->bji', u), [p]);
    expect(maxRelDiff(t, tw)).toBe(0);
  });
});
