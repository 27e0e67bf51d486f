/** LOG (natural); float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const LOG: LiteOp<UnaryPlan> = {
  code: BuiltinOp.LOG,
  name: 'LOG',
  prepare: (node) => prepareUnary('LOG', node, Math.log),
  run: runUnary,
};
