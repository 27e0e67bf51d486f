import { allocate, type Storage } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { fmtShape, sizeOf } from '../shape.js';
import type { TensorMeta } from './registry.js';

/** A zeroed output buffer for an inferred meta. */
export function alloc(meta: TensorMeta): Storage {
  return allocate(meta.dtype, sizeOf(meta.shape));
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
