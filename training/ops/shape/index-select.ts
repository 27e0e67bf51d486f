import { take } from '../../../lite-runtime/kernels/shape-take.js';
import { takeAdd } from '../../kernels/shape-take.js';
import { apply1 } from '../../dispatch.js';
import { DTypeError, ShapeError } from '../../errors.js';
import { fmtShape, normalizeDim, shapesEqual } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { defineOp, type OpDef, type TensorMeta } from '../registry.js';
import { reshape } from '../reshape.js';
import { alloc, describe } from '../util.js';
import { checkIndexResult, expectIndex } from './common.js';

type DimAttrs = { dim: number };

/** Shape of taking `index` (any shape) along `dim` of `x`: x[:dim] + index + x[dim+1:]. */
export function takeShape(x: TensorMeta, index: TensorMeta, dim: number): number[] {
  return [...x.shape.slice(0, dim), ...index.shape, ...x.shape.slice(dim + 1)];
}

function checkDim(op: string, x: TensorMeta, dim: number): void {
  if (x.shape.length === 0) throw new ShapeError(`${op}: input must have at least one dim, got a 0-d tensor`);
  if (!Number.isInteger(dim) || dim < 0 || dim >= x.shape.length) throw new ShapeError(`${op}: dim ${dim} out of range for ${describe(x)}`);
}

/**
 * Whole slices of x along `dim` at `index` (ONNX Gather; the index may have any shape,
 * which replaces the dim). torch.index_select is the 1-d case.
 */
export const INDEX_SELECT: OpDef<DimAttrs> = defineOp<DimAttrs>({
  name: 'indexSelect',
  onnx: (e, n, ins, outs) => { e.node('Gather', [ins[0], ins[1]], outs, { axis: { i: n.attrs.dim as number } }); },
  infer([x, index], { dim }) {
    expectIndex('indexSelect', 'index', index);
    checkDim('indexSelect', x, dim);
    return [{ shape: takeShape(x, index, dim), dtype: x.dtype }];
  },
  forward([x, index], { dim }, [o]) {
    const out = alloc(o);
    checkIndexResult('indexSelect', take(x.data, x.shape, index.data, dim, out), index, dim, x.shape[dim]);
    return [out];
  },
  grad: ({ inputs: [x, index], attrs: { dim }, gradOutputs: [g] }) =>
    [apply1(INDEX_SELECT_BACKWARD, [g!, index], { dim, size: x.shape[dim] }), null],
});

/**
 * The gradient of indexSelect/embedding: zeros with `size` entries along `dim`, g's slices added at
 * `index` (like torch's index_select_backward / embedding_dense_backward; training graphs only).
 */
export const INDEX_SELECT_BACKWARD: OpDef<{ dim: number; size: number }> = defineOp<{ dim: number; size: number }>({
  name: 'indexSelectBackward',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([g, index], { dim, size }) {
    expectIndex('indexSelectBackward', 'index', index);
    const r = index.shape.length;
    if (!Number.isInteger(dim) || dim < 0 || dim + r > g.shape.length || !Number.isInteger(size) || size < 0 ||
      !index.shape.every((n, i) => g.shape[dim + i] === n)) {
      throw new ShapeError(`indexSelectBackward: gradient ${describe(g)} does not hold index ${describe(index)} at dim ${dim} (size ${size})`);
    }
    return [{ shape: [...g.shape.slice(0, dim), size, ...g.shape.slice(dim + r)], dtype: g.dtype }];
  },
  forward([g, index], { dim, size }, [o]) {
    const out = alloc(o);
    checkIndexResult('indexSelectBackward', takeAdd(out, o.shape, index.data, dim, g.data), index, dim, size);
    return [out];
  },
  grad: ({ inputs: [, index], attrs: { dim }, gradOutputs: [gg] }) => [apply1(INDEX_SELECT, [gg!, index], { dim }), null],
});

