/** TANH; float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const TANH: LiteOp<UnaryPlan> = {
  code: BuiltinOp.TANH,
  name: 'TANH',
  prepare: (node) => prepareUnary('TANH', node, Math.tanh),
  run: runUnary,
};
