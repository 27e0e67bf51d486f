/** EXP; float32, int8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const EXP: LiteOp<UnaryPlan> = {
  code: BuiltinOp.EXP,
  name: 'EXP',
  prepare: (node) => prepareUnary('EXP', node, Math.exp),
  run: runUnary,
};
