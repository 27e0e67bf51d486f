/**
 * GELU: x * Phi(x) (exact, with erfc), or the tanh approximation when
 * GeluOptions.approximate; float32, int8/uint8 via a requantizing table.
 * The functions are the kernels' (kernels/math-scalar.ts), shared with training.
 */
import { BuiltinOp, GeluOptions as F } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { gelu, geluTanh } from '../kernels/math-scalar.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

export const GELU: LiteOp<UnaryPlan> = {
  code: BuiltinOp.GELU,
  name: 'GELU',
  prepare(node) {
    const approximate = node.options ? node.options.bool(F.approximate, false) : false;
    return prepareUnary('GELU', node, approximate ? geluTanh : gelu);
  },
  run: runUnary,
};
