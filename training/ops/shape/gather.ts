import { gatherElements, scatterElements } from '../../kernels/shape-gather.js';
import { full } from '../../creation.js';
import { apply1 } from '../../dispatch.js';
import { DTypeError, ShapeError } from '../../errors.js';
import { normalizeDim, shapesEqual } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { defineOp, type OpDef, type TensorMeta } from '../registry.js';
import { alloc, describe } from '../util.js';
import { checkIndexResult, expectIndex, zerosOf } from './common.js';
import { sliceRaw } from './slice.js';

type DimAttrs = { dim: number };

/** torch's rule: index fits inside `t` in every dim (except `dim` when `skip`). */
function checkFits(op: string, index: TensorMeta, t: TensorMeta, what: string, dim: number, skip: boolean): void {
  if (t.shape.length !== index.shape.length) {
    throw new ShapeError(`${op}: index ${describe(index)} must have as many dims as ${what} ${describe(t)}`);
  }
  index.shape.forEach((n, d) => {
    if (!(skip && d === dim) && n > t.shape[d]) {
      throw new ShapeError(`${op}: index ${describe(index)} is larger than ${what} ${describe(t)} in dim ${d}` +
        (skip ? ` (only dim ${dim} may differ)` : ''));
    }
  });
}

function checkDim(op: string, dim: number, rank: number): void {
  if (!Number.isInteger(dim) || dim < 0 || dim >= Math.max(rank, 1)) throw new ShapeError(`${op}: dim ${dim} out of range for rank ${rank}`);
}

/** torch.gather (ONNX GatherElements): out[i][j] = x[i][index[i][j]] for dim 1. */
export const GATHER: OpDef<DimAttrs> = defineOp<DimAttrs>({
  name: 'gather',
  onnx: (e, n, ins, outs) => { e.node('GatherElements', [ins[0], ins[1]], outs, { axis: { i: n.attrs.dim as number } }); },
  infer([x, index], { dim }) {
    expectIndex('gather', 'index', index);
    checkDim('gather', dim, x.shape.length);
    checkFits('gather', index, x, 'input', dim, true);
    return [{ shape: index.shape, dtype: x.dtype }];
  },
  forward([x, index], { dim }, [o]) {
    const out = alloc(o);
    const bad = gatherElements(x.data, x.shape, index.data, index.shape, dim, out);
    checkIndexResult('gather', bad, index, dim, x.shape.length ? x.shape[dim] : 1);
    return [out];
  },
  grad: ({ inputs: [x, index], attrs: { dim }, gradOutputs: [g] }) =>
    [apply1(GATHER_BACKWARD, [g!, index], { dim, shape: x.shape }), null],
});

/** The gradient of gather: zeros of `shape` with g scatter-added at `index` along `dim` (training graphs only). */
export const GATHER_BACKWARD: OpDef<{ dim: number; shape: readonly number[] }> = defineOp<{ dim: number; shape: readonly number[] }>({
  name: 'gatherBackward',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([g, index], { dim, shape }) {
    expectIndex('gatherBackward', 'index', index);
    if (!shapesEqual(g.shape, index.shape)) throw new ShapeError(`gatherBackward: gradient ${describe(g)} does not match index ${describe(index)}`);
    const out = { shape, dtype: g.dtype };
    checkDim('gatherBackward', dim, shape.length);
    checkFits('gatherBackward', index, out, 'output', dim, true);
    return [out];
  },
  forward([g, index], { dim, shape }, [o]) {
    const out = alloc(o);
    checkIndexResult('gatherBackward', scatterElements(out, shape, index.data, index.shape, g.data, g.shape, dim, true), index, dim, shape.length ? shape[dim] : 1);
    return [out];
  },
  grad: ({ inputs: [, index], attrs: { dim }, gradOutputs: [gg] }) => [apply1(GATHER, [gg!, index], { dim }), null],
});

