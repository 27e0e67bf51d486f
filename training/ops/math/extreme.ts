import { argExtremeAxis, extremeAxis, extremeGradAxis } from '../../kernels/math-reduce.js';
import { zeros } from '../../creation.js';
import { apply, apply1 } from '../../dispatch.js';
import { DTypeError } from '../../errors.js';
import { normalizeDim, sizeOf } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { maximum } from '../binary.js';
import * as emit from '../../onnx/emit.js';
import { defineOp, type OpDef, type TensorMeta } from '../registry.js';
import { scatterAdd } from '../shape/gather.js';
import { inferReduce, reducedShape, unreduce, type ReduceAttrs, reduceAttrs } from '../sum.js';
import { alloc, describe } from '../util.js';
import { reshape } from '../reshape.js';
import { where } from '../where.js';
import { axisSizes, expectNonEmpty, inInputLayout, viewOf, type Dims } from './common.js';

/** Attrs of reductions along one dim that also give indices; dim null = the flattened tensor. */
export interface ArgAttrs { [k: string]: number | boolean | null; dim: number | null; keepdim: boolean }

function defineExtreme(name: 'amax' | 'amin', isMax: boolean) {
  return defineOp<ReduceAttrs>({
    name,
    onnx: emit.reduceAttr(isMax ? 'ReduceMax' : 'ReduceMin'),
    infer([x], attrs) {
      expectNonEmpty(name, x, attrs.dims);
      return inferReduce(x, attrs);
    },
    forward([x], { dims }, [o]) {
      const out = alloc(o);
      const v = viewOf(x, dims);
      extremeAxis(v.data, v.outer, v.n, v.inner, out, isMax);
      return [out];
    },
    // PyTorch's rule for amax/amin and full max()/min(): tied extremes share the gradient evenly
    grad: ({ inputs: [x], outputs: [y], attrs: { dims }, gradOutputs: [g] }) =>
      [apply1(EXTREME_GRAD, [x, y, g!], { dims: [...dims] })],
  });
}

/**
 * Backward of amax/amin: g (shaped like the result y) shared evenly among the elements of x equal
 * to y, 0 elsewhere; one kernel. Its gradient w.r.t. g (for second derivatives) is the mean of the
 * incoming gradient over those elements; x and y get none (the result is piecewise constant in them).
 */
const EXTREME_GRAD: OpDef<{ dims: readonly number[] }> = defineOp<{ dims: readonly number[] }>({
  name: 'extremeGrad',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer: ([x]) => [{ shape: x.shape, dtype: 'float32' }],
  forward: ([x, y, g], { dims }, [o]) =>
    [inInputLayout(x, dims, o, (v, into) => extremeGradAxis(v.data, v.outer, v.n, v.inner, y.data, g.data, into))],
  grad: ({ inputs: [x, y, g], attrs: { dims }, gradOutputs: [u] }) => {
    if (!g.requiresGrad) return [null, null, null];
    const yk = reshape(y, reducedShape(x.shape, dims, true));
    const hit = maximum(x.eq(yk), x.ne(x));
    const share = where(hit, u!, 0).sum(dims, true).div(hit.sum(dims, true));
    return [null, null, reshape(share, g.shape)];
  },
});

/** Max over dims (ONNX ReduceMax): ties share the gradient evenly. */
export const AMAX = defineExtreme('amax', true);
/** Min over dims (ONNX ReduceMin): ties share the gradient evenly. */
export const AMIN = defineExtreme('amin', false);

function argInfer(name: string, x: TensorMeta, { dim, keepdim }: ArgAttrs): TensorMeta {
  const dims = dim === null ? x.shape.map((_, i) => i) : [dim];
  expectNonEmpty(name, x, dims);
  return { shape: reducedShape(x.shape, dims, keepdim), dtype: 'int32' };
}

function argSizes(x: TensorMeta, dim: number | null): [number, number, number] {
  if (dim === null) return [1, sizeOf(x.shape), 1];
  return axisSizes(x.shape, dim);
}

function defineWithIndices(name: 'maxWithIndices' | 'minWithIndices', isMax: boolean) {
  return defineOp<ArgAttrs>({
    name,
    onnx: isMax ? emit.withIndices('ReduceMax', 'ArgMax') : emit.withIndices('ReduceMin', 'ArgMin'),
    infer([x], attrs) {
      const idx = argInfer(name, x, attrs);
      return [{ shape: idx.shape, dtype: x.dtype }, idx];
    },
    forward([x], { dim }, [vo, io]) {
      const vals = alloc(vo), idx = alloc(io) as Int32Array;
      const [outer, n, inner] = argSizes(x, dim);
      argExtremeAxis(x.data, outer, n, inner, idx, vals, isMax);
      return [vals, idx];
    },
    // max(dim) routes the whole gradient to the selected index (PyTorch's rule for the dim form)
    grad: ({ inputs: [x], outputs: [, idx], attrs, gradOutputs: [g] }) => {
      if (x.ndim === 0) return [g!];
      const ra: ReduceAttrs = { dims: [attrs.dim ?? 0], keepdim: attrs.keepdim };
      return [scatterAdd(zeros(x.shape), attrs.dim ?? 0, unreduce(idx, x, ra), unreduce(g!, x, ra))];
    },
  });
}

