import { describe, it } from 'vitest';
import * as tg from '../../training/index.js';
import { gradcheck } from '../helpers/torch-ref.js';

describe('numerical gradient check: core ops', () => {
  tg.manualSeed(1);
  const x = () => tg.rand([2, 3]).mul(2).sub(1);
  const p = () => tg.rand([2, 3]).add(0.5);
  const cases: [string, (...xs: tg.Tensor[]) => tg.Tensor, () => tg.Tensor[]][] = [
    ['add', tg.add, () => [x(), tg.rand([3])]],
    ['sub', tg.sub, () => [x(), tg.rand([2, 1])]],
    ['mul', tg.mul, () => [x(), x()]],
    ['div', tg.div, () => [x(), p()]],
    ['pow', tg.pow, () => [p(), x()]],
    ['maximum', tg.maximum, () => [x(), x()]],
    ['minimum', tg.minimum, () => [x(), x()]],
    ['neg', tg.neg, () => [x()]],
    ['abs', tg.abs, () => [p()]],
    ['sqrt', tg.sqrt, () => [p()]],
    ['rsqrt', tg.rsqrt, () => [p()]],
    ['exp', tg.exp, () => [x()]],
    ['log', tg.log, () => [p()]],
    ['log1p', tg.log1p, () => [p()]],
    ['sin', tg.sin, () => [x()]],
    ['cos', tg.cos, () => [x()]],
    ['tanh', tg.tanh, () => [x()]],
    ['sigmoid', tg.sigmoid, () => [x()]],
    ['relu', tg.relu, () => [p().sub(1.2)]],
    ['where', (a, b) => tg.where(a.gt(0), a, b), () => [x(), x()]],
    ['reshape', (a) => a.reshape([3, 2]), () => [x()]],
    ['permute', (a) => a.permute([1, 0]), () => [x()]],
    ['expand', (a) => a.expand([4, 2, 3]), () => [x()]],
    ['sum', (a) => a.sum(1, true), () => [x()]],
    ['matmul', tg.matmul, () => [x(), tg.rand([3, 4])]],
    ['matmul-batched', tg.matmul, () => [tg.rand([2, 2, 3]), tg.rand([3, 2])]],
  ];
  for (const [name, fn, make] of cases) it(name, () => gradcheck(fn, make()));
});
