import { prodAxis } from '../../../lite-runtime/kernels/math-reduce.js';
import { prodOthersAxis } from '../../kernels/math-reduce.js';
import { apply1 } from '../../dispatch.js';
import { GradError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp } from '../registry.js';
import { inferReduce, unreduce, type ReduceAttrs, reduceAttrs } from '../sum.js';
import { alloc } from '../util.js';
import { inInputLayout, viewOf, type Dims } from './common.js';

/** Product over dims (ONNX ReduceProd). bool -> int32, like PyTorch's integer promotion. */
export const PROD = defineOp<ReduceAttrs>({
  name: 'prod',
  onnx: emit.reduceAttr('ReduceProd'),
  infer: ([x], attrs) => inferReduce(x, attrs, x.dtype === 'bool' ? 'int32' : x.dtype),
  forward([x], { dims }, [o]) {
    const out = alloc(o);
    const v = viewOf(x, dims);
    prodAxis(v.data, v.outer, v.n, v.inner, out);
    return [out];
  },
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) =>
    [prodOthers(x, attrs.dims).mul(unreduce(g!, x, attrs))],
});

/**
 * For each element, the product of the other elements of its reduction group: the exact
 * gradient of prod, also where inputs are zero. A backward primitive; differentiating it again
 * (second derivatives of prod) raises GradError rather than silently dropping terms.
 */
export const PROD_OTHERS = defineOp<{ dims: readonly number[] }>({
  name: 'prodOthers',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  forward: ([x], { dims }, [o]) => [inInputLayout(x, dims, o, (v, into) => prodOthersAxis(v.data, v.outer, v.n, v.inner, into))],
  grad: () => {
    throw new GradError('prod: second derivatives of prod are not supported (the gradient of prodOthers is not implemented)');
  },
});

function prodOthers(x: Tensor, dims: readonly number[]): Tensor {
  return apply1(PROD_OTHERS, [x], { dims: [...dims] });
}

/**
 * Product over `dim` (all dims when omitted). Integer inputs give int32 (PyTorch gives int64):
 * exact while the product fits in int32.
 * @example tg.prod(x, 1)
 */
export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply1(PROD, [x], reduceAttrs('prod', x, dim, keepdim));
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { reduce, reduceImport } from '../convert/shape.js';
withTraits(PROD, { tflite: reduce('REDUCE_PROD'), onnxImport: { ReduceProd: reduceImport('prod') } });
