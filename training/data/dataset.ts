import { IndexError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Anything indexable by position: `TensorDataset`, or your own. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/**
 * Rows of several tensors sharing their first dim.
 * @example const ds = new tg.data.TensorDataset(x, y); ds.get(0) // [x[0], y[0]]
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ShapeError('TensorDataset: needs at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new ShapeError(`TensorDataset: tensor ${i} has shape [${t.shape.join(', ')}], expected first dim ${n} like tensor 0`);
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    return this.tensors.map((t) => rows(t, [index]).reshape(t.shape.slice(1)));
  }

  /** Rows `indices` of every tensor, batched (what DataLoader uses: one copy per batch). */
  batch(indices: readonly number[]): Tensor[] {
    return this.tensors.map((t) => rows(t, indices));
  }
}

/** Copies rows of `t` (first dim) into a new tensor. */
function rows(t: Tensor, indices: readonly number[]): Tensor {
  const src = t._values('TensorDataset');
  const row = t.numel / t.shape[0];
  const out = new (src.constructor as { new (n: number): typeof src })(indices.length * row);
  indices.forEach((r, i) => {
    if (!(Number.isInteger(r) && r >= 0 && r < t.shape[0])) throw new IndexError(`TensorDataset: index ${r} out of range for ${t.shape[0]} rows`);
    out.set(src.subarray(r * row, (r + 1) * row), i * row);
  });
  return Tensor._fromStorage([indices.length, ...t.shape.slice(1)], t.dtype, out);
}

/** Stacks same-shaped samples along a new first dim (the default collate). */
export function stackRows(samples: readonly Tensor[]): Tensor {
  const first = samples[0];
  const n = first.numel;
  const src0 = first._values('DataLoader');
  const out = new (src0.constructor as { new (n: number): typeof src0 })(samples.length * n);
  samples.forEach((s, i) => {
    if (s.numel !== n || s.dtype !== first.dtype) {
      throw new ShapeError(`DataLoader: sample ${i} is ${s.dtype}[${s.shape.join(', ')}], expected ${first.dtype}[${first.shape.join(', ')}] like sample 0`);
    }
    out.set(s._values('DataLoader'), i * n);
  });
  return Tensor._fromStorage([samples.length, ...first.shape], first.dtype, out);
}
