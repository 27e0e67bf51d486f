/**
 * ADD with broadcasting and a fused activation: float32, int32, and int8 with
 * TFLite's rescaling (inputs to a shared scale with a 2^20 headroom, then to the output).
 */
import { AddOptions as F, BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareAddSub, runAddSub, type AddSubPlan } from './util/addsub.js';

export const ADD: LiteOp<AddSubPlan> = {
  code: BuiltinOp.ADD,
  name: 'ADD',
  prepare: (node) => prepareAddSub('ADD', node, node.options ? node.options.i8(F.fused_activation_function, 0) : 0),
  run: (node, s) => runAddSub(node, s, false),
};
