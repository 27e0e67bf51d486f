/** RELU_0_TO_1: min(max(x, 0), 1); float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const RELU_0_TO_1: LiteOp<UnaryPlan> = {
  code: BuiltinOp.RELU_0_TO_1,
  name: 'RELU_0_TO_1',
  prepare: (node) => prepareUnary('RELU_0_TO_1', node, (x) => (x < 0 ? 0 : x > 1 ? 1 : x)),
  run: runUnary,
};
