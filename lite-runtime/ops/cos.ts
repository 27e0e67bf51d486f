/** COS; float32 (int8/uint8 via a requantizing table). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const COS: LiteOp<UnaryPlan> = {
  code: BuiltinOp.COS,
  name: 'COS',
  prepare: (node) => prepareUnary('COS', node, Math.cos),
  run: runUnary,
};
