import type { NumArray } from '../../lite-runtime/kernels/strided.js';

/**
 * The upper (or lower) triangle of each trailing [rows, cols] matrix of `a`,
 * zeros elsewhere: element (i, j) is kept when j - i >= k (upper) or
 * j - i <= k (lower). Writes every element of `out` (same length as `a`).
 * @example trilu(a, out, 3, 3, 0, true) // triu of a 3x3 matrix
 */
export function trilu(a: NumArray, out: NumArray, rows: number, cols: number, k: number, upper: boolean): void {
  const plane = rows * cols;
  for (let base = 0; base < a.length; base += plane) {
    for (let i = 0; i < rows; i++) {
      const row = base + i * cols;
      // kept columns: [max(0, i + k), cols) for upper, [0, min(cols, i + k + 1)) for lower
      const split = Math.min(cols, Math.max(0, upper ? i + k : i + k + 1));
      for (let j = 0; j < cols; j++) {
        const keep = upper ? j >= split : j < split;
        out[row + j] = keep ? a[row + j] : 0;
      }
    }
  }
}
