import { apply1 } from '../dispatch.js';
import { promoteTypes } from '../dtype.js';
import { toTensor } from '../creation.js';
import { DTypeError } from '../errors.js';
import { selectBroadcast } from '../kernels/broadcast.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import * as emit from '../onnx/emit.js';
import { defineOp } from './registry.js';
import { sumTo } from './sum-to.js';
import { alloc, describe } from './util.js';

/** where(cond, a, b): a where cond is true, else b, broadcasting all three. */
export const WHERE = defineOp<Record<string, never>>({
  name: 'where',
  elementwise: true,
  // Selects through the two-slot scratch `sw` rather than a branch on data (see reluGrad).
  fuse: { arity: 3, expr: ([c, x, y]) => `(sw[0] = ${y}, sw[1] = ${x}, sw[+(${c} !== 0)])` },
  onnx: (e, n, ins, outs) => {
    const o = emit.outDt(n);
    e.node('Where', [ins[0], e.cast(ins[1], emit.dt(n, 1), o), e.cast(ins[2], emit.dt(n, 2), o)], outs);
  },
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

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { onnx } from './convert/elementwise.js';
import { WHERE_TFLITE } from './convert/shape.js';
import { LOGICAL_IMPORTS, ONE_HOT_IMPORT, SHRINK_IMPORT, THRESHOLDED_RELU_IMPORT } from './convert/composite-import.js';
withTraits(WHERE, {
  tflite: WHERE_TFLITE,
  onnxImport: { ...onnx('Where', 'where'), And: LOGICAL_IMPORTS.And, Or: LOGICAL_IMPORTS.Or, Shrink: SHRINK_IMPORT, ThresholdedRelu: THRESHOLDED_RELU_IMPORT, OneHot: ONE_HOT_IMPORT },
});
