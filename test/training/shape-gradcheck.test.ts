import { describe, it } from 'vitest';
import * as tg from '../../training/index.js';
import { gradcheck } from '../helpers/torch-ref.js';

const I = (data: number[] | number[][], shape?: number[]) =>
  tg.tensor(Int32Array.from(data.flat()), { shape: shape ?? (Array.isArray(data[0]) ? [data.length, (data[0] as number[]).length] : [data.length]) });

describe('numerical gradient check: shape ops', () => {
  tg.manualSeed(2);
  const r = (...shape: number[]) => tg.rand(shape).mul(2).sub(1);
  const cases: [string, (...xs: tg.Tensor[]) => tg.Tensor, () => tg.Tensor[]][] = [
    ['flatten', (x) => x.flatten(1), () => [r(2, 2, 3)]],
    ['squeeze', (x) => x.squeeze(), () => [r(2, 1, 3)]],
    ['unsqueeze', (x) => x.unsqueeze(-1), () => [r(2, 3)]],
    ['cat', (a, b, c) => tg.cat([a, b, c], 1), () => [r(2, 1), r(2, 3), r(2, 2)]],
    ['stack', (a, b) => tg.stack([a, b], 1), () => [r(2, 3), r(2, 3)]],
    ['split', (x) => { const [a, b] = tg.split(x, [1, 3], 1); return a.mul(b.sum(1, true)); }, () => [r(2, 4)]],
    ['chunk', (x) => { const [a, b, c] = tg.chunk(x, 3, 0); return a.sub(b).mul(c); }, () => [r(3, 2)]],
    ['unbind', (x) => { const [a, b] = tg.unbind(x, 1); return a.mul(b); }, () => [r(3, 2)]],
    ['slice step 1', (x) => tg.slice(x, 1, 1, -1), () => [r(2, 5)]],
    ['slice step 3', (x) => tg.slice(x, 1, 1, null, 3), () => [r(2, 8)]],
    ['slice step 2 overhang', (x) => tg.slice(x, 0, 0, null, 2), () => [r(5, 2)]],
    ['slice negative step', (x) => tg.slice(x, 1, -2, 0, -2), () => [r(2, 7)]],
    ['narrow', (x) => tg.narrow(x, 0, 1, 2), () => [r(4, 2)]],
    ['select', (x) => tg.select(x, 1, -1), () => [r(2, 3, 2)]],
    ['flip', (x) => tg.flip(x, [0, 1]), () => [r(3, 2)]],
    ['index', (x) => x.index([1, '::2', [2, 0, 2]]), () => [r(2, 5, 3)]],
    ['index joint + mask', (x) => x.index([[1, 1, 0], [0, 0, 2]]).add(x.index(tg.tensor([[true, false, true], [false, true, true]])).sum()), () => [r(2, 3)]],
    ['indexSelect', (x) => tg.indexSelect(x, 1, I([2, 0, 2])), () => [r(2, 3)]],
    ['indexAdd', (x, s) => tg.indexAdd(x, 0, I([1, 1, 0]), s, 2), () => [r(3, 2), r(3, 2)]],
    ['gather', (x) => tg.gather(x, 1, I([[0, 0], [2, 1]])), () => [r(2, 3)]],
    ['scatter', (x, s) => tg.scatter(x, 0, I([[2, 0], [1, 2]]), s), () => [r(3, 2), r(2, 2)]],
    ['scatter big src', (x, s) => tg.scatter(x, 1, I([[3], [0]]), s), () => [r(2, 4), r(2, 3)]],
    ['scatterAdd', (x, s) => tg.scatterAdd(x, 1, I([[0, 0, 2]]), s), () => [r(2, 3), r(1, 3)]],
    ['pad constant', (x) => tg.pad(x, [1, -1, 2, 0], 'constant', 0.5), () => [r(2, 3)]],
    ['pad reflect', (x) => tg.pad(x, [2, 1, 1, 2], 'reflect'), () => [r(1, 3, 4)]],
    ['pad replicate', (x) => tg.pad(x, [1, 2, 2, 0], 'replicate'), () => [r(1, 2, 3)]],
    // paddingIdx deliberately blocks a gradient the numbers see; its rule is checked against torch instead
    ['embedding', (w) => tg.embedding(I([[0, 2], [2, 1]]), w), () => [r(3, 2)]],
    ['repeat', (x) => x.repeat([2, 1, 3]), () => [r(2, 2)]],
    ['tile', (x) => x.tile([2]), () => [r(3)]],
  ];
  for (const [name, fn, make] of cases) it(name, () => gradcheck(fn, make()));
});

/** d/dx of sum(f(x)^2), built with createGraph so it can be differentiated again. */
const gradOf = (f: (x: tg.Tensor) => tg.Tensor) => (x: tg.Tensor): tg.Tensor => tg.setGradEnabled(true, () => {
  const xr = x.requiresGrad ? x : x.clone().requiresGrad_(true);
  const y = f(xr);
  return tg.grad(y.mul(y).sum(), [xr], undefined, { createGraph: true })[0]!;
});

describe('numerical gradient check: second order (backward ops are differentiable)', () => {
  tg.manualSeed(4);
  const r = (...shape: number[]) => tg.rand(shape).mul(2).sub(1);
  const cases: [string, (x: tg.Tensor) => tg.Tensor, number[]][] = [
    ['gather', (x) => x.gather(1, I([[0, 0], [2, 1]])), [2, 3]],
    ['indexSelect', (x) => x.indexSelect(0, I([1, 1, 0])), [2, 3]],
    ['embedding', (w) => tg.embedding(I([[0, 2], [2, 2]]), w, 0), [3, 2]],
    ['slice step 2', (x) => tg.slice(x, 1, 1, null, 2), [2, 5]],
    ['pad reflect', (x) => tg.pad(x, [2, 1], 'reflect'), [2, 4]],
    ['pad replicate', (x) => tg.pad(x, [1, 2], 'replicate'), [2, 3]],
    ['scatterAdd', (x) => tg.scatterAdd(x, 1, I([[0, 0, 2]]), x.index([[0]])), [2, 3]],
  ];
  for (const [name, f, shape] of cases) it(name, () => gradcheck(gradOf(f), [r(...shape)]));
});
