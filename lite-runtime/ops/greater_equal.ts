/** GREATER_EQUAL: a >= b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareCompare, runCompare, type ComparePlan } from './util/compare.js';

export const GREATER_EQUAL: LiteOp<ComparePlan> = {
  code: BuiltinOp.GREATER_EQUAL,
  name: 'GREATER_EQUAL',
  prepare: (node) => prepareCompare('GREATER_EQUAL', node),
  run: (node, p) => runCompare('ge', node, p),
};
