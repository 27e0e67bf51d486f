/** REDUCE_MAX: maximum over constant axes (input 1), keep_dims optional; float32, int32, int8/uint8 (requantized). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareReduce, runReduce, type ReducePlan } from './util/reduce.js';

export const REDUCE_MAX: LiteOp<ReducePlan> = {
  code: BuiltinOp.REDUCE_MAX,
  name: 'REDUCE_MAX',
  prepare: (node) => prepareReduce('REDUCE_MAX', node),
  run: (node, p) => runReduce(node, p, 'max'),
};
