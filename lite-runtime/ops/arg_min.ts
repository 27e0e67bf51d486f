/** ARG_MIN over the constant axis (input 1); int32 or int64 output; the first minimum wins. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareArg, runArg, type ArgPlan } from './util/arg.js';

export const ARG_MIN: LiteOp<ArgPlan> = {
  code: BuiltinOp.ARG_MIN,
  name: 'ARG_MIN',
  prepare: (node) => prepareArg('ARG_MIN', node, 'minimum'),
  run: (node, p) => runArg(node, p, false),
};
