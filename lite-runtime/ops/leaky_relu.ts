/** LEAKY_RELU: x >= 0 ? x : alpha * x (LeakyReluOptions.alpha); float32, int8/uint8 via a requantizing table. */
import { BuiltinOp, LeakyReluOptions as F } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const LEAKY_RELU: LiteOp<UnaryPlan> = {
  code: BuiltinOp.LEAKY_RELU,
  name: 'LEAKY_RELU',
  prepare(node) {
    const alpha = node.options ? node.options.f32(F.alpha, 0) : 0;
    return prepareUnary('LEAKY_RELU', node, (x) => (x >= 0 ? x : alpha * x));
  },
  run: runUnary,
};
