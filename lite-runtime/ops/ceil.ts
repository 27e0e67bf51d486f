/** CEIL; float32 (int8/uint8 via a requantizing table). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const CEIL: LiteOp<UnaryPlan> = {
  code: BuiltinOp.CEIL,
  name: 'CEIL',
  prepare: (node) => prepareUnary('CEIL', node, Math.ceil),
  run: runUnary,
};
