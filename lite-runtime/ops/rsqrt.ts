/** RSQRT: 1 / sqrt(x); float32, int8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const RSQRT: LiteOp<UnaryPlan> = {
  code: BuiltinOp.RSQRT,
  name: 'RSQRT',
  prepare: (node) => prepareUnary('RSQRT', node, (x) => 1 / Math.sqrt(x)),
  run: runUnary,
};
