/** GREATER_EQUAL: a >= b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef } from './op.js';
import { prepareCompare, runCompare, type ComparePlan } from './util/compare.js';

export const GREATER_EQUAL: OpDef<ComparePlan> = {
  code: BuiltinOp.GREATER_EQUAL,
  name: 'GREATER_EQUAL',
  prepare: (node) => prepareCompare('GREATER_EQUAL', node),
  run: (node, p) => runCompare('ge', node, p),
};
