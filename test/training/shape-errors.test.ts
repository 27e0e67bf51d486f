import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

const I = (...v: number[]) => tg.tensor(Int32Array.from(v));
const I2 = (rows: number[][]) => tg.tensor(Int32Array.from(rows.flat()), { shape: [rows.length, rows[0].length] });
const x = tg.arange(12, undefined, 1, { dtype: 'float32' }).reshape([3, 4]);

/** Expects `fn` to throw `type` with a message containing every `parts`. */
function throwsWith(fn: () => unknown, type: new (...a: never[]) => Error, ...parts: string[]): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected an error').toBeInstanceOf(type);
  for (const p of parts) expect((err as Error).message).toContain(p);
}

describe('shape ops: out-of-range indices name op, dim, index and size', () => {
  it('gather', () => {
    throwsWith(() => x.gather(1, I2([[0, 4]])), tg.IndexError, 'gather', 'index 4', 'dim 1', 'size 4', 'position [0, 1]');
    throwsWith(() => x.gather(0, I2([[-1]])), tg.IndexError, 'gather', 'index -1', 'dim 0', 'size 3');
  });
  it('scatter and scatterAdd', () => {
    throwsWith(() => x.scatter(0, I2([[0, 3]]), 1), tg.IndexError, 'scatter', 'index 3', 'dim 0', 'size 3');
    throwsWith(() => x.scatterAdd(1, I2([[7]]), tg.ones([1, 1])), tg.IndexError, 'scatterAdd', 'index 7', 'dim 1', 'size 4');
  });
  it('indexSelect, indexAdd, index', () => {
    throwsWith(() => x.indexSelect(0, I(0, 5)), tg.IndexError, 'indexSelect', 'index 5', 'dim 0', 'size 3', 'position [1]');
    throwsWith(() => x.indexAdd(1, I(9), tg.ones([3, 1])), tg.IndexError, 'indexAdd', 'index 9', 'dim 1', 'size 4');
    throwsWith(() => x.index([null, 4]), tg.IndexError, 'index', 'index 4', 'dim 1', 'size 4');
    throwsWith(() => x.index([[0, -4]]), tg.IndexError, 'index', 'index -4', 'dim 0', 'size 3');
    throwsWith(() => x.index([null, I(1, 6)]), tg.IndexError, 'index 6', 'size 4');
  });
  it('embedding and oneHot', () => {
    throwsWith(() => tg.embedding(I2([[0, 3]]), tg.zeros([3, 2])), tg.IndexError, 'embedding', 'index 3', 'size 3', 'indices position [0, 1]');
    throwsWith(() => tg.embedding(I(0), tg.zeros([3, 2]), 3), tg.IndexError, 'embedding', 'paddingIdx 3');
    throwsWith(() => tg.oneHot(I(0, 5), 3), tg.IndexError, 'oneHot', 'class index 5', '3 classes', 'position [1]');
    throwsWith(() => tg.oneHot(I(-1)), tg.IndexError, 'oneHot', 'class index -1');
  });
  it('select, narrow, slice, dims', () => {
    throwsWith(() => x.select(1, 4), tg.IndexError, 'select', 'index 4', 'dim 1', 'size 4');
    throwsWith(() => x.select(0, -4), tg.IndexError, 'select', 'index -4', 'size 3');
    throwsWith(() => x.narrow(1, 3, 2), tg.IndexError, 'narrow', 'start 3', 'length 2', 'size 4');
    throwsWith(() => tg.slice(x, 2, 0, 1), tg.IndexError, 'slice', 'dim 2');
    throwsWith(() => x.squeeze(-3), tg.IndexError, 'squeeze', 'dim -3');
    throwsWith(() => x.unsqueeze(3), tg.IndexError, 'unsqueeze', 'dim 3');
    throwsWith(() => tg.cat([x, x], 2), tg.IndexError, 'cat', 'dim 2');
  });
});

