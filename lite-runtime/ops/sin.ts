/** SIN; float32 (int8/uint8 via a requantizing table). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const SIN: LiteOp<UnaryPlan> = {
  code: BuiltinOp.SIN,
  name: 'SIN',
  prepare: (node) => prepareUnary('SIN', node, Math.sin),
  run: runUnary,
};
