import { concat } from '../../../lite-runtime/kernels/shape-concat.js';
import { apply1 } from '../../dispatch.js';
import { promoteTypes } from '../../dtype.js';
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape, normalizeDim, shapesEqual } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { defineOp } from '../registry.js';
import { reshape } from '../reshape.js';
import { alloc } from '../util.js';
import { sliceRaw } from './slice.js';

/** Concatenation along `dim` (normalized); maps to ONNX Concat. Dtypes promote like torch.cat. */
export const CAT = defineOp<{ dim: number }>({
  name: 'cat',
  onnx: (e, n, ins, outs) => { e.node('Concat', ins, outs, { axis: { i: n.attrs.dim as number } }); },
  infer(inputs, { dim }) {
    if (inputs.length === 0) throw new ValueError('cat: expected a non-empty list of tensors');
    const first = inputs[0].shape;
    const rank = first.length;
    if (rank === 0) throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated');
    if (!Number.isInteger(dim) || dim < 0 || dim >= rank) throw new ShapeError(`cat: dim ${dim} out of range for rank ${rank}`);
    let size = 0;
    let dtype = inputs[0].dtype;
    inputs.forEach((t, i) => {
      const ok = t.shape.length === rank && t.shape.every((d, k) => k === dim || d === first[k]);
      if (!ok) {
        throw new ShapeError(`cat: tensor ${i} has shape ${fmtShape(t.shape)}, expected [${first.map((d, k) => (k === dim ? '*' : d)).join(', ')}] ` +
          `(sizes must match except in dim ${dim}; shapes: ${inputs.map((u) => fmtShape(u.shape)).join(', ')})`);
      }
      size += t.shape[dim];
      dtype = promoteTypes(dtype, t.dtype);
    });
    return [{ shape: first.map((d, k) => (k === dim ? size : d)), dtype }];
  },
  forward(inputs, { dim }, [o]) {
    const out = alloc(o);
    concat(inputs.map((t) => t.data), inputs.map((t) => t.shape[dim]), o.shape, dim, out);
    return [out];
  },
  grad: ({ inputs, attrs: { dim }, gradOutputs: [g] }) => {
    let start = 0;
    return inputs.map((t) => {
      const end = start + t.shape[dim];
      const part = t.requiresGrad ? sliceRaw(g!, { dim, start, end, step: 1 }) : null;
      start = end;
      return part;
    });
  },
});

/**
 * Joins tensors along an existing dim. As in torch, 1-d empty tensors (shape [0]) are skipped.
 * @example tg.cat([a, b], 1)
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('cat: expected a non-empty list of tensors');
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return tensors[0];
  const rank = parts[0].ndim;
  if (rank === 0) throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated (use stack)');
  return apply1(CAT, parts, { dim: normalizeDim('cat', dim, rank) });
}

/**
 * Joins same-shape tensors along a new dim.
 * @example tg.stack([a, b], 0) // [2, ...a.shape]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack: expected a non-empty list of tensors');
  const shape = tensors[0].shape;
  const d = normalizeDim('stack', dim, shape.length + 1);
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, shape)) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)} like tensor 0 (stack needs equal shapes)`);
    }
  });
  const grown = [...shape.slice(0, d), 1, ...shape.slice(d)];
  return apply1(CAT, tensors.map((t) => reshape(t, grown)), { dim: d });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { CAT_TFLITE, CONCAT_IMPORT } from '../convert/shape.js';
withTraits(CAT, { tflite: CAT_TFLITE, onnxImport: { Concat: CONCAT_IMPORT } });
