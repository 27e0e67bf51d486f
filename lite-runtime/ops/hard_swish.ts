/**
 * HARD_SWISH: x * relu6(x + 3) / 6; float32 calls the scalar; int8/uint8 use a 256-entry table of
 * TFLite's fixed-point kernel (reference_ops::HardSwish, which LiteRT.js and tfjs-tflite both run):
 * the input on a 2^7 finer scale, a "relu-ish" factor in [0, 1] from a 16-bit multiplier, and a
 * truncating 16-bit doubling high multiply.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { hardswish } from '../kernels/math-scalar.js';
import { fail, qparams } from './util/check.js';
import { quantizeMultiplier, roundingDivideByPOT, srdhm16 } from './util/quant.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

const OP = 'HARD_SWISH';
const s16 = (x: number): number => (x < -32768 ? -32768 : x > 32767 ? 32767 : x);
/** QuantizeMultiplier then DownScaleInt32ToInt16Multiplier. */
function mult16(real: number): { m: number; e: number } {
  const q = quantizeMultiplier(real);
  return { m: q.multiplier >= 2147483647 - 32768 ? 32767 : (q.multiplier + 32768) >> 16, e: q.shift };
}

export const HARD_SWISH: LiteOp<UnaryPlan> = {
  code: BuiltinOp.HARD_SWISH,
  name: OP,
  prepare(node) {
    const p = prepareUnary(OP, node, hardswish);
    if (!p.lut) return p;
    const x = qparams(OP, node, 'input 0', node.inputs[0]!), y = qparams(OP, node, 'output', node.outputs[0]!);
    const hires = Math.fround(x.scale / 128);
    const out = mult16(Math.fround(hires / y.scale)), relu = mult16(Math.fround(hires / Math.fround(3 / 32768)));
    if (out.e > 0) throw fail(OP, node, `input scale ${x.scale} / 128 over output scale ${y.scale} must be at most 1`);
    const [lo, hi] = node.inputs[0]!.dtype === 'int8' ? [-128, 127] : [0, 255];
    for (let q = lo; q <= hi; q++) {
      const v = (q - x.zeroPoint) * 128, pre = srdhm16(v, out.m);
      let r = v;
      if (relu.e > 0) r = s16(r * 2 ** (relu.e - 1));
      r = srdhm16(r, relu.m);
      if (relu.e > 0) r = s16(r * 2);
      else if (relu.e < 0) r = roundingDivideByPOT(r, -relu.e);
      r = (r + 32768) >> 1;
      // SaturatingDoublingHighMul: truncating, not rounding
      const outv = (Math.trunc((r * pre) / 32768) << 16) >> 16;
      const o = roundingDivideByPOT(outv, -out.e) + y.zeroPoint;
      p.lut[q - lo] = Math.max(lo, Math.min(hi, o));
    }
    return p;
  },
  run: runUnary,
};
