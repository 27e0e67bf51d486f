/** FLOOR; float32 (int8/uint8 via a requantizing table). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const FLOOR: LiteOp<UnaryPlan> = {
  code: BuiltinOp.FLOOR,
  name: 'FLOOR',
  prepare: (node) => prepareUnary('FLOOR', node, Math.floor),
  run: runUnary,
};
