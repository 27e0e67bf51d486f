import type { NumArray } from '../../../lite-runtime/kernels/strided.js';
import { apply1 } from '../../dispatch.js';
import type { Tensor } from '../../tensor.js';
import { defineOp, type Attrs, type FuseRule, type OpDef } from '../registry.js';
import { alloc } from '../util.js';

/**
 * Defines the backward primitive of an elementwise op: `${name}Grad(x, g) = g * f'(x)` as one
 * fused kernel (the first-order gradient every training step runs). Its own gradient keeps
 * higher orders exact: w.r.t. g it is the same op on the incoming gradient (f' is linear in g);
 * w.r.t. x it is `second(x, g, u)` = u * g * f''(x) written in ops, or null where f'' = 0.
 * `fuse` is the kernel's scalar expression over (x, g), for the jit.
 */
export function defineElementwiseGrad<A extends Attrs>(name: string,
  kernel: (x: NumArray, g: NumArray, out: NumArray, attrs: A) => void,
  second: ((x: Tensor, g: Tensor, u: Tensor, attrs: A) => Tensor) | null, fuse: FuseRule<A>): OpDef<A> {
  const op: OpDef<A> = defineOp<A>({
    name: `${name}Grad`,
    elementwise: true,
    fuse,
    onnx: { notExported: 'backward op (training graphs are not exported)' },
    infer: ([x, g]) => [{ shape: x.shape, dtype: g.dtype }],
    forward([x, g], attrs, [o]) {
      const out = alloc(o);
      kernel(x.data, g.data, out, attrs);
      return [out];
    },
    grad: ({ inputs: [x, g], gradOutputs: [u], attrs }) => [
      second && x.requiresGrad ? second(x, g, u!, attrs) : null,
      g.requiresGrad ? apply1(op, [x, u!], attrs) : null,
    ],
  });
  return op;
}
