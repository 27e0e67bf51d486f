import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { runOrt } from '../onnx/ort.js';

const I2 = (rows: number[][]) => tg.tensor(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length] });

/**
 * Exports `fn` traced at `x`, runs it in onnxruntime-node on another input of x's shape (values baked
 * in at trace time would not match) and compares every output with eager.
 */
async function sameInOrt(fn: (x: tg.Tensor) => tg.Tensor[], traceAt: tg.Tensor): Promise<void> {
  const bytes = tg.onnx.export(fn, [traceAt], { inputNames: ['x'] });
  const x = tg.randn(traceAt.shape);
  const got = await runOrt(bytes, { x });
  const want = fn(x);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g.shape, `output ${i} shape`).toEqual(want[i].shape);
    const a = g.data(), b = want[i].data();
    for (let k = 0; k < b.length; k++) expect(Math.abs(a[k] - b[k]), `output ${i}[${k}]`).toBeLessThan(1e-5);
  });
}

describe('shape primitives mean what ONNX means (checked in onnxruntime-node)', () => {
  tg.manualSeed(5);
  it('slice with negative steps, pads that crop, reflect and replicate on two dims', async () => {
    await sameInOrt((x) => [
      tg.slice(x, 1, -2, null, -2), tg.slice(x, 0, 2, 0, -1), x.index([null, '::-3']),
      tg.pad(x, [-1, 2, 1, -1]), tg.pad(x, [1, 2, 2, 1], 'reflect'), tg.pad(x, [2, 0, 1, 3], 'replicate'),
    ], tg.randn([3, 5]));
  });
  it('scatter, scatterAdd (repeated indices), index with a tensor and a list, embedding rows', async () => {
    const ids = I2([[0, 2], [2, 2]]);
    await sameInOrt((x) => [
      tg.scatter(x, 1, ids, tg.ones([2, 2])), tg.scatterAdd(x, 0, ids.index([null, [0, 1, 1]]), x.index(['1:', '0:3'])),
      x.index([null, ids]), x.index([[2, 0]]), tg.embedding(ids, x),
    ], tg.randn([3, 4]));
  });
  it('split, chunk, stack, select, narrow, repeat, flatten and unsqueeze compose into mapped ops', async () => {
    await sameInOrt((x) => [
      ...tg.split(x, [1, 2], 1), ...x.chunk(2, 0), tg.stack([x, x.mul(2)], 1), x.select(1, -1), x.narrow(0, 1, 2),
      x.repeat([2, 1, 2]), x.unsqueeze(1).flatten(0, 1), x.tile([2]),
    ], tg.randn([4, 3]));
  });
});
