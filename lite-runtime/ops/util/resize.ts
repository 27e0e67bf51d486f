/** Shared prepare of RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (NHWC, constant size input). */

import type { OpNode } from '../op.js';
import { constInts, describe, expect, expectDType, expectRank, input, output, setOutput } from './check.js';
import { expectConst } from './layout.js';

/** Input and output geometry of one resize node. */
export interface ResizeGeometry { n: number; h: number; w: number; c: number; oh: number; ow: number }

/** Checks a resize node (input [n,h,w,c], size [2] constant int32) and sets its output shape. */
export function prepareResize(op: string, node: OpNode, ...dtypes: Array<'float32' | 'int8' | 'uint8' | 'int16' | 'int32'>): ResizeGeometry {
  const x = input(op, node, 0), s = input(op, node, 1);
  expectDType(op, node, 'input 0', x, ...dtypes);
  expectRank(op, node, 'input 0', x, 4);
  expectConst(op, node, 'size', s);
  const size = constInts(op, node, 'size', s);
  expect(op, node, size.length === 2 && size[0]! > 0 && size[1]! > 0, () => `${describe('size', s)}: must hold two positive values, got [${size}]`);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  expect(op, node, h > 0 && w > 0, () => `${describe('input 0', x)}: cannot resize an empty image`);
  setOutput(op, node, output(op, node, 0), [n, size[0]!, size[1]!, c], x.dtype);
  return { n, h, w, c, oh: size[0]!, ow: size[1]! };
}

/** TFLite's scale of an axis: (in-1)/(out-1) with align_corners (out > 1), else in/out, in float32. */
export function resizeScale(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : Math.fround(inSize / outSize);
}
