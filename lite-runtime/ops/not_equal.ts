/** NOT_EQUAL: a != b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareCompare, runCompare, type ComparePlan } from './util/compare.js';

export const NOT_EQUAL: LiteOp<ComparePlan> = {
  code: BuiltinOp.NOT_EQUAL,
  name: 'NOT_EQUAL',
  prepare: (node) => prepareCompare('NOT_EQUAL', node),
  run: (node, p) => runCompare('ne', node, p),
};
