/** LESS_EQUAL: a <= b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareCompare, runCompare, type ComparePlan } from './util/compare.js';

export const LESS_EQUAL: LiteOp<ComparePlan> = {
  code: BuiltinOp.LESS_EQUAL,
  name: 'LESS_EQUAL',
  prepare: (node) => prepareCompare('LESS_EQUAL', node),
  run: (node, p) => runCompare('le', node, p),
};
