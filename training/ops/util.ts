import { alignedStrides, stridedCopy } from '../../lite-runtime/kernels/strided.js';
import { allocate, type Storage } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { fmtShape, type Shape, sizeOf } from '../shape.js';
import type { Attrs, OpDef, TensorMeta, TensorValue } from './registry.js';

/** A zeroed output buffer for an inferred meta. */
export function alloc(meta: TensorMeta): Storage {
  return allocate(meta.dtype, sizeOf(meta.shape));
}

/** An op's `forwardInto` kernel. */
export type ForwardInto<A extends Attrs> = NonNullable<OpDef<A>['forwardInto']>;

/**
 * The eager kernel of an op from its `forwardInto`: fresh outputs of the inferred metas, written by it.
 * @example defineOp({ name, infer, forward: forwardFresh(into), forwardInto: into })
 */
export function forwardFresh<A extends Attrs>(into: ForwardInto<A>): OpDef<A>['forward'] {
  return (inputs: readonly TensorValue[], attrs: A, metas: readonly TensorMeta[]) => {
    const outs = metas.map(alloc);
    into(inputs, attrs, outs);
    return outs;
  };
}

/** Describes a tensor meta for error messages: `float32[2, 3]`. */
export function describe(t: TensorMeta): string {
  return `${t.dtype}${fmtShape(t.shape)}`;
}

/** Throws unless every input is float32 (ops that only make sense on floats). */
export function expectFloat(op: string, inputs: readonly TensorMeta[]): void {
  inputs.forEach((t, i) => {
    if (t.dtype !== 'float32') throw new DTypeError(`${op}: input ${i} is ${describe(t)}, expected float32`);
  });
}

/**
 * Writes `src` (of shape `srcShape`, which broadcasts to `shape`) into `dst` (of `shape`):
 * the kernel of assign, eagerly and in compiled graphs.
 * @example broadcastInto(rowValues, [2, 1], out, [2, 3]) // each row's value repeated along dim 1
 */
export function broadcastInto(src: Storage, srcShape: Shape, dst: Storage, shape: Shape): void {
  if (src.length === dst.length) dst.set(src);
  else stridedCopy(src, 0, alignedStrides(srcShape, shape), dst, shape);
}
