/** EQUAL: a == b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareCompare, runCompare, type ComparePlan } from './util/compare.js';

export const EQUAL: LiteOp<ComparePlan> = {
  code: BuiltinOp.EQUAL,
  name: 'EQUAL',
  prepare: (node) => prepareCompare('EQUAL', node),
  run: (node, p) => runCompare('eq', node, p),
};
