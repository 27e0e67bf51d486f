import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

const I2 = (rows: number[][]) => tg.tensor(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length] });

describe('shape ops under tg.jit', () => {
  it('trace, run and differentiate like eager (gradients are written with ops)', () => {
    tg.manualSeed(3);
    const step = (x: tg.Tensor, w: tg.Tensor, ids: tg.Tensor) => {
      const padded = tg.pad(x, [1, 2], 'reflect');
      const picked = padded.gather(1, ids);
      const joined = tg.cat([tg.slice(padded, 1, 0, null, 2), picked, x.flip(1)], 1);
      const [a, b] = joined.chunk(2, 1);
      const rows = tg.embedding(ids, w).sum(-1);
      const y = tg.stack([a.sum(1), b.sum(1)], 1).index([null, [1, 0, 1]]).add(rows.index(['...', 0]).unsqueeze(1));
      const loss = y.mul(y).sum().add(tg.pad(x, [0, 1], 'replicate').scatterAdd(1, ids, picked).sum());
      const [gx, gw] = tg.grad(loss, [x, w]);
      return [loss, gx!, gw!];
    };
    const x = tg.randn([3, 4]), w = tg.randn([5, 2]);
    const ids = I2([[0, 4], [1, 1], [3, 2]]);
    const jitted = tg.jit(step);
    // the second inputs run the first trace: values computed at trace time would show up as stale
    for (const [xi, wi] of [[x, w], [tg.randn([3, 4]), tg.randn([5, 2])]]) {
      const eager = step(xi.clone().requiresGrad_(true), wi.clone().requiresGrad_(true), ids);
      const traced = jitted(xi.clone().requiresGrad_(true), wi.clone().requiresGrad_(true), ids) as tg.Tensor[];
      eager.forEach((e, i) => {
        expect(traced[i].shape).toEqual(e.shape);
        const a = e.data(), b = traced[i].data();
        for (let k = 0; k < a.length; k++) expect(b[k]).toBeCloseTo(a[k], 4);
      });
    }
    expect(jitted.traceCount).toBe(1);
    const graph = jitted.graphFor(x.clone().requiresGrad_(true), w.clone().requiresGrad_(true), ids).toString();
    for (const op of ['pad', 'gather', 'slice', 'cat', 'embedding', 'scatterAdd', 'indexSelect']) expect(graph).toContain(op);
  });

  it('joint indexing with traced index tensors (negative indices resolved, ranges checked)', () => {
    const f = tg.jit((x: tg.Tensor, r: tg.Tensor, c: tg.Tensor) => x.index([r, c]));
    const x = tg.arange(12, undefined, 1, { dtype: 'float32' }).reshape([3, 4]);
    const r = tg.tensor(Int32Array.of(0, -1, 2)), c = tg.tensor(Int32Array.of(3, 0, -2));
    expect(f(x, r, c).tolist()).toEqual([3, 8, 10]);
    expect(x.index([r, c]).tolist()).toEqual([3, 8, 10]);
    expect(() => f(x, r, tg.tensor(Int32Array.of(0, 4, 0)))).toThrow(/out of range/);
  });

  it('value-dependent shapes (bool masks, oneHot without numClasses) are a TraceError inside tg.jit', () => {
    const x = tg.randn([2, 3]);
    expect(() => tg.jit((a: tg.Tensor) => a.index(a.gt(0)))(x)).toThrow(tg.TraceError);
    expect(() => tg.jit((i: tg.Tensor) => tg.oneHot(i))(tg.tensor(Int32Array.of(1, 2)))).toThrow(/oneHot with numClasses = -1/);
    expect(tg.jit((i: tg.Tensor) => tg.oneHot(i, 3))(tg.tensor(Int32Array.of(1, 2))).tolist()).toEqual([[0, 1, 0], [0, 0, 1]]);
  });

  it('index checks still run in the compiled graph', () => {
    const f = tg.jit((x: tg.Tensor, i: tg.Tensor) => x.gather(1, i));
    const x = tg.randn([2, 3]);
    expect(f(x, I2([[2], [0]])).shape).toEqual([2, 1]);
    expect(() => f(x, I2([[3], [0]]))).toThrow(/gather: index 3 is out of range for dim 1 of size 3/);
  });
});
