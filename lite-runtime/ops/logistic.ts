/** LOGISTIC (sigmoid): 1 / (1 + exp(-x)); float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { sigmoid } from '../kernels/math-scalar.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const LOGISTIC: LiteOp<UnaryPlan> = {
  code: BuiltinOp.LOGISTIC,
  name: 'LOGISTIC',
  prepare: (node) => prepareUnary('LOGISTIC', node, sigmoid),
  run: runUnary,
};
