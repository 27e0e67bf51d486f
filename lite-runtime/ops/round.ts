/** ROUND: to the nearest integer, ties to even (as TensorFlow's Round); float32 (int8/uint8 via a table). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

/** Round half to even. @example roundHalfEven(2.5) // 2 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const ROUND: LiteOp<UnaryPlan> = {
  code: BuiltinOp.ROUND,
  name: 'ROUND',
  prepare: (node) => prepareUnary('ROUND', node, roundHalfEven),
  run: runUnary,
};
