/** LESS: a < b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareCompare, runCompare, type ComparePlan } from './util/compare.js';

export const LESS: LiteOp<ComparePlan> = {
  code: BuiltinOp.LESS,
  name: 'LESS',
  prepare: (node) => prepareCompare('LESS', node),
  run: (node, p) => runCompare('lt', node, p),
};