/** The adjoint of indexSelect: a copy of x with src's slices added at `index` along `dim` (repeats accumulate). */
export const INDEX_ADD: OpDef<DimAttrs> = defineOp<DimAttrs>({
  name: 'indexAdd',
  onnx: (e, n, ins, outs) => {
    // index [k] along dim, broadcast to src's shape, then ScatterElements with reduction 'add'.
    const dim = n.attrs.dim as number;
    const src = n.inputs[2].shape;
    const along = src.map((d, i) => (i === dim ? d : 1));
    const idx = e.op('Expand', [e.op('Reshape', [ins[1], e.i64(along)]), e.i64(src)]);
    e.node('ScatterElements', [ins[0], idx, ins[2]], outs, { axis: { i: dim }, reduction: { s: 'add' } });
  },
  infer([x, index, src], { dim }) {
    expectIndex('indexAdd', 'index', index);
    checkDim('indexAdd', x, dim);
    if (src.dtype !== x.dtype) throw new DTypeError(`indexAdd: source is ${describe(src)} but input is ${describe(x)} (dtypes must match)`);
    const want = takeShape(x, index, dim);
    if (!shapesEqual(src.shape, want)) {
      throw new ShapeError(`indexAdd: source has shape ${fmtShape(src.shape)}, expected ${fmtShape(want)} for input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)}, dim ${dim}`);
    }
    return [{ shape: x.shape, dtype: x.dtype }];
  },
  forward([x, index, src], { dim }) {
    const out = x.data.slice();
    checkIndexResult('indexAdd', takeAdd(out, x.shape, index.data, dim, src.data), index, dim, x.shape[dim]);
    return [out];
  },
  grad: ({ inputs: [, index], attrs: { dim }, gradOutputs: [g] }) =>
    [g!, null, apply1(INDEX_SELECT, [g!, index], { dim })],
});

function vectorIndex(op: string, index: Tensor): Tensor {
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 0-d or 1-d, got shape ${fmtShape(index.shape)}`);
  return index.ndim === 0 ? reshape(index, [1]) : index;
}

/**
 * The entries of x at `index` (int32, 0-d or 1-d) along `dim`.
 * @example tg.indexSelect(x, 0, tg.tensor([2, 0], { dtype: 'int32' })) // rows 2 and 0
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = x.ndim === 0 ? 0 : normalizeDim('indexSelect', dim, x.ndim);
  return apply1(INDEX_SELECT, [x, vectorIndex('indexSelect', index)], { dim: d });
}

/**
 * A copy of x with `alpha * source` added at `index` (int32, 1-d) along `dim`; repeated indices accumulate.
 * @example tg.indexAdd(tg.zeros([5, 2]), 0, ids, rows)
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, alpha = 1): Tensor {
  const d = x.ndim === 0 ? 0 : normalizeDim('indexAdd', dim, x.ndim);
  const src = alpha === 1 ? source : source.mul(alpha);
  return apply1(INDEX_ADD, [x, vectorIndex('indexAdd', index), src], { dim: d });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { GATHER_IMPORT, INDEX_SELECT_TFLITE } from '../convert/shape.js';
import { UPSAMPLE_IMPORT, CENTER_CROP_PAD_IMPORT, REVERSE_SEQUENCE_IMPORT, COMPRESS_IMPORT, GATHER_ELEMENTS_IMPORT, GATHER_ND_IMPORT, NLL_LOSS_IMPORT, SCATTER_ELEMENTS_IMPORT, SCATTER_ND_IMPORT } from '../convert/composite-import.js';
withTraits(INDEX_SELECT, {
  tflite: INDEX_SELECT_TFLITE,
  onnxImport: {
    Gather: GATHER_IMPORT, GatherElements: GATHER_ELEMENTS_IMPORT, GatherND: GATHER_ND_IMPORT, Compress: COMPRESS_IMPORT, ReverseSequence: REVERSE_SEQUENCE_IMPORT, CenterCropPad: CENTER_CROP_PAD_IMPORT, Upsample: UPSAMPLE_IMPORT,
    ScatterElements: SCATTER_ELEMENTS_IMPORT, Scatter: SCATTER_ELEMENTS_IMPORT, ScatterND: SCATTER_ND_IMPORT, NegativeLogLikelihoodLoss: NLL_LOSS_IMPORT,
  },
});
