/** Element copies between tensors of the same dtype (RESHAPE, SQUEEZE, EXPAND_DIMS...). */

import type { TypedArray } from '../op.js';

/**
 * Copies the first `n` elements of `src` into `dst` (no-op when they share storage).
 * @example copyElements(x.data, y.data, 6);
 */
export function copyElements(src: TypedArray, dst: TypedArray, n: number): void {
  if (src.buffer === dst.buffer && src.byteOffset === dst.byteOffset) return;
  const d = dst as Float32Array, s = src as unknown as Float32Array;
  if (s.length === n) d.set(s);
  else d.set(s.subarray(0, n));
}
