/** SQUARE: x * x; float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const SQUARE: LiteOp<UnaryPlan> = {
  code: BuiltinOp.SQUARE,
  name: 'SQUARE',
  prepare: (node) => prepareUnary('SQUARE', node, (x) => x * x),
  run: runUnary,
};
