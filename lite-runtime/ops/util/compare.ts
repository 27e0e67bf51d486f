/**
 * Shared prepare of the comparisons (LESS, GREATER, EQUAL, ...): broadcast shape, bool
 * output, and for quantized inputs the affine maps that compare real values.
 */
import type { OpNode } from '../op.js';
import { broadcastIndex, broadcastShape } from './broadcast.js';
import { describe, expect, expectDType, input, numElements, output, qparams, setOutput } from './check.js';
import { mulQ, quantizeMultiplier } from './quant.js';

/**
 * Plan of one comparison node. Quantized inputs are compared as TFLite does: both
 * rescaled to a shared fixed-point scale, ((q - z) << 8) * (s / (2 * max(sa, sb))).
 */
export interface ComparePlan {
  n: number; ia: Int32Array | null; ib: Int32Array | null;
  q: { za: number; zb: number; ma: number; sa: number; mb: number; sb: number } | null;
}

/** Input value i of a comparison, rescaled when quantized. */
export function cmpValue(x: ArrayLike<number>, i: number, z: number, m: number, s: number, quant: boolean): number {
  return quant ? mulQ((x[i]! - z) * 256, m, s) : x[i]!;
}

/** Checks the inputs share a dtype, sets the bool output's broadcast shape. */
export function prepareCompare(op: string, node: OpNode): ComparePlan {
  const a = input(op, node, 0), b = input(op, node, 1);
  expectDType(op, node, 'input 0', a, 'float32', 'int32', 'int8', 'uint8', 'int16', 'bool');
  expect(op, node, a.dtype === b.dtype, () => `${describe('input 0', a)} and ${describe('input 1', b)} must share a dtype`);
  const shape = broadcastShape(op, node, a.shape, b.shape);
  setOutput(op, node, output(op, node, 0), shape, 'bool');
  let q: ComparePlan['q'] = null;
  if ((a.dtype === 'int8' || a.dtype === 'uint8' || a.dtype === 'int16') && a.quant && b.quant) {
    const qa = qparams(op, node, 'input 0', a), qb = qparams(op, node, 'input 1', b);
    const twiceMax = 2 * Math.max(qa.scale, qb.scale);
    const ma = quantizeMultiplier(qa.scale / twiceMax), mb = quantizeMultiplier(qb.scale / twiceMax);
    q = { za: qa.zeroPoint, zb: qb.zeroPoint, ma: ma.multiplier, sa: ma.shift, mb: mb.multiplier, sb: mb.shift };
  }
  return { n: numElements(shape), ia: broadcastIndex(a.shape, shape), ib: broadcastIndex(b.shape, shape), q };
}
