/** REDUCE_MIN: minimum over constant axes (input 1), keep_dims optional; float32, int32, int8/uint8 (requantized). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareReduce, runReduce, type ReducePlan } from './util/reduce.js';

export const REDUCE_MIN: LiteOp<ReducePlan> = {
  code: BuiltinOp.REDUCE_MIN,
  name: 'REDUCE_MIN',
  prepare: (node) => prepareReduce('REDUCE_MIN', node),
  run: (node, p) => runReduce(node, p, 'min'),
};
