/** ARG_MAX over the constant axis (input 1); int32 or int64 output; the first maximum wins. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareArg, runArg, type ArgPlan } from './util/arg.js';

export const ARG_MAX: LiteOp<ArgPlan> = {
  code: BuiltinOp.ARG_MAX,
  name: 'ARG_MAX',
  prepare: (node) => prepareArg('ARG_MAX', node, 'maximum'),
  run: (node, p) => runArg(node, p, true),
};
