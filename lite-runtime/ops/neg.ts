/**
 * NEG: -x. Float32 by the math; int8 as the real TFLite runtime computes it, on the
 * stored values (y = -q, saturated), whatever the quantization of input and output.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const NEG: LiteOp<UnaryPlan> = {
  code: BuiltinOp.NEG,
  name: 'NEG',
  prepare(node) {
    const p = prepareUnary('NEG', node, (x) => -x, ['float32', 'int8']);
    if (p.lut) for (let q = -128; q <= 127; q++) p.lut[q + 128] = q === -128 ? 127 : -q;
    return p;
  },
  run: runUnary,
};
