import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

const f = (shape: number[]) => tg.rand(shape);
const i32 = tg.tensor([[1, 2], [3, 4]], { dtype: 'int32' });
const b = tg.tensor([[true, false], [true, true]]);

/** Asserts `fn` throws `type` with a message containing every fragment. */
function throwsWith(fn: () => unknown, type: new (...a: never[]) => Error, ...fragments: string[]): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected an error').toBeInstanceOf(type);
  for (const s of fragments) expect((err as Error).message).toContain(s);
}

describe('math ops: dtype rules (PyTorch, with int64 -> int32)', () => {
  it('sum of int and bool gives int32; mean of int or bool raises', () => {
    expect(i32.sum().dtype).toBe('int32');
    expect(i32.sum().item()).toBe(10);
    expect(b.sum().dtype).toBe('int32');
    expect(b.sum(0).tolist()).toEqual([2, 1]);
    throwsWith(() => i32.mean(), tg.DTypeError, 'mean', 'int32[2, 2]', 'floating point');
    throwsWith(() => tg.mean(b, 0), tg.DTypeError, 'mean', 'bool');
  });
  it('prod and cumsum of bool give int32; max of bool stays bool; logsumexp and erf of int give float32', () => {
    expect(b.prod(0).dtype).toBe('int32');
    expect(b.cumsum(1).tolist()).toEqual([[1, 1], [1, 2]]);
    expect(b.max().dtype).toBe('bool');
    expect(i32.max(1).dtype).toBe('int32');
    expect(i32.argmax().item()).toBe(3);
    expect(i32.logsumexp(0).dtype).toBe('float32');
    expect(tg.erf(i32).dtype).toBe('float32');
  });
  it('clamp keeps int32 for integer bounds and promotes to float32 for fractional ones', () => {
    expect(i32.clamp(2, 3).dtype).toBe('int32');
    expect(i32.clamp(2.5).dtype).toBe('float32');
    expect(tg.relu6(i32).dtype).toBe('int32');
  });
  it('float-only ops raise DTypeError naming the op and the input', () => {
    throwsWith(() => i32.var(), tg.DTypeError, 'var', 'int32');
    throwsWith(() => i32.std(0), tg.DTypeError, 'std', 'int32');
    throwsWith(() => i32.softmax(0), tg.DTypeError, 'softmax', 'int32[2, 2]', 'float32');
    throwsWith(() => b.logSoftmax(1), tg.DTypeError, 'logSoftmax', 'bool');
    throwsWith(() => tg.gelu(i32), tg.DTypeError, 'gelu', 'int32');
    throwsWith(() => tg.silu(i32), tg.DTypeError, 'silu');
    throwsWith(() => tg.leakyRelu(b), tg.DTypeError, 'leakyRelu');
    throwsWith(() => b.argmax(), tg.DTypeError, 'argmax', 'bool');
    throwsWith(() => b.topk(1), tg.DTypeError, 'topk', 'bool');
    throwsWith(() => tg.hardtanh(b), tg.DTypeError, 'hardtanh', 'bool');
  });
});

