import type { NumArray } from './strided.js';

/**
 * Concatenates tensors along `dim` (ONNX Concat, TFLite CONCATENATION). Every part has the
 * output's shape except along `dim`, where its extent is `sizes[i]`; values are converted to
 * `out`'s element type. Runs of 64 or more elements of the same type are block copies.
 * @example concat([a, b], [2, 1], [2, 3], 1, out) // a [2, 2] ++ b [2, 1] -> out [2, 3]
 */
export function concat(parts: readonly NumArray[], sizes: readonly number[], outShape: readonly number[], dim: number, out: NumArray): void {
  let outer = 1, inner = 1;
  for (let d = 0; d < dim; d++) outer *= outShape[d];
  for (let d = dim + 1; d < outShape.length; d++) inner *= outShape[d];
  const row = outShape[dim] * inner;
  let col = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i], block = sizes[i] * inner;
    if (block >= 64 && p.constructor === out.constructor) {
      for (let a = 0, from = 0, to = col; a < outer; a++, from += block, to += row) (out as Float32Array).set((p as Float32Array).subarray(from, from + block), to);
    } else {
      for (let a = 0, from = 0, to = col; a < outer; a++, to += row) for (let j = 0; j < block; j++) out[to + j] = p[from++];
    }
    col += block;
  }
}
