/**
 * Shared prepare and run of ADD and SUB. int8 as the real runtimes compute it: XNNPACK's
 * single-rounding fixed point (`xnnq.ts`) where its delegate takes the node, else (and in
 * the 'reference' requantization mode, as TFLite Micro) TFLite's kernels: both inputs to a
 * shared scale with a 2^20 headroom, then to the output.
 */
import type { OpNode } from '../op.js';
import { prepareBinary, type BinaryPlan } from './binary.js';
import { qparams, input, output } from './check.js';
import { mulQ, quantizeMultiplier } from './quant.js';
import { requantMode } from './requant.js';
import { elementwisePlan, xnnActRange, xnnAddParams, xnnAddSupported, type XnnAddParams } from './xnnq.js';
import { qaddI8 } from '../../kernels/qelementwise.js';
import { binaryF32, binF32Plan, type BinF32Plan } from '../../kernels/elementwise.js';

/** Fixed-point parameters of an int8 ADD or SUB. */
export interface AddSubQuant {
  z1: number; z2: number; zo: number;
  m1: number; s1: number; m2: number; s2: number; mo: number; so: number;
  /** XNNPACK's parameters when the real runtime computes this node with XNNPACK, else null. */
  x: XnnAddParams | null;
}

/**
 * left_shift 20 and the three multipliers of TFLite's PrepareGeneralSubOp / add.cc, and
 * XNNPACK's parameters where its delegate would take the node (`sub`: b enters negated).
 */
export function addSubQuant(op: string, node: OpNode, sub = op === 'SUB'): AddSubQuant {
  const a = qparams(op, node, 'input 0', input(op, node, 0));
  const b = qparams(op, node, 'input 1', input(op, node, 1));
  const y = qparams(op, node, 'output', output(op, node, 0));
  const twiceMax = 2 * Math.max(a.scale, b.scale);
  const q1 = quantizeMultiplier(a.scale / twiceMax);
  const q2 = quantizeMultiplier(b.scale / twiceMax);
  const qo = quantizeMultiplier(twiceMax / ((1 << 20) * y.scale));
  const xnn = requantMode() === 'fp32' && xnnAddSupported(a.scale, b.scale, y.scale);
  return {
    z1: a.zeroPoint, z2: b.zeroPoint, zo: y.zeroPoint,
    m1: q1.multiplier, s1: q1.shift, m2: q2.multiplier, s2: q2.shift, mo: qo.multiplier, so: qo.shift,
    x: xnn ? xnnAddParams(a.scale, b.scale, y.scale, a.zeroPoint, b.zeroPoint, sub) : null,
  };
}

/** Plan of one ADD or SUB node; `w`: how the wasm kernel runs it (int8 in XNNPACK's arithmetic), `f` (float32), or null. */
export interface AddSubPlan { p: BinaryPlan; q: AddSubQuant | null; w?: { swap: boolean; bn: number } | null; f?: BinF32Plan | null }

/** Shared prepare: float32, int32 or int8 operands, `act` the fused activation code. */
export function prepareAddSub(op: string, node: OpNode, act: number): AddSubPlan {
  const p = prepareBinary(op, node, act, 'float32', 'int8', 'int32');
  const q = p.dtype === 'int8' ? addSubQuant(op, node) : null;
  if (q?.x) [p.lo, p.hi] = xnnActRange(act, qparams(op, node, 'output', output(op, node, 0)).scale, q.zo);
  const shapes = [input(op, node, 0).shape, input(op, node, 1).shape, output(op, node, 0).shape] as const;
  const w = q?.x ? elementwisePlan(...shapes) : null;
  return { p, q, w, f: p.dtype === 'float32' ? binF32Plan(...shapes) : null };
}

/**
 * y = a + b (or a - b with `sub`), clamped to the activation range. One loop per op and
 * dtype class, chosen outside the loop, so each stays monomorphic and as fast as a dedicated one.
 * @example run(node, s) { runAddSub(node, s, true); }
 */
export function runAddSub(node: OpNode, { p, q, w, f }: AddSubPlan, sub: boolean): void {
  const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
  const y = node.outputs[0]!.data as Float32Array;
  const { n, ia, ib, lo, hi } = p;
  if (f && binaryF32(sub ? 1 : 0, a, b, y, f, lo, hi)) return;
  if (w && q?.x) {
    // the sum is symmetric in (a, ma) and (b, mb): the full-size operand goes first
    const { ma, mb, shift, bias } = q.x;
    const args = { ma: w.swap ? mb : ma, mb: w.swap ? ma : mb, shift, bias, zp: q.zo, lo, hi };
    const full = (w.swap ? b : a) as unknown as Int8Array, rep = (w.swap ? a : b) as unknown as Int8Array;
    if (qaddI8(full, rep, y as unknown as Int8Array, w.bn, args)) return;
  }
  if (q?.x) {
    // SUB is the same sum with b's multiplier negated
    const { ma, mb, shift, bias } = q.x, zo = q.zo;
    for (let i = 0; i < n; i++) {
      const v = ((bias + ma * a[ia ? ia[i]! : i]! + mb * b[ib ? ib[i]! : i]!) >> shift) + zo;
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
  } else if (q && !sub) {
    for (let i = 0; i < n; i++) {
      const x1 = mulQ((a[ia ? ia[i]! : i]! - q.z1) * 1048576, q.m1, q.s1);
      const x2 = mulQ((b[ib ? ib[i]! : i]! - q.z2) * 1048576, q.m2, q.s2);
      const v = mulQ(x1 + x2, q.mo, q.so) + q.zo;
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
  } else if (q) {
    for (let i = 0; i < n; i++) {
      const x1 = mulQ((a[ia ? ia[i]! : i]! - q.z1) * 1048576, q.m1, q.s1);
      const x2 = mulQ((b[ib ? ib[i]! : i]! - q.z2) * 1048576, q.m2, q.s2);
      const v = mulQ(x1 - x2, q.mo, q.so) + q.zo;
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
  } else if (!sub) {
    for (let i = 0; i < n; i++) {
      const v = a[ia ? ia[i]! : i]! + b[ib ? ib[i]! : i]!;
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = a[ia ? ia[i]! : i]! - b[ib ? ib[i]! : i]!;
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}
