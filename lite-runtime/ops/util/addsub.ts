/** TFLite's int8 ADD/SUB rescaling (reference kernels): both inputs to a shared scale, then to the output. */

import type { OpNode } from '../op.js';
import { qparams, input, output } from './check.js';
import { quantizeMultiplier } from './quant.js';

/** Fixed-point parameters of an int8 ADD or SUB. */
export interface AddSubQuant {
  z1: number; z2: number; zo: number;
  m1: number; s1: number; m2: number; s2: number; mo: number; so: number;
}

/** left_shift 20 and the three multipliers of TFLite's PrepareGeneralSubOp / add.cc. */
export function addSubQuant(op: string, node: OpNode): AddSubQuant {
  const a = qparams(op, node, 'input 0', input(op, node, 0));
  const b = qparams(op, node, 'input 1', input(op, node, 1));
  const y = qparams(op, node, 'output', output(op, node, 0));
  const twiceMax = 2 * Math.max(a.scale, b.scale);
  const q1 = quantizeMultiplier(a.scale / twiceMax);
  const q2 = quantizeMultiplier(b.scale / twiceMax);
  const qo = quantizeMultiplier(twiceMax / ((1 << 20) * y.scale));
  return {
    z1: a.zeroPoint, z2: b.zeroPoint, zo: y.zeroPoint,
    m1: q1.multiplier, s1: q1.shift, m2: q2.multiplier, s2: q2.shift, mo: qo.multiplier, so: qo.shift,
  };
}
