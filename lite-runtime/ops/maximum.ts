/** MAXIMUM (elementwise, broadcasting): float32, int32, and int8 (inputs and output share quantization). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import type { BinaryPlan } from './util/binary.js';
import { prepareMinMax, runMinMax } from './util/minmax.js';

export const MAXIMUM: LiteOp<BinaryPlan> = {
  code: BuiltinOp.MAXIMUM,
  name: 'MAXIMUM',
  prepare: (node) => prepareMinMax('MAXIMUM', node),
  run: (node, p) => runMinMax(node, p, true),
};
