/** ELU: x < 0 ? exp(x) - 1 : x; float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const ELU: LiteOp<UnaryPlan> = {
  code: BuiltinOp.ELU,
  name: 'ELU',
  prepare: (node) => prepareUnary('ELU', node, (x) => (x < 0 ? Math.expm1(x) : x)),
  run: runUnary,
};
