import { sumAxis } from '../../../lite-runtime/kernels/math-reduce.js';
import { apply1 } from '../../dispatch.js';
import { DTypeError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp } from '../registry.js';
import { expandTo } from '../sum-to.js';
import { inferReduce, unreduce, type ReduceAttrs, reduceAttrs } from '../sum.js';
import { alloc, describe } from '../util.js';
import { reducedCount, viewOf, type Dims } from './common.js';

/** Mean over dims (ONNX ReduceMean, TFLite MEAN). Float only, like PyTorch. */
export const MEAN = defineOp<ReduceAttrs>({
  name: 'mean',
  onnx: emit.reduceAttr('ReduceMean'),
  infer([x], attrs) {
    if (x.dtype !== 'float32') {
      throw new DTypeError(`mean: input is ${describe(x)}; mean needs a floating point input (PyTorch cannot infer an output dtype for ${x.dtype}); convert it first, e.g. x.div(1)`);
    }
    return inferReduce(x, attrs);
  },
  forward([x], { dims }, [o]) {
    const out = alloc(o);
    const v = viewOf(x, dims);
    sumAxis(v.data, v.outer, v.n, v.inner, out, 1 / v.n);
    return [out];
  },
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) =>
    [expandTo(unreduce(g!.div(reducedCount(x.shape, attrs.dims)), x, attrs), x.shape)],
});

/**
 * Mean over `dim` (all dims when omitted or []). Integer and bool inputs raise DTypeError.
 * @example tg.mean(x, 1, true) // shape [n, 1]
 */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply1(MEAN, [x], reduceAttrs('mean', x, dim, keepdim));
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { reduce, reduceImport } from '../convert/shape.js';
import { GROUP_NORM_IMPORT, INSTANCE_NORM_IMPORT, MVN_IMPORT } from '../convert/composite-import.js';
withTraits(MEAN, {
  tflite: reduce('MEAN'),
  onnxImport: { ReduceMean: reduceImport('mean'), InstanceNormalization: INSTANCE_NORM_IMPORT, GroupNormalization: GROUP_NORM_IMPORT, MeanVarianceNormalization: MVN_IMPORT },
});
