import { reduceSumTo } from '../kernels/broadcast.js';
import { apply1 } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { normalizeDims } from '../shape.js';
import { Tensor } from '../tensor.js';
import { expandTo } from './sum-to.js';
import * as emit from '../onnx/emit.js';
import { defineOp, type TensorMeta } from './registry.js';
import { reshape } from './reshape.js';
import { alloc } from './util.js';

/** Attributes of every reduction: normalized, sorted dims and keepdim. */
export interface ReduceAttrs { [k: string]: readonly number[] | boolean; dims: readonly number[]; keepdim: boolean }

/** The shape with reduced dims set to 1 (keepdim) or removed. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (dims.includes(i) ? 1 : d)) : shape.filter((_, i) => !dims.includes(i));
}

/** Output meta of a reduction; `dtype` overrides (mean -> float32, argmax -> int32). */
export function inferReduce(x: TensorMeta, { dims, keepdim }: ReduceAttrs, dtype?: DType): TensorMeta[] {
  return [{ shape: reducedShape(x.shape, dims, keepdim), dtype: dtype ?? x.dtype }];
}

/**
 * Reduction attrs with PyTorch's conventions: undefined or an empty list reduces every dim;
 * negative dims count from the end; a repeated or out-of-range dim raises.
 */
export function reduceAttrs(op: string, x: Tensor, dim: number | readonly number[] | undefined, keepdim = false): ReduceAttrs {
  const list = Array.isArray(dim) && dim.length === 0 ? undefined : dim;
  return { dims: normalizeDims(op, list, x.ndim), keepdim };
}

/** Reshapes a reduced gradient so it broadcasts against the input (re-inserting reduced dims). */
export function unreduce(g: Tensor, x: Tensor, { dims, keepdim }: ReduceAttrs): Tensor {
  return keepdim ? g : reshape(g, reducedShape(x.shape, dims, true));
}

export const SUM = defineOp<ReduceAttrs>({
  name: 'sum',
  onnx: (e, n, ins, outs) => {
    const dims = n.attrs.dims as readonly number[];
    const x = e.cast(ins[0], emit.dt(n, 0), emit.outDt(n));
    if (dims.length === 0) { e.node('Identity', [x], outs); return; }
    e.node('ReduceSum', [x, e.i64(dims)], outs, { keepdims: { i: n.attrs.keepdim ? 1 : 0 } });
  },
  infer: ([x], attrs) => inferReduce(x, attrs, x.dtype === 'bool' ? 'int32' : x.dtype),
  forward([x], { dims }, [o]) {
    const out = alloc(o);
    reduceSumTo(x.data, x.shape, out, reducedShape(x.shape, dims, true));
    return [out];
  },
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) => [expandTo(unreduce(g!, x, attrs), x.shape)],
});

/** Sum over `dim` (all dims when omitted). @example x.sum(1, true) */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return apply1(SUM, [x], reduceAttrs('sum', x, dim, keepdim));
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { reduce, reduceImport } from './convert/shape.js';
import { REDUCE_COMPOSITES } from './convert/composite-import.js';
withTraits(SUM, { tflite: reduce('SUM'), onnxImport: { ReduceSum: reduceImport('sum'), ...REDUCE_COMPOSITES } });
