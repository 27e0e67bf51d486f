import { take } from '../../../lite-runtime/kernels/shape-take.js';
import { apply1 } from '../../dispatch.js';
import { IndexError, ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { defineOp } from '../registry.js';
import { alloc, describe } from '../util.js';
import { checkIndexResult, expectIndex } from './common.js';
import { INDEX_SELECT_BACKWARD } from './index-select.js';

/**
 * Rows of `weight` [V, D] at `indices` (any shape) -> indices.shape + [D]; ONNX Gather(weight, indices, axis 0).
 * `paddingIdx` (normalized, or null) gets no gradient.
 */
export const EMBEDDING = defineOp<{ paddingIdx: number | null }>({
  name: 'embedding',
  onnx: (e, n, ins, outs) => {
    e.node('Gather', [ins[1], ins[0]], outs, { axis: { i: 0 } });
    e.model.syms.set(n.outputs[0], [...e.sym(n.inputs[0]), null]);
  },
  infer([indices, weight], { paddingIdx }) {
    expectIndex('embedding', 'indices', indices);
    if (weight.shape.length !== 2) throw new ShapeError(`embedding: weight must be 2-d [numEmbeddings, dim], got ${describe(weight)}`);
    if (paddingIdx !== null && !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < weight.shape[0])) {
      throw new IndexError(`embedding: paddingIdx ${paddingIdx} is out of range for ${weight.shape[0]} embeddings`);
    }
    return [{ shape: [...indices.shape, weight.shape[1]], dtype: weight.dtype }];
  },
  forward([indices, weight], _a, [o]) {
    const out = alloc(o);
    checkIndexResult('embedding', take(weight.data, weight.shape, indices.data, 0, out), indices, 0, weight.shape[0], 'indices');
    return [out];
  },
  grad: ({ inputs: [indices, weight], attrs: { paddingIdx }, gradOutputs: [g] }) => {
    let rows = g!;
    if (paddingIdx !== null) rows = rows.mul(indices.ne(paddingIdx).unsqueeze(-1));
    return [null, apply1(INDEX_SELECT_BACKWARD, [rows, indices], { dim: 0, size: weight.shape[0] })];
  },
});

/**
 * Looks up rows of `weight` [numEmbeddings, dim] for int32 `indices` of any shape.
 * The row at `paddingIdx` (negative counts from the end) receives no gradient.
 * @example tg.embedding(tokenIds, table) // [B, T] -> [B, T, dim]
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  let p: number | null = paddingIdx ?? null;
  if (p !== null && weight.ndim === 2) {
    const n = weight.shape[0];
    if (!Number.isInteger(p) || p < -n || p >= n) throw new IndexError(`embedding: paddingIdx ${p} is out of range for ${n} embeddings`);
    if (p < 0) p += n;
  }
  return apply1(EMBEDDING, [indices, weight], { paddingIdx: p });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { EMBEDDING_TFLITE } from '../convert/shape.js';
withTraits(EMBEDDING, { tflite: EMBEDDING_TFLITE });
