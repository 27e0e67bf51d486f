import { ValueError } from '../../errors.js';
import { normalizeDim, sizeOf } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { reshape } from '../reshape.js';

/**
 * Merges dims `startDim..endDim` (inclusive) into one; a 0-d tensor becomes 1-d.
 * @example tg.flatten(x, 1) // [N, C, H, W] -> [N, C*H*W]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim), e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new ValueError(`flatten: startDim ${startDim} comes after endDim ${endDim} (rank ${x.ndim})`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/**
 * Removes size-1 dims: all of them, or those among `dim` (others are left alone, as in torch).
 * @example tg.squeeze(x, 1) // [3, 1, 4] -> [3, 4]
 */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const drop = dim === undefined
    ? x.shape.map((_, i) => i)
    : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim('squeeze', d, x.ndim));
  return reshape(x, x.shape.filter((n, i) => !(n === 1 && drop.includes(i))));
}

/**
 * Inserts a size-1 dim at `dim` (in -rank-1..rank).
 * @example tg.unsqueeze(x, 0) // [3] -> [1, 3]
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}