describe('shape ops: bad arguments raise typed errors', () => {
  it('index tensors must be int32', () => {
    throwsWith(() => x.gather(1, tg.zeros([3, 1])), tg.DTypeError, 'gather', 'float32[3, 1]', 'int32');
    throwsWith(() => tg.embedding(tg.zeros([2]), tg.zeros([3, 2])), tg.DTypeError, 'embedding', 'indices');
    throwsWith(() => tg.oneHot(tg.zeros([2]), 3), tg.DTypeError, 'oneHot');
    throwsWith(() => x.scatter(0, I2([[0]]), I2([[1]])), tg.DTypeError, 'scatter', 'src is int32[1, 1]');
  });
  it('shape mismatches name the shapes', () => {
    throwsWith(() => tg.cat([x, tg.zeros([2, 3])], 0), tg.ShapeError, 'cat', 'tensor 1', '[2, 3]', 'dim 0');
    throwsWith(() => tg.stack([x, tg.zeros([3, 5])]), tg.ShapeError, 'stack', 'tensor 1', '[3, 5]', '[3, 4]');
    throwsWith(() => x.gather(1, I(0)), tg.ShapeError, 'gather', 'as many dims');
    throwsWith(() => x.scatter(0, I2([[0, 1]]), tg.ones([1, 1])), tg.ShapeError, 'scatter', 'larger than src', 'dim 1');
    throwsWith(() => x.scatterAdd(0, I2([[0, 1]]), tg.ones([2])), tg.ShapeError, 'scatterAdd', 'as many dims');
    throwsWith(() => x.gather(1, I2([[0], [0], [0], [0]])), tg.ShapeError, 'gather', 'dim 0');
    throwsWith(() => x.split([1, 1], 0), tg.ShapeError, 'split', 'add up to 3');
    throwsWith(() => x.indexSelect(0, I2([[0]])), tg.ShapeError, 'indexSelect', '0-d or 1-d');
    throwsWith(() => x.indexAdd(0, I(0), tg.ones([2, 4])), tg.ShapeError, 'indexAdd', '[2, 4]', '[1, 4]');
    throwsWith(() => tg.embedding(I(0), tg.zeros([3])), tg.ShapeError, 'embedding', '2-d');
    throwsWith(() => x.repeat([2]), tg.ShapeError, 'repeat', 'rank 2');
    throwsWith(() => tg.cat([tg.tensor(1), tg.tensor(2)]), tg.ShapeError, 'zero-dimensional');
  });
  it('pad arguments', () => {
    throwsWith(() => tg.pad(x, [1]), tg.ShapeError, 'pad', 'pairs');
    throwsWith(() => tg.pad(x, [1, 1, 1, 1, 1, 1]), tg.ShapeError, 'pad', 'at most 2 dims');
    throwsWith(() => tg.pad(x, [4, 0], 'reflect'), tg.ShapeError, 'pad', 'reflect', 'smaller than its size 4');
    throwsWith(() => tg.pad(x, [-1, 0], 'replicate'), tg.ValueError, 'pad', 'negative', 'constant');
    throwsWith(() => tg.pad(x, [0, -5]), tg.ShapeError, 'pad', 'negative');
    throwsWith(() => tg.pad(x, [1, 1], 'wrap' as tg.PadMode), tg.ValueError, "'wrap'");
  });
  it('split, chunk, slice, flatten, index arguments', () => {
    throwsWith(() => x.split(0), tg.ValueError, 'split', 'positive');
    throwsWith(() => x.chunk(0), tg.ValueError, 'chunk', 'positive');
    throwsWith(() => tg.slice(x, 0, 0, 2, 0), tg.ValueError, 'slice', 'step');
    throwsWith(() => tg.slice(x, 0, 0.5), tg.ValueError, 'slice', 'start');
    throwsWith(() => x.flatten(1, 0), tg.ValueError, 'flatten');
    throwsWith(() => x.index([0, 0, 0]), tg.IndexError, 'index', '3 indices', 'rank 2');
    throwsWith(() => x.index(['...', '...']), tg.ValueError, "'...'");
    throwsWith(() => x.index(['1:x']), tg.ValueError, "'1:x'");
    throwsWith(() => x.index(['::0']), tg.ValueError, 'step');
    throwsWith(() => x.index([{ start: 0.5 }]), tg.ValueError, 'bounds', '0.5');
    const x3 = tg.zeros([2, 3, 4]);
    throwsWith(() => x3.index([[0], null, [1]]), tg.ValueError, 'adjacent');
    throwsWith(() => x.index([tg.tensor([true, false, true]), [1]]), tg.ValueError, 'bool mask cannot be combined');
    throwsWith(() => x.index([[0, 1], [1, 2, 3]]), tg.ShapeError, 'index', '[2] and [3]');
    throwsWith(() => x.index([[0, 1], I(1, 4)]), tg.IndexError, 'index', 'index 4', 'dim 1', 'size 4');
    throwsWith(() => x.index([tg.tensor([true, false])]), tg.ShapeError, 'bool mask', '[3]', 'got [2]');
    throwsWith(() => tg.oneHot(tg.tensor(new Int32Array(0))), tg.ValueError, 'empty');
    throwsWith(() => tg.cat([]), tg.ValueError, 'non-empty');
  });
});

describe('shape ops: torch edge cases', () => {
  it('chunk and split of an empty dim', () => {
    expect(tg.chunk(tg.zeros([0]), 3).map((t) => t.shape)).toEqual([[0], [0], [0]]);
    expect(tg.split(tg.zeros([0, 2]), 2).map((t) => t.shape)).toEqual([[0, 2]]);
  });
  it('squeeze, unsqueeze and flatten of 0-d tensors', () => {
    expect(tg.tensor(3).squeeze(0).shape).toEqual([]);
    expect(tg.tensor(3).unsqueeze(0).shape).toEqual([1]);
    expect(tg.tensor(3).flatten().shape).toEqual([1]);
  });
  it('gather, scatter and flip of bool and int tensors keep the dtype', () => {
    const b = tg.tensor([[true, false], [false, true]]);
    expect(b.gather(1, I2([[1], [1]])).tolist()).toEqual([[false], [true]]);
    expect(b.flip(1).tolist()).toEqual([[false, true], [true, false]]);
    expect(I(1, 2, 3).scatter(0, I(2), 9).tolist()).toEqual([1, 2, 9]);
  });
  it('scatter with a number, index syntax forms and newaxis', () => {
    expect(tg.zeros([2, 3]).scatter(1, I2([[2], [0]]), 1).tolist()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(x.index(0).tolist()).toEqual([0, 1, 2, 3]);
    expect(x.index('1:').shape).toEqual([2, 4]);
    expect(x.index(['newaxis', '...', 'newaxis']).shape).toEqual([1, 3, 4, 1]);
    expect(x.index([[]]).shape).toEqual([0, 4]);
    expect(x.index([null, '::-2']).tolist()).toEqual([[3, 1], [7, 5], [11, 9]]);
    expect(tg.slice(x, 0, -1, 0, -1).tolist()).toEqual([[8, 9, 10, 11], [4, 5, 6, 7]]);
    expect(tg.slice(x, 1, 10, -10, -3).tolist()).toEqual([[3, 0], [7, 4], [11, 8]]);
  });
  it('the primitives are in the op table', () => {
    const names = tg.allOps().map((o) => o.name);
    for (const n of ['cat', 'slice', 'pad', 'gather', 'scatter', 'scatterAdd', 'indexSelect', 'indexAdd', 'embedding', 'oneHot']) {
      expect(names).toContain(n);
    }
  });
});
