/** Index arithmetic for the data-movement ops (TRANSPOSE, SLICE, STRIDED_SLICE, PAD...). */

import type { OpNode, RtTensor, TypedArray } from '../op.js';
import { describe, expect, fail } from './check.js';

/** Row-major strides of a shape. */
export function stridesOf(shape: ReadonlyArray<number>): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/**
 * For each element of an output of shape `out`, the input element at
 * sum_d (start[d] + pos[d] * step[d]) * inStride[d]; positions that fall outside
 * `inShape` (PAD) map to -1.
 */
export function affineMap(out: ReadonlyArray<number>, inShape: ReadonlyArray<number>, start: ReadonlyArray<number>,
  step: ReadonlyArray<number>, inStrides: ReadonlyArray<number> = stridesOf(inShape)): Int32Array {
  let n = 1;
  for (const d of out) n *= d;
  const map = new Int32Array(n), r = out.length, pos = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < r; d++) {
      const p = start[d]! + pos[d]! * step[d]!;
      if (p < 0 || p >= inShape[d]!) { src = -1; break; }
      src += p * inStrides[d]!;
    }
    map[i] = src;
    for (let d = r - 1; d >= 0; d--) {
      if (++pos[d]! < out[d]!) break;
      pos[d] = 0;
    }
  }
  return map;
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
