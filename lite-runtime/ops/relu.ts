/** RELU: max(0, x); float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const RELU: LiteOp<UnaryPlan> = {
  code: BuiltinOp.RELU,
  name: 'RELU',
  prepare: (node) => prepareUnary('RELU', node, (x) => (x > 0 ? x : 0)),
  run: runUnary,
};
