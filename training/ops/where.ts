import { apply1 } from '../dispatch.js';
import { promoteTypes } from '../dtype.js';
import { toTensor } from '../creation.js';
import { DTypeError } from '../errors.js';
import { selectBroadcast } from '../kernels/broadcast.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp } from './registry.js';
import { sumTo } from './sum-to.js';
import { alloc, describe } from './util.js';

/** where(cond, a, b): a where cond is true, else b, broadcasting all three. */
export const WHERE = defineOp<Record<string, never>>({
  name: 'where',
  elementwise: true,
  infer([c, a, b]) {
    if (c.dtype !== 'bool') throw new DTypeError(`where: condition is ${describe(c)}, expected bool`);
    return [{ shape: broadcastShapes('where', c.shape, a.shape, b.shape), dtype: promoteTypes(a.dtype, b.dtype) }];
  },
  forward([c, a, b], _attrs, [o]) {
    const out = alloc(o);
    selectBroadcast(c.data, c.shape, a.data, a.shape, b.data, b.shape, out, o.shape);
    return [out];
  },
  grad: ({ inputs: [c, a, b], gradOutputs: [g] }) => {
    const zero = toTensor(0, g!);
    return [null, sumTo(where(c, g!, zero), a.shape), sumTo(where(c, zero, g!), b.shape)];
  },
});

/**
 * Elementwise select. @example tg.where(x.gt(0), x, 0)
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = a instanceof Tensor ? a : toTensor(a, b instanceof Tensor ? b : undefined);
  const tb = toTensor(b, ta);
  return apply1(WHERE, [cond, ta, tb], {});
}

declare module '../tensor.js' {
  interface Tensor {
    /** `cond ? this : other`, like torch.Tensor.where. */
    where(cond: Tensor, other: TensorLike): Tensor;
  }
}
Tensor.prototype.where = function (cond, other) { return where(cond, this, other); };

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { onnx } from './convert/elementwise.js';
import { WHERE_TFLITE } from './convert/shape.js';
withTraits(WHERE, { tflite: WHERE_TFLITE, onnxImport: onnx('Where', 'where') });