/** Values and indices of the max along one dim (first index on ties). */
export const MAX_WITH_INDICES = defineWithIndices('maxWithIndices', true);
/** Values and indices of the min along one dim (first index on ties). */
export const MIN_WITH_INDICES = defineWithIndices('minWithIndices', false);

function defineArg(name: 'argmax' | 'argmin', isMax: boolean) {
  return defineOp<ArgAttrs>({
    name,
    onnx: (e, n, ins, outs) => emit.argReduce(e, n, ins[0], isMax ? 'ArgMax' : 'ArgMin', outs[0]),
    infer([x], attrs) {
      if (x.dtype === 'bool') throw new DTypeError(`${name}: not defined for bool input ${describe(x)}`);
      return [argInfer(name, x, attrs)];
    },
    forward([x], { dim }, [o]) {
      const idx = alloc(o) as Int32Array;
      const [outer, n, inner] = argSizes(x, dim);
      argExtremeAxis(x.data, outer, n, inner, idx, null, isMax);
      return [idx];
    },
  });
}

/** Index of the max (ONNX ArgMax): the first on ties; NaN counts as the max. */
export const ARGMAX = defineArg('argmax', true);
/** Index of the min (ONNX ArgMin): the first on ties; NaN counts as the min. */
export const ARGMIN = defineArg('argmin', false);

function argAttrs(op: string, x: Tensor, dim: number | undefined, keepdim: boolean): ArgAttrs {
  return { dim: dim === undefined ? null : normalizeDim(op, dim, x.ndim), keepdim };
}

/**
 * Max over dims: values only. Ties share the gradient evenly (PyTorch's amax).
 * @example tg.amax(x, [0, 1])
 */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply1(AMAX, [x], reduceAttrs('amax', x, dim, keepdim));
}

/** Min over dims: values only. @see amax */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply1(AMIN, [x], reduceAttrs('amin', x, dim, keepdim));
}

/**
 * Max and its index along `dim`: like PyTorch's `x.max(dim)`, which returns both.
 * The gradient goes to the returned index only.
 * @example const [values, indices] = tg.maxWithIndices(x, 1)
 */
export function maxWithIndices(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] {
  const [v, i] = apply(MAX_WITH_INDICES, [x], argAttrs('max', x, dim, keepdim));
  return [v, i];
}

/** Min and its index along `dim`. @see maxWithIndices */
export function minWithIndices(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] {
  const [v, i] = apply(MIN_WITH_INDICES, [x], argAttrs('min', x, dim, keepdim));
  return [v, i];
}

/**
 * Max of all elements (no `dim`; tied maxima share the gradient), or the max values along
 * `dim` (the gradient goes to the index `argmax` returns; use `maxWithIndices` for both).
 * A list of dims reduces them all, like `amax`. NaN propagates.
 * @example tg.max(x) ; tg.max(x, 1, true)
 */
export function max(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return typeof dim === 'number' ? maxWithIndices(x, dim, keepdim)[0] : amax(x, dim, keepdim);
}

/** Min of all elements, or the min values along `dim`. @see max */
export function min(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return typeof dim === 'number' ? minWithIndices(x, dim, keepdim)[0] : amin(x, dim, keepdim);
}

/**
 * Index of the max along `dim` (int32), or into the flattened tensor when `dim` is omitted.
 * Ties give the first index; NaN counts as the max.
 * @example tg.argmax(logits, -1)
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return apply1(ARGMAX, [x], argAttrs('argmax', x, dim, keepdim));
}

/** Index of the min along `dim` (int32). @see argmax */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return apply1(ARGMIN, [x], argAttrs('argmin', x, dim, keepdim));
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { argImport, argReduce, reduce, reduceImport } from '../convert/shape.js';
import { HARDMAX_IMPORT } from '../convert/composite-import.js';
withTraits(AMAX, {
  tflite: reduce('REDUCE_MAX'),
  onnxImport: { ReduceMax: reduceImport('amax'), GlobalMaxPool: (c) => c.op('amax', [c.input(0)], { dims: c.input(0).shape.map((_, i) => i).slice(2), keepdim: true }) },
});
withTraits(AMIN, { tflite: reduce('REDUCE_MIN'), onnxImport: { ReduceMin: reduceImport('amin') } });
withTraits(ARGMAX, { tflite: argReduce('ARG_MAX'), onnxImport: { ArgMax: argImport('argmax'), Hardmax: HARDMAX_IMPORT } });
withTraits(ARGMIN, { tflite: argReduce('ARG_MIN'), onnxImport: { ArgMin: argImport('argmin') } });
