/** ABS: |x|; float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const ABS: LiteOp<UnaryPlan> = {
  code: BuiltinOp.ABS,
  name: 'ABS',
  prepare: (node) => prepareUnary('ABS', node, Math.abs),
  run: runUnary,
};
