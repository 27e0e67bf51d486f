/**
 * MUL with broadcasting and a fused activation: float32, int32, and int8 as the real runtimes:
 * XNNPACK's float requantization where its delegate takes the node,
 * y = roundHalfEven(f32((a - za) * (b - zb) * f32(f32(sa * sb) / sy))) + zy; else (and in the
 * 'reference' requantization mode) TFLite's y = MultiplyByQuantizedMultiplier((a - za) * (b - zb), sa * sb / sy) + zy.
 */
import { BuiltinOp, MulOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { input, output, qparams } from './util/check.js';
import { mulQ, quantizeMultiplier } from './util/quant.js';
import { requantMode } from './util/requant.js';
import { elementwisePlan, xnnActRange, xnnMulScale, xnnMulSupported } from './util/xnnq.js';
import { qmulI8 } from '../kernels/qelementwise.js';
import { binaryF32, binF32Plan, type BinF32Plan } from '../kernels/elementwise.js';

const OP = 'MUL';
const ROUND_MAGIC = 6755399441055744; // 1.5 * 2^52: adding and subtracting rounds half to even

interface State {
  p: BinaryPlan; za: number; zb: number; zy: number; m: number; s: number; quant: boolean;
  /** XNNPACK's float32 product-to-output scale, or 0 where TFLite's fixed point applies. */
  fscale: number;
  /** How the wasm kernel runs it (XNNPACK's arithmetic), or null. */
  w: { swap: boolean; bn: number } | null;
  /** How the wasm kernel runs a float32 MUL, or null. */
  f: BinF32Plan | null;
}

export const MUL: LiteOp<State> = {
  code: BuiltinOp.MUL,
  name: OP,
  prepare(node) {
    const act = node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
    const p = prepareBinary(OP, node, act, 'float32', 'int8', 'int32');
    if (p.dtype !== 'int8') {
      const f = p.dtype === 'float32' ? binF32Plan(input(OP, node, 0).shape, input(OP, node, 1).shape, output(OP, node, 0).shape) : null;
      return { p, za: 0, zb: 0, zy: 0, m: 0, s: 0, quant: false, fscale: 0, w: null, f };
    }
    const a = qparams(OP, node, 'input 0', input(OP, node, 0)), b = qparams(OP, node, 'input 1', input(OP, node, 1));
    const y = qparams(OP, node, 'output', output(OP, node, 0));
    const q = quantizeMultiplier((a.scale * b.scale) / y.scale);
    const xnn = requantMode() === 'fp32' && xnnMulSupported(a.scale, b.scale, y.scale);
    if (xnn) [p.lo, p.hi] = xnnActRange(act, y.scale, y.zeroPoint);
    return {
      p, za: a.zeroPoint, zb: b.zeroPoint, zy: y.zeroPoint, m: q.multiplier, s: q.shift, quant: true,
      fscale: xnn ? xnnMulScale(a.scale, b.scale, y.scale) : 0,
      w: xnn ? elementwisePlan(input(OP, node, 0).shape, input(OP, node, 1).shape, output(OP, node, 0).shape) : null, f: null,
    };
  },
  run(node: OpNode, s: State) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
    const y = node.outputs[0]!.data as Float32Array;
    const { n, ia, ib, lo, hi } = s.p;
    if (s.f && binaryF32(3, a, b, y, s.f, lo, hi)) return;
    if (s.fscale && s.w) {
      const { swap, bn } = s.w;
      const args = { za: swap ? s.zb : s.za, zb: swap ? s.za : s.zb, scale: s.fscale, zp: s.zy, lo, hi };
      if (qmulI8((swap ? b : a) as unknown as Int8Array, (swap ? a : b) as unknown as Int8Array, y as unknown as Int8Array, bn, args)) return;
    }
    if (s.fscale) {
      // the product is exact in float32 (|p| < 2^16); clamp, then round half to even
      const sc = s.fscale, za = s.za, zb = s.zb, zy = s.zy, l = lo - zy, h = hi - zy;
      for (let i = 0; i < n; i++) {
        let v = Math.fround((a[ia ? ia[i]! : i]! - za) * (b[ib ? ib[i]! : i]! - zb) * sc);
        v = v < l ? l : v > h ? h : v;
        y[i] = (v + ROUND_MAGIC - ROUND_MAGIC) + zy;
      }
      return;
    }
    if (s.quant) {
      for (let i = 0; i < n; i++) {
        const v = mulQ((a[ia ? ia[i]! : i]! - s.za) * (b[ib ? ib[i]! : i]! - s.zb), s.m, s.s) + s.zy;
        y[i] = v < lo ? lo : v > hi ? hi : v;
      }
      return;
    }
    const int = s.p.dtype === 'int32';
    for (let i = 0; i < n; i++) {
      const x1 = a[ia ? ia[i]! : i]!, x2 = b[ib ? ib[i]! : i]!;
      const v = int ? Math.imul(x1, x2) : x1 * x2;
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
  },
};
