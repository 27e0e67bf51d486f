import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { runTorchCases } from '../helpers/torch-ref.js';

describe('core ops vs PyTorch', () => {
  runTorchCases('core', {
    add: tg.add, sub: tg.sub, mul: tg.mul, div: tg.div, pow: tg.pow, maximum: tg.maximum, minimum: tg.minimum,
    lt: tg.lt, eq: tg.eq, neg: tg.neg, abs: tg.abs, sqrt: tg.sqrt, rsqrt: tg.rsqrt, exp: tg.exp, log: tg.log,
    log1p: tg.log1p, sin: tg.sin, cos: tg.cos, tanh: tg.tanh, sigmoid: tg.sigmoid, relu: tg.relu, where: tg.where,
    reshape: (x) => x.reshape([3, -1]),
    permute: (x) => x.permute([2, 0, 1]),
    transpose: (x) => x.transpose(0, 2),
    sum: (x) => x.sum(),
    'sum/dim': (x) => x.sum(1),
    'sum/dims-keepdim': (x) => x.sum([0, 2], true),
    matmul: tg.matmul,
  });
});

describe('assign', () => {
  it('broadcasts the value over the target like expand (every broadcast dim, not only trailing ones)', () => {
    const t = tg.zeros([2, 3]);
    tg.assign(t, tg.tensor([[1], [2]]));
    expect(t.tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    tg.assign(t, tg.tensor([4, 5, 6]));
    expect(t.tolist()).toEqual([[4, 5, 6], [4, 5, 6]]);
    tg.assign(t, tg.tensor(7));
    expect(t.tolist()).toEqual([[7, 7, 7], [7, 7, 7]]);
  });
});

describe('permute', () => {
  it('takes negative dims, stores them normalized in the op attrs, and rejects non-permutations', () => {
    const x = tg.arange(24).reshape([2, 3, 4]);
    expect(x.permute([-1, 0, -2]).tolist()).toEqual(x.permute([2, 0, 1]).tolist());
    const g = tg.jit((t: tg.Tensor) => t.permute([-1, 0, -2]), { optimize: false }).graphFor(x);
    expect(g.nodes.map((n) => n.attrs.perm)).toEqual([[2, 0, 1]]);
    expect(() => x.permute([0, 1])).toThrow(/permute: \[0, 1\] is not a permutation of the 3 dims/);
    expect(() => x.permute([0, 0, -1])).toThrow(/permute: \[0, 0, 2\] is not a permutation/);
    expect(() => x.permute([0, 1, 3])).toThrow(/permute: dim 3 out of range for a tensor of rank 3/);
  });
});
