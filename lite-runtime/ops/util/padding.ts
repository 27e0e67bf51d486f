/** TFLite's Padding (SAME/VALID) arithmetic for convolutions and pooling. */

import { Padding } from '../../format/schema.js';

/**
 * Output size along one spatial axis (TFLite's ComputeOutSize).
 * @example outSize(Padding.SAME, 96, 3, 2, 1) // 48
 */
export function outSize(padding: number, inSize: number, filter: number, stride: number, dilation: number): number {
  const eff = (filter - 1) * dilation + 1;
  if (stride <= 0) return 0;
  return padding === Padding.SAME
    ? Math.floor((inSize + stride - 1) / stride)
    : Math.floor((inSize + stride - eff) / stride);
}

/**
 * Leading (top/left) padding along one axis; the trailing side gets the rest.
 * @example padBefore(2, 1, 96, 3, 48) // 0  (total 1: 0 before, 1 after)
 */
export function padBefore(stride: number, dilation: number, inSize: number, filter: number, out: number): number {
  const eff = (filter - 1) * dilation + 1;
  const total = Math.max(0, (out - 1) * stride + eff - inSize);
  return Math.floor(total / 2);
}
