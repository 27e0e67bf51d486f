import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

describe('TensorDataset and DataLoader', () => {
  const x = tg.arange(10).reshape([5, 2]);
  const y = tg.tensor([0, 1, 2, 3, 4], { dtype: 'int32' });
  const ds = new tg.data.TensorDataset(x, y);

  it('indexes rows of every tensor', () => {
    expect(ds.length).toBe(5);
    const [xi, yi] = ds.get(2);
    expect(xi.tolist()).toEqual([4, 5]);
    expect(yi.item()).toBe(2);
    expect(() => new tg.data.TensorDataset(x, tg.zeros([4]))).toThrow(/first dim 5/);
    expect(() => ds.get(5)).toThrow(tg.IndexError);
    expect(() => ds.get(-1)).toThrow(/TensorDataset: index -1 out of range for 5 rows/);
    expect(() => ds.get(1.5)).toThrow(/TensorDataset: index 1.5 out of range/);
  });

  it('batches in order, with or without the last partial batch', () => {
    const batches = [...new tg.data.DataLoader(ds, { batchSize: 2 })];
    expect(batches.map(([, b]) => b.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    const dropped = [...new tg.data.DataLoader(ds, { batchSize: 2, dropLast: true })];
    expect(dropped.length).toBe(2);
  });

  it('shuffles reproducibly from a seed, covering every row once per epoch', () => {
    const order = (seed: number) => [...new tg.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed })][0][1].tolist();
    expect(order(1)).toEqual(order(1));
    expect((order(1) as number[]).slice().sort()).toEqual([0, 1, 2, 3, 4]);
    const loader = new tg.data.DataLoader(ds, { batchSize: 5, shuffle: true, seed: 3 });
    const e1 = [...loader][0][1].tolist(), e2 = [...loader][0][1].tolist();
    expect(e1).not.toEqual(e2); // a new order each epoch
  });

  it('collates samples of any dataset', () => {
    const custom = { length: 3, get: (i: number) => [tg.full([2], i)] };
    const [batch] = [...new tg.data.DataLoader(custom, { batchSize: 3 })];
    expect(batch[0].tolist()).toEqual([[0, 0], [1, 1], [2, 2]]);
  });
});
