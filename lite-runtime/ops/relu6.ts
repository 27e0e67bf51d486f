/** RELU6: min(max(0, x), 6); float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const RELU6: LiteOp<UnaryPlan> = {
  code: BuiltinOp.RELU6,
  name: 'RELU6',
  prepare: (node) => prepareUnary('RELU6', node, (x) => (x > 0 ? (x < 6 ? x : 6) : 0)),
  run: runUnary,
};
