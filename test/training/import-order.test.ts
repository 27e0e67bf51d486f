/**
 * Methods and gradients must not depend on import order. This file imports one op
 * module and nothing else from tglite first (vitest runs each test file in a fresh
 * module context), then runs a backward that needs other ops (rsqrt's gradient
 * uses pow and mul).
 */
import { describe, expect, it } from 'vitest';
import { rsqrt } from '../../training/ops/unary.js';
// Already loaded by unary.ts above; imported only to build the input.
import { Tensor } from '../../training/tensor-class.js';

describe('importing ops/unary.ts alone', () => {
  it('runs rsqrt backward', () => {
    const x = Tensor._fromStorage([3], 'float32', Float32Array.of(1, 4, 0.25)).requiresGrad_();
    const y = rsqrt(x);
    expect(Array.from(y.data())).toEqual([1, 0.5, 2]);
    y.sum().backward();
    // d/dx x^-1/2 = -1/2 x^-3/2
    expect(Array.from(x.grad!.data())).toEqual([-0.5, -0.0625, -4]);
  });

  it('gives tensors every op method, not only those of the imported module', () => {
    const x = Tensor._fromStorage([2], 'float32', Float32Array.of(1, 2));
    for (const m of ['pow', 'mul', 'matmul', 'softmax', 'gather', 'topk', 'index', 'expand', 'var', 't']) {
      expect(typeof (x as unknown as Record<string, unknown>)[m], m).toBe('function');
    }
    expect(Array.from(x.pow(2).data())).toEqual([1, 4]);
  });
});
