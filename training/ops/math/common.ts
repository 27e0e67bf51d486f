import { axisView, type AxisView } from '../../../lite-runtime/kernels/math-reduce.js';
import { undoAxisView } from '../../kernels/math-reduce.js';
import type { Storage } from '../../dtype.js';
import { ShapeError } from '../../errors.js';
import type { TensorMeta, TensorValue } from '../registry.js';
import { alloc, describe } from '../util.js';

/** A dim argument of a reduction: one dim, several, or undefined (all). */
export type Dims = number | readonly number[] | undefined;

/** Number of elements folded into each output of a reduction over `dims`. */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d];
  return n;
}

/** Throws when a reduction without identity (max, argmax, topk...) would reduce an empty dim. */
export function expectNonEmpty(op: string, x: TensorMeta, dims: readonly number[]): void {
  for (const d of dims) {
    if (x.shape[d] === 0) {
      throw new ShapeError(`${op}: cannot reduce over dim ${d} of size 0 in ${describe(x)} (the operation has no identity)`);
    }
  }
}

/** The [outer, n, inner] view of a kernel input for reduced `dims`. */
export function viewOf(x: TensorValue, dims: readonly number[]): AxisView {
  return axisView(x.data, x.shape, dims);
}

/**
 * For kernels whose output has the input's shape (the gradients of prod and amax/amin): runs
 * `kernel` on the [outer, n, inner] view of `x` for `dims` and returns its result in x's own layout.
 */
export function inInputLayout(x: TensorValue, dims: readonly number[], out: TensorMeta, kernel: (v: AxisView, into: Storage) => void): Storage {
  const v = viewOf(x, dims);
  const res = alloc(out);
  if (v.perm === null) {
    kernel(v, res);
  } else {
    const tmp = alloc(out);
    kernel(v, tmp);
    undoAxisView(tmp, x.shape, v, res);
  }
  return res;
}

/** [outer, n, inner] sizes for one normalized dim (0-d tensors are one element). */
export function axisSizes(shape: readonly number[], dim: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  let outer = 1, inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[dim], inner];
}
