/** MINIMUM (elementwise, broadcasting): float32, int32, and int8 (inputs and output share quantization). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import type { BinaryPlan } from './util/binary.js';
import { prepareMinMax, runMinMax } from './util/minmax.js';

export const MINIMUM: LiteOp<BinaryPlan> = {
  code: BuiltinOp.MINIMUM,
  name: 'MINIMUM',
  prepare: (node) => prepareMinMax('MINIMUM', node),
  run: (node, p) => runMinMax(node, p, false),
};
