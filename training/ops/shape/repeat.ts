import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { expand } from '../expand.js';
import { reshape } from '../reshape.js';

/**
 * Tiles x `repeats[i]` times along dim i (repeats may be longer than x's rank: x gets leading
 * size-1 dims), like torch.Tensor.repeat. Built from reshape + expand, so the gradient sums the copies.
 * @example tg.repeat(tg.tensor([1, 2]), [2, 2]) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim) {
    throw new ShapeError(`repeat: ${repeats.length} repeats for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)}); need at least ${x.ndim}`);
  }
  if (repeats.some((r) => !Number.isInteger(r) || r < 0)) throw new ValueError(`repeat: repeats must be non-negative integers, got [${repeats.join(', ')}]`);
  const shape = [...new Array<number>(repeats.length - x.ndim).fill(1), ...x.shape];
  const spread = shape.flatMap((n) => [1, n]);
  const grown = shape.flatMap((n, i) => [repeats[i], n]);
  return reshape(expand(reshape(x, spread), grown), shape.map((n, i) => n * repeats[i]));
}

/**
 * Like repeat, but `dims` shorter than x's rank is padded with leading 1s (numpy/torch tile).
 * @example tg.tile(x, [2]) // repeats the last dim twice
 */
export function tile(x: Tensor, dims: readonly number[]): Tensor {
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - dims.length)).fill(1), ...dims]);
}
