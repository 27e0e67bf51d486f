/** MEAN over constant axes (input 1), keep_dims optional; float32, int32, int8/uint8 (requantized). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareReduce, runReduce, type ReducePlan } from './util/reduce.js';

export const MEAN: LiteOp<ReducePlan> = {
  code: BuiltinOp.MEAN,
  name: 'MEAN',
  prepare: (node) => prepareReduce('MEAN', node),
  run: (node, p) => runReduce(node, p, 'mean'),
};
