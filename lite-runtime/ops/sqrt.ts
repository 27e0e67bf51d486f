/** SQRT; float32 (negative inputs give NaN), int8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const SQRT: LiteOp<UnaryPlan> = {
  code: BuiltinOp.SQRT,
  name: 'SQRT',
  prepare: (node) => prepareUnary('SQRT', node, Math.sqrt),
  run: runUnary,
};
