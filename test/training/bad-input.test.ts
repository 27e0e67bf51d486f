import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

/** Inputs a new user tries: each gets a typed error that says what was wrong, or a right answer; never NaN. */
describe('bad input gets a typed error or the right answer', () => {
  it('plain arrays are tensor-likes in arithmetic (not NaN)', () => {
    const x = tg.tensor([1, 2, 3]);
    expect(Array.from(x.add([1, 2, 3]).data())).toEqual([2, 4, 6]);
    expect(Array.from(x.mul(new Float32Array([2, 2, 2])).data())).toEqual([2, 4, 6]);
    expect(() => x.add('1' as unknown as number)).toThrow(tg.DTypeError);
  });

  it('unsupported dtypes name the supported ones', () => {
    expect(() => tg.tensor([1], { dtype: 'int64' as tg.DType })).toThrow(/dtype 'int64' is not supported \(supported: float32, int32, bool\)/);
    expect(() => tg.zeros([2], { dtype: 'float64' as tg.DType })).toThrow(tg.DTypeError);
  });

  it('a typed array where a module expects a Tensor', () => {
    const lin = new tg.nn.Linear(3, 2);
    expect(() => lin.forward(new Float32Array(6) as unknown as tg.Tensor)).toThrow(/input 0 is Float32Array, expected a Tensor/);
    expect(() => lin.forward(new Float32Array(6) as unknown as tg.Tensor)).toThrow(tg.DTypeError);
  });

  it('print with its arguments swapped', () => {
    expect(() => tg.print('label' as unknown as tg.Tensor, tg.ones([1]) as unknown as string)).toThrow(/label comes second/);
  });

  it('backward on a tg.jit result explains how to compile a training step', () => {
    const w = tg.ones([2], { requiresGrad: true });
    const f = tg.jit((x: tg.Tensor) => x.mul(w).sum());
    expect(() => f(tg.ones([2])).backward()).toThrow(/tg.jit result, which carries no gradient history; compile the whole training step/);
  });
});
