import { IndexError, ShapeError, ValueError } from '../../errors.js';
import { fmtShape, normalizeDim } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { select, sliceRaw } from './slice.js';

/**
 * Splits into pieces of `size` along `dim` (the last may be smaller), or into pieces of the
 * listed sizes (which must add up to the dim's size), like torch.split.
 * @example tg.split(x, [2, 1], 1) // x[:, :2], x[:, 2:]
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError('split: cannot split a 0-d tensor');
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    const s = sizeOrSections;
    if (!Number.isInteger(s) || s < 0 || (s === 0 && n > 0)) {
      throw new ValueError(`split: split size must be a positive integer, got ${s} (dim ${dim} has size ${n})`);
    }
    sizes = [];
    for (let at = 0; at < n; at += s) sizes.push(Math.min(s, n - at));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = [...sizeOrSections];
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) {
      throw new ShapeError(`split: sections [${sizes.join(', ')}] must be non-negative and add up to ${n}, the size of dim ${dim} of ${fmtShape(x.shape)}`);
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const part = sliceRaw(x, { dim: d, start, end: start + s, step: 1 });
    start += s;
    return part;
  });
}

/**
 * Splits into `chunks` nearly equal pieces along `dim` (each ceil(n / chunks); possibly fewer pieces).
 * @example tg.chunk(x, 3, -1)
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  if (x.ndim === 0) throw new ShapeError('chunk: cannot chunk a 0-d tensor');
  const n = x.shape[normalizeDim('chunk', dim, x.ndim)];
  if (n === 0) return Array.from({ length: chunks }, () => split(x, 0, dim)[0]);
  return split(x, Math.ceil(n / chunks), dim);
}

/**
 * Every slice along `dim`, each with the dim removed.
 * @example const [a, b] = tg.unbind(pairs, 1)
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  if (x.ndim === 0) throw new IndexError('unbind: cannot unbind a 0-d tensor');
  const d = normalizeDim('unbind', dim, x.ndim);
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}
