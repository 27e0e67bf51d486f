/** NEG: -x; float32, int8/uint8 via a requantizing table. */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const NEG: OpDef<UnaryPlan> = {
  code: BuiltinOp.NEG,
  name: 'NEG',
  prepare: (node) => prepareUnary('NEG', node, (x) => -x),
  run: runUnary,
};
