import { topkAxis } from '../../kernels/math-topk.js';
import { apply } from '../../dispatch.js';
import { DTypeError, IndexError } from '../../errors.js';
import { normalizeDim } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp } from '../registry.js';
import { alloc, describe } from '../util.js';
import { zeros } from '../../creation.js';
import { scatterAdd } from '../shape/gather.js';
import { axisSizes } from './common.js';

/** Attrs of topk. `sorted` is kept for the exporter: results are always sorted here. */
export interface TopkAttrs { [k: string]: number | boolean; k: number; dim: number; largest: boolean; sorted: boolean }

/** The k largest/smallest values along a dim and their int32 indices (ONNX TopK, TFLite TOPK_V2). */
export const TOPK = defineOp<TopkAttrs>({
  name: 'topk',
  onnx: (e, n, ins, outs) => {
    const idx = e.temp('topk_indices');
    e.node('TopK', [ins[0], e.i64([n.attrs.k as number])], [outs[0], idx],
      { axis: { i: n.attrs.dim as number }, largest: { i: n.attrs.largest ? 1 : 0 }, sorted: { i: n.attrs.sorted ? 1 : 0 } });
    e.node('Cast', [idx], [outs[1]], { to: { i: emit.DATA_TYPE.int32 } });
  },
  infer([x], { k, dim }) {
    if (x.dtype === 'bool') throw new DTypeError(`topk: not defined for bool input ${describe(x)}`);
    const size = x.shape.length === 0 ? 1 : x.shape[dim];
    const least = x.shape.length === 0 ? 1 : 0;
    if (!Number.isInteger(k) || k < least || k > size) {
      throw new IndexError(`topk: k = ${k} out of range for dim ${dim} of size ${size} in ${describe(x)} (expected ${least}..${size})`);
    }
    const shape = x.shape.map((d, i) => (i === dim ? k : d));
    return [{ shape, dtype: x.dtype }, { shape, dtype: 'int32' }];
  },
  forward([x], { k, dim, largest }, [vo, io]) {
    const vals = alloc(vo), idx = alloc(io) as Int32Array;
    const [outer, n, inner] = axisSizes(x.shape, dim);
    topkAxis(x.data, outer, n, inner, k, largest, vals, idx);
    return [vals, idx];
  },
  grad: ({ inputs: [x], outputs: [, idx], attrs: { dim }, gradOutputs: [g] }) =>
    [x.ndim === 0 ? g! : scatterAdd(zeros(x.shape), dim, idx, g!)],
});

/**
 * The `k` largest (or smallest) elements along `dim` and their indices, best first.
 * NaN ranks above every number; equal values come in index order (PyTorch leaves their
 * order unspecified). `sorted: false` still returns them sorted.
 * @example const [values, indices] = tg.topk(scores, 5)
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] {
  const [v, i] = apply(TOPK, [x], { k, dim: normalizeDim('topk', dim, x.ndim), largest, sorted });
  return [v, i];
}
