/** GREATER: a > b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareCompare, runCompare, type ComparePlan } from './util/compare.js';

export const GREATER: LiteOp<ComparePlan> = {
  code: BuiltinOp.GREATER,
  name: 'GREATER',
  prepare: (node) => prepareCompare('GREATER', node),
  run: (node, p) => runCompare('gt', node, p),
};
