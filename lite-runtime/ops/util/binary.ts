/**
 * Shared prepare of the binary elementwise ops (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM):
 * dtype agreement, broadcast shape and index maps, fused activation range.
 * Run loops live in the op or its family helper (`addsub.ts`, `minmax.ts`), one loop per op so each stays monomorphic.
 */
import type { LiteDType, OpNode } from '../op.js';
import { actName, floatActRange, quantActRange } from './activation.js';
import { broadcastIndex, broadcastShape } from './broadcast.js';
import { describe, expect, expectDType, input, numElements, output, qparams, setOutput } from './check.js';
import { qRange } from './quant.js';

/** Broadcast plan and output range of one binary node. */
export interface BinaryPlan {
  n: number;
  dtype: LiteDType;
  /** Index maps into a / b per output element (null: same element count as the output). */
  ia: Int32Array | null;
  ib: Int32Array | null;
  /** Clamp range: float activation range, or quantized activation range for int8. */
  lo: number;
  hi: number;
}

/**
 * Checks both inputs share a dtype from `dtypes`, sets the broadcast output shape,
 * and resolves the fused activation (`act`, a code from the options, or 0).
 */
export function prepareBinary(op: string, node: OpNode, act: number, ...dtypes: LiteDType[]): BinaryPlan {
  const a = input(op, node, 0), b = input(op, node, 1), y = output(op, node, 0);
  expectDType(op, node, 'input 0', a, ...dtypes);
  expect(op, node, a.dtype === b.dtype, () => `${describe('input 0', a)} and ${describe('input 1', b)} must share a dtype`);
  const shape = broadcastShape(op, node, a.shape, b.shape);
  setOutput(op, node, y, shape, a.dtype);
  let lo = -Infinity, hi = Infinity;
  if (a.dtype === 'int8' || a.dtype === 'uint8' || a.dtype === 'int16') {
    const yq = qparams(op, node, 'output', y);
    const [qmin, qmax] = qRange(a.dtype);
    const r = quantActRange(act, yq.scale, yq.zeroPoint, qmin, qmax);
    expect(op, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
    [lo, hi] = r;
  } else if (a.dtype === 'float32') {
    const r = floatActRange(act);
    expect(op, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
    [lo, hi] = r;
  } else {
    const [qmin, qmax] = qRange(a.dtype);
    lo = qmin; hi = qmax;
    expect(op, node, act === 0, () => `fused activation ${actName(act)} needs float or quantized tensors`);
  }
  const n = numElements(shape);
  return { n, dtype: a.dtype, ia: broadcastIndex(a.shape, shape), ib: broadcastIndex(b.shape, shape), lo, hi };
}
