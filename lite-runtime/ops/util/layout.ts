/** Index arithmetic for the data-movement ops (TRANSPOSE, SLICE, STRIDED_SLICE, PAD...). */

import type { OpNode, RtTensor, TypedArray } from '../op.js';
import { describe, expect, fail } from './check.js';
import { stridedCopy } from '../../kernels/strided.js';

/** Row-major strides of a shape. */
export function stridesOf(shape: ReadonlyArray<number>): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** Plan of an affine data-movement op: the output, of `shape`, reads the input at `offset` + sum_d pos[d] * strides[d]. */
export interface StridedPlan { shape: number[]; offset: number; strides: number[] }

/**
 * The plan of an output of shape `out` whose dim d starts at `start[d]` of input dim d and
 * advances `step[d]` (negative: backwards); `inStrides` the input's (another order transposes).
 * @example strided([2, 3], [1, 0], [1, 1], [4, 1]) // { shape: [2, 3], offset: 4, strides: [4, 1] }
 */
export function strided(out: number[], start: ReadonlyArray<number>, step: ReadonlyArray<number>, inStrides: ReadonlyArray<number>): StridedPlan {
  let offset = 0;
  start.forEach((s, d) => { offset += s * inStrides[d]!; });
  return { shape: out, offset, strides: step.map((s, d) => s * inStrides[d]!) };
}

/** Runs a StridedPlan with the kernels' stridedCopy, for any element type. */
export function runStrided(node: OpNode, p: StridedPlan): void {
  stridedCopy(node.inputs[0]!.data as Float32Array, p.offset, p.strides, node.outputs[0]!.data as Float32Array, p.shape);
}

/**
 * y[i] = x[map[i]] (or `fill` where map[i] < 0), for any element type.
 * @example gatherMap(x.data, y.data, map, 0);
 */
export function gatherMap(x: TypedArray, y: TypedArray, map: Int32Array, fill: number | bigint): void {
  const src = x as Float32Array, dst = y as Float32Array, f = fill as number;
  for (let i = 0; i < map.length; i++) {
    const j = map[i]!;
    dst[i] = j < 0 ? f : src[j]!;
  }
}

/** Normalizes a possibly negative axis against `rank`, throwing when out of range. */
export function normAxis(op: string, node: OpNode, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw fail(op, node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The fill value of padding for `t`: its zero point when quantized, else 0 (0n for int64). */
export function zeroOf(t: RtTensor): number | bigint {
  if (t.dtype === 'int64') return 0n;
  return t.quant && t.quant.zeroPoint.length ? t.quant.zeroPoint[0]! : 0;
}

/** Throws unless `t` is a constant (shape/axis operands the runtime needs at prepare). */
export function expectConst(op: string, node: OpNode, role: string, t: RtTensor): void {
  expect(op, node, t.isConst, () => `${describe(role, t)}: must be a constant (values computed at run time are not supported)`);
}