describe('math ops: bad dims and arguments', () => {
  it('out-of-range dims raise IndexError naming the op, dim and rank', () => {
    throwsWith(() => f([2, 3]).mean(2), tg.IndexError, 'mean', 'dim 2', 'rank 2');
    throwsWith(() => f([2, 3]).max(-3), tg.IndexError, 'max', 'dim -3');
    throwsWith(() => f([2, 3]).argmax(5), tg.IndexError, 'argmax');
    throwsWith(() => f([2, 3]).softmax(2), tg.IndexError, 'softmax', 'dim 2');
    throwsWith(() => f([2, 3]).cumsum(-4), tg.IndexError, 'cumsum');
    throwsWith(() => f([2, 3]).topk(1, 3), tg.IndexError, 'topk');
    throwsWith(() => f([2, 3]).logsumexp([0, 2]), tg.IndexError, 'logsumexp');
    throwsWith(() => f([2, 3]).prod(1.5), tg.IndexError, 'prod');
  });
  it('a repeated dim raises ShapeError', () => {
    throwsWith(() => f([2, 3]).mean([0, -2]), tg.ShapeError, 'mean', 'repeated dim');
    throwsWith(() => f([2, 3]).amax([1, 1]), tg.ShapeError, 'amax');
  });
  it('reductions without identity over an empty dim raise ShapeError; others follow PyTorch', () => {
    throwsWith(() => f([0, 3]).max(), tg.ShapeError, 'amax', 'dim 0 of size 0', 'float32[0, 3]');
    throwsWith(() => f([0, 3]).max(0), tg.ShapeError, 'maxWithIndices', 'size 0');
    throwsWith(() => f([0, 3]).argmin(), tg.ShapeError, 'argmin');
    expect(f([0, 3]).max(1).shape).toEqual([0]);
    expect(Number.isNaN(f([0, 3]).mean().item())).toBe(true);
    expect(f([0, 3]).prod().item()).toBe(1);
    expect(f([0, 3]).sum().item()).toBe(0);
    expect(f([0, 3]).logsumexp(0).tolist()).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(f([0, 3]).softmax(0).shape).toEqual([0, 3]);
    expect(f([0]).cumsum(0).shape).toEqual([0]);
  });
  it('topk k out of range raises RangeError naming k and the dim size', () => {
    throwsWith(() => f([2, 3]).topk(4), tg.IndexError, 'topk', 'k = 4', 'size 3');
    throwsWith(() => f([2, 3]).topk(-1), tg.IndexError, 'k = -1');
    throwsWith(() => f([2, 3]).topk(1.5), tg.IndexError, 'k = 1.5');
    expect(f([2, 3]).topk(0)[0].shape).toEqual([2, 0]);
  });
  it('invalid arguments raise ValueError', () => {
    throwsWith(() => f([3]).clamp(), tg.ValueError, 'clamp', 'min and max');
    throwsWith(() => f([3]).clamp(null, null), tg.ValueError, 'clamp');
    throwsWith(() => f([3]).clamp(0, NaN), tg.ValueError, 'clamp', 'max is NaN');
    throwsWith(() => tg.gelu(f([3]), 'fast' as 'tanh'), tg.ValueError, 'gelu', "'fast'");
    throwsWith(() => f([3]).var(0, { correction: 1, unbiased: true }), tg.ValueError, 'var', 'either');
    throwsWith(() => f([3]).var(0, { correction: -1 }), tg.ValueError, 'correction');
    throwsWith(() => tg.hardtanh(f([3]), 2, 1), tg.ValueError, 'hardtanh');
    throwsWith(() => tg.softplus(f([3]), 0), tg.ValueError, 'softplus', 'beta');
  });
});

describe('math ops: semantics beyond the fixtures', () => {
  it('0-d tensors: reductions over dim 0 or -1 and softmax work', () => {
    const s = tg.tensor(2.5);
    expect(s.max(0).item()).toBe(2.5);
    expect(s.argmax(-1).item()).toBe(0);
    expect(s.softmax(0).item()).toBe(1);
    expect(s.mean().item()).toBe(2.5);
    expect(s.topk(1)[1].item()).toBe(0);
  });
  it('topk ties come in index order; argmax picks the first of tied maxima', () => {
    const t = tg.tensor([1, 3, 3, 2, 3]);
    expect(t.topk(2)[1].tolist()).toEqual([1, 2]);
    expect(t.topk(2, -1, false)[1].tolist()).toEqual([0, 3]);
    expect(t.argmax().item()).toBe(1);
  });
  it('topk with k > 16 (sort path) agrees with the insertion path', () => {
    tg.manualSeed(5);
    const x = tg.rand([3, 40]);
    const [v20, i20] = x.topk(20);
    const [v8, i8] = x.topk(8);
    expect(v20.data().subarray(0, 8)).toEqual(v8.data().subarray(0, 8));
    expect(Array.from(i20.data()).filter((_, j) => j % 20 < 8)).toEqual(Array.from(i8.data()));
    const sorted = Array.from(x.data().subarray(0, 40)).sort((a, c) => c - a).slice(0, 20);
    expect(Array.from(v20.data().subarray(0, 20))).toEqual(sorted);
  });
  it('max over several dims equals amax; min over a list equals amin', () => {
    const x = tg.rand([2, 3, 4]);
    expect(x.max([0, 2]).tolist()).toEqual(x.amax([0, 2]).tolist());
    expect(x.min([2, 0], true).tolist()).toEqual(x.amin([0, 2], true).tolist());
  });
  it('softmax rows sum to one even for huge logits; logSoftmax has no -inf from underflow', () => {
    const x = tg.tensor([[1e4, -1e4, 0], [88, 89, 90]]);
    expect(x.softmax(1).sum(1).tolist()).toEqual([1, 1]);
    const ls = x.logSoftmax(1).data();
    expect(ls[1]).toBeCloseTo(-2e4, 0);
    expect(Array.from(ls).every(Number.isFinite)).toBe(true);
  });
  it('gradients flow through a tensor used by several math ops', () => {
    const x = tg.tensor([0.5, -1, 2], { requiresGrad: true });
    const y = x.softmax(0).sum().add(x.max()).add(tg.gelu(x).mean());
    y.backward();
    expect(x.grad!.shape).toEqual([3]);
    expect(x.grad!.data()[2]).toBeGreaterThan(1);
  });
});
