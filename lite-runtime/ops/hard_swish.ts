/** HARD_SWISH: x * relu6(x + 3) / 6; float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { hardswish } from '../kernels/math-scalar.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const HARD_SWISH: LiteOp<UnaryPlan> = {
  code: BuiltinOp.HARD_SWISH,
  name: 'HARD_SWISH',
  prepare: (node) => prepareUnary('HARD_SWISH', node, hardswish),
  run: runUnary,
};
