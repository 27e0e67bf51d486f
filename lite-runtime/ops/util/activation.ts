/** TFLite's ActivationFunctionType and the clamping ranges it implies. */

import { Activation as Act } from '../../format/schema.js';
import { roundHalfAway } from './quant.js';
import { xnnActRange } from './xnnq.js';

/**
 * Float clamp range of a fused activation, or null when the code is not a
 * clamp (TANH, SIGN_BIT, unknown): callers report that as a KernelError.
 * @example floatActRange(Activation.RELU6) // [0, 6]
 */
export function floatActRange(act: number): [number, number] | null {
  switch (act) {
    case Act.NONE: return [-Infinity, Infinity];
    case Act.RELU: return [0, Infinity];
    case Act.RELU_N1_TO_1: return [-1, 1];
    case Act.RELU6: return [0, 6];
    default: return null;
  }
}

/**
 * Quantized clamp range, as TFLite's CalculateActivationRangeQuantized:
 * the float range mapped through `zp + round(f / scale)` and intersected with [qmin, qmax].
 * `xnnpack` (int8 ops the XNNPACK delegate runs, in the 'fp32' requantization mode): as
 * XNNPACK rounds it instead, lrintf(f / scale + zp), which differs on exact ties.
 * @example quantActRange(Activation.RELU, 0.5, -10, -128, 127) // [-10, 127]
 */
export function quantActRange(
  act: number, scale: number, zeroPoint: number, qmin: number, qmax: number, xnnpack = false,
): [number, number] | null {
  if (xnnpack && qmin === -128 && qmax === 127 && floatActRange(act)) return xnnActRange(act, scale, zeroPoint);
  const q = (f: number): number => zeroPoint + roundHalfAway(Math.fround(f / scale));
  switch (act) {
    case Act.NONE: return [qmin, qmax];
    case Act.RELU: return [Math.max(qmin, q(0)), qmax];
    case Act.RELU_N1_TO_1: return [Math.max(qmin, q(-1)), Math.min(qmax, q(1))];
    case Act.RELU6: return [Math.max(qmin, q(0)), Math.min(qmax, q(6))];
    default: return null;
  }
}

/** Name of an activation code, for error messages. */
export function actName(act: number): string {
  const e = Object.entries(Act).find(([, v]) => v === act);
  return e ? e[0] : `activation ${act}`;
}
