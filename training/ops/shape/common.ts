import { toTensor } from '../../creation.js';
import { DTypeError, IndexError } from '../../errors.js';
import { fmtShape, type Shape, stridesOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { expandTo } from '../sum-to.js';
import type { TensorMeta, TensorValue } from '../registry.js';
import { describe } from '../util.js';

/** Index tensors are int32 (PyTorch's int64 indices arrive as int32). */
export function expectIndex(op: string, what: string, t: TensorMeta): void {
  if (t.dtype !== 'int32') throw new DTypeError(`${op}: ${what} is ${describe(t)}, expected an int32 tensor of indices`);
}

/** Row-major coordinates of flat position `pos` in `shape`, e.g. `[1, 0]`. */
export function coords(pos: number, shape: Shape): string {
  const s = stridesOf(shape);
  return fmtShape(shape.map((d, i) => Math.floor(pos / s[i]) % Math.max(d, 1)));
}

/**
 * Turns a kernel's "first bad index position" result into a IndexError naming the op,
 * dim, index value, size and where the index sits; does nothing when `bad` is -1.
 */
export function checkIndexResult(op: string, bad: number, index: TensorValue, dim: number, size: number, what = 'index'): void {
  if (bad < 0) return;
  throw new IndexError(`${op}: index ${index.data[bad]} is out of range for dim ${dim} of size ${size} ` +
    `(${what} position ${coords(bad, index.shape)}; valid indices are 0..${size - 1})`);
}

/** Float zeros of `shape` as a broadcast scalar (cheap, and traces as one constant). */
export function zerosOf(shape: Shape): Tensor {
  return expandTo(toTensor(0), shape);
}

/** Sizes of `shape` with dim `dim` replaced by `size`. */
export function withDim(shape: Shape, dim: number, size: number): number[] {
  const s = [...shape];
  s[dim] = size;
  return s;
}