function scatterOp(name: string, add: boolean): OpDef<DimAttrs> {
  return defineOp<DimAttrs>({
    name,
    onnx: (e, n, ins, outs) => {
      e.node('ScatterElements', ins.slice(0, 3), outs, { axis: { i: n.attrs.dim as number }, ...(add ? { reduction: { s: 'add' } } : {}) });
    },
    infer([x, index, src], { dim }) {
      expectIndex(name, 'index', index);
      if (src.dtype !== x.dtype) throw new DTypeError(`${name}: src is ${describe(src)} but input is ${describe(x)} (dtypes must match)`);
      checkDim(name, dim, x.shape.length);
      if (!shapesEqual(src.shape, index.shape)) {
        throw new ShapeError(`${name}: src ${describe(src)} must have the shape of index ${describe(index)} (the public function narrows a larger src)`);
      }
      checkFits(name, index, x, 'input', dim, true);
      return [{ shape: x.shape, dtype: x.dtype }];
    },
    forward([x, index, src], { dim }) {
      const out = x.data.slice();
      const bad = scatterElements(out, x.shape, index.data, index.shape, src.data, src.shape, dim, add);
      checkIndexResult(name, bad, index, dim, x.shape.length ? x.shape[dim] : 1);
      return [out];
    },
    grad: ({ inputs: [x, index, src], attrs: { dim }, gradOutputs: [g] }) => [
      x.requiresGrad ? (add ? g! : apply1(SCATTER, [g!, index, zerosOf(index.shape)], { dim })) : null,
      null,
      src.requiresGrad ? apply1(GATHER, [g!, index], { dim }) : null,
    ],
  });
}

/** torch.scatter (ONNX ScatterElements; src has index's shape): a copy of x with x[..index[p]..] = src[p]. */
export const SCATTER = scatterOp('scatter', false);
/** torch.scatter_add (ONNX ScatterElements, reduction 'add'). */
export const SCATTER_ADD = scatterOp('scatterAdd', true);

/**
 * Picks values along `dim` at `index` (int32, same rank as x): for dim 1, out[i][j] = x[i][index[i][j]].
 * @example tg.gather(scores, 1, labels.unsqueeze(1)) // the score of each label
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  return apply1(GATHER, [x, index], { dim: normalizeDim('gather', dim, x.ndim) });
}

/** src as a tensor of index's shape: a number fills it; a larger tensor is narrowed (torch reads only that corner). */
function srcFor(op: string, x: Tensor, index: Tensor, src: Tensor | number): Tensor {
  if (!(src instanceof Tensor)) {
    if (typeof src !== 'number') throw new DTypeError(`${op}: src must be a tensor or a number`);
    return full(index.shape, src, { dtype: x.dtype });
  }
  if (src.ndim !== index.ndim) throw new ShapeError(`${op}: index ${describe(index)} must have as many dims as src ${describe(src)}`);
  let y = src;
  index.shape.forEach((n, d) => {
    if (n > src.shape[d]) throw new ShapeError(`${op}: index ${describe(index)} is larger than src ${describe(src)} in dim ${d}`);
    if (n < src.shape[d]) y = sliceRaw(y, { dim: d, start: 0, end: n, step: 1 });
  });
  return y;
}

/**
 * A copy of x with values from `src` (a tensor, or one number) written at `index` along `dim`:
 * for dim 0, out[index[i][j]][j] = src[i][j]. With repeated indices the last write wins.
 * @example tg.scatter(tg.zeros([3, 3]), 1, idx, 1)
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  return apply1(SCATTER, [x, index, srcFor('scatter', x, index, src)], { dim: normalizeDim('scatter', dim, x.ndim) });
}

/**
 * Like scatter, but adds: out[index[i][j]][j] += src[i][j] for dim 0 (repeated indices accumulate).
 * @example tg.scatterAdd(tg.zeros([5]), 0, ids, ones)
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return apply1(SCATTER_ADD, [x, index, srcFor('scatterAdd', x, index, src)], { dim: normalizeDim('scatterAdd', dim, x.ndim) });
}
