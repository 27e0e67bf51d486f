import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

describe('seed examples', () => {
  it('a=2, b=3, c=a+b, d=a*c gives 10 and the gradients 5 and 2', () => {
    const a = tg.tensor(2, { requiresGrad: true });
    const b = tg.tensor(3, { requiresGrad: true });
    const c = a.add(b);
    const d = a.mul(c);
    expect(d.item()).toBe(10);
    d.backward();
    expect(a.grad!.item()).toBe(7); // d = a*(a+b): dd/da = 2a + b
    expect(b.grad!.item()).toBe(2);
  });

  it('accumulates gradients across backward calls and for a tensor used many times', () => {
    const x = tg.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).mul(x).sum().backward();
    expect(Array.from(x.grad!.data())).toEqual([3, 12, 27]);
    x.sum().backward();
    expect(Array.from(x.grad!.data())).toEqual([4, 13, 28]);
  });

  it('broadcasting gradients reduce to the input shape', () => {
    const a = tg.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tg.tensor([10, 20, 30], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(Array.from(b.grad!.data())).toEqual([5, 7, 9]);
    expect(Array.from(a.grad!.data())).toEqual([10, 20, 30, 10, 20, 30]);
  });

  it('matmul forward and backward', () => {
    const a = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = tg.tensor([[5, 6], [7, 8]], { requiresGrad: true });
    const c = a.matmul(b);
    expect(c.tolist()).toEqual([[19, 22], [43, 50]]);
    c.sum().backward();
    expect(a.grad!.tolist()).toEqual([[11, 15], [11, 15]]);
    expect(b.grad!.tolist()).toEqual([[4, 4], [6, 6]]);
  });

  it('tg.grad leaves .grad alone; noGrad records nothing', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const [g] = tg.grad(x.mul(x).sum(), [x]);
    expect(Array.from(g!.data())).toEqual([2, 4]);
    expect(x.grad).toBeNull();
    const y = tg.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
  });

  it('bool arithmetic is logical, as in PyTorch', () => {
    const t = tg.tensor([true, true, false]), f = tg.tensor([true, false, false]);
    expect(t.add(f).tolist()).toEqual([true, true, false]);
    expect(t.mul(f).tolist()).toEqual([true, false, false]);
    expect(() => t.sub(f)).toThrow(tg.DTypeError);
    expect(t.add(1).tolist()).toEqual([2, 2, 1]); // an int scalar promotes to int32
  });

  it('prints like PyTorch', () => {
    expect(tg.tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(tg.tensor([1.5, 2]).toString()).toBe('tensor([1.5000, 2.0000])');
    expect(tg.tensor([1, 2], { dtype: 'int32' }).toString()).toBe('tensor([1, 2], dtype=int32)');
    expect(tg.tensor(3, { requiresGrad: true }).toString()).toBe('tensor(3., requires_grad=True)');
  });

  it('bad input raises typed errors naming the op and shapes', () => {
    expect(() => tg.add(tg.zeros([2, 3]), tg.zeros([4]))).toThrow(tg.ShapeError);
    expect(() => tg.add(tg.zeros([2, 3]), tg.zeros([4]))).toThrow(/add: shapes \[2, 3\] and \[4\]/);
    expect(() => tg.zeros([2, 3]).matmul(tg.zeros([4, 5]))).toThrow(/matmul/);
    expect(() => tg.zeros([2]).item()).toThrow(tg.ValueError);
    const x = tg.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(tg.GradError);
    expect(() => tg.zeros([2]).sum(3)).toThrow(/dim 3 out of range/);
  });
});
