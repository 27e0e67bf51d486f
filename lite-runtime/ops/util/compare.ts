/**
 * Shared prepare and run of the comparisons (LESS, GREATER, EQUAL, ...): broadcast shape, bool
 * output, and for quantized inputs the affine maps that compare real values.
 */
import type { OpNode } from '../op.js';
import { broadcastIndex, broadcastShape } from './broadcast.js';
import { describe, expect, expectDType, input, numElements, output, qparams, setOutput } from './check.js';
import { mulQ, quantizeMultiplier } from './quant.js';

/**
 * Plan of one comparison node. Quantized inputs are compared as TFLite does: both
 * rescaled to a shared fixed-point scale, ((q - z) << 8) * (s / (2 * max(sa, sb))).
 */
export interface ComparePlan {
  n: number; ia: Int32Array | null; ib: Int32Array | null;
  q: { za: number; zb: number; ma: number; sa: number; mb: number; sb: number } | null;
}

/** Checks the inputs share a dtype, sets the bool output's broadcast shape. */
export function prepareCompare(op: string, node: OpNode): ComparePlan {
  const a = input(op, node, 0), b = input(op, node, 1);
  expectDType(op, node, 'input 0', a, 'float32', 'int32', 'int8', 'uint8', 'int16', 'bool');
  expect(op, node, a.dtype === b.dtype, () => `${describe('input 0', a)} and ${describe('input 1', b)} must share a dtype`);
  const shape = broadcastShape(op, node, a.shape, b.shape);
  setOutput(op, node, output(op, node, 0), shape, 'bool');
  let q: ComparePlan['q'] = null;
  if ((a.dtype === 'int8' || a.dtype === 'uint8' || a.dtype === 'int16') && a.quant && b.quant) {
    const qa = qparams(op, node, 'input 0', a), qb = qparams(op, node, 'input 1', b);
    const twiceMax = 2 * Math.max(qa.scale, qb.scale);
    const ma = quantizeMultiplier(qa.scale / twiceMax), mb = quantizeMultiplier(qb.scale / twiceMax);
    q = { za: qa.zeroPoint, zb: qb.zeroPoint, ma: ma.multiplier, sa: ma.shift, mb: mb.multiplier, sb: mb.shift };
  }
  return { n: numElements(shape), ia: broadcastIndex(a.shape, shape), ib: broadcastIndex(b.shape, shape), q };
}

/** The six comparisons, as codes for `runCompare`. */
export const CMP = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 } as const;
export type CompareOp = keyof typeof CMP;

type QuantMaps = NonNullable<ComparePlan['q']>;

// The quantized loops (inputs rescaled as TFLite: ((q - z) << 8) * m >> s), one function each, in CMP order,
// so that V8 optimizes each on its own and inlines mulQ (a rescaling helper between them measured 5-8% slower).
function qEq(a: Float32Array, b: Float32Array, y: Uint8Array, n: number, ia: Int32Array | null, ib: Int32Array | null, q: QuantMaps): void {
  for (let i = 0; i < n; i++) y[i] = mulQ((a[ia ? ia[i]! : i]! - q.za) * 256, q.ma, q.sa) === mulQ((b[ib ? ib[i]! : i]! - q.zb) * 256, q.mb, q.sb) ? 1 : 0;
}
function qNe(a: Float32Array, b: Float32Array, y: Uint8Array, n: number, ia: Int32Array | null, ib: Int32Array | null, q: QuantMaps): void {
  for (let i = 0; i < n; i++) y[i] = mulQ((a[ia ? ia[i]! : i]! - q.za) * 256, q.ma, q.sa) !== mulQ((b[ib ? ib[i]! : i]! - q.zb) * 256, q.mb, q.sb) ? 1 : 0;
}
function qLt(a: Float32Array, b: Float32Array, y: Uint8Array, n: number, ia: Int32Array | null, ib: Int32Array | null, q: QuantMaps): void {
  for (let i = 0; i < n; i++) y[i] = mulQ((a[ia ? ia[i]! : i]! - q.za) * 256, q.ma, q.sa) < mulQ((b[ib ? ib[i]! : i]! - q.zb) * 256, q.mb, q.sb) ? 1 : 0;
}
function qLe(a: Float32Array, b: Float32Array, y: Uint8Array, n: number, ia: Int32Array | null, ib: Int32Array | null, q: QuantMaps): void {
  for (let i = 0; i < n; i++) y[i] = mulQ((a[ia ? ia[i]! : i]! - q.za) * 256, q.ma, q.sa) <= mulQ((b[ib ? ib[i]! : i]! - q.zb) * 256, q.mb, q.sb) ? 1 : 0;
}
function qGt(a: Float32Array, b: Float32Array, y: Uint8Array, n: number, ia: Int32Array | null, ib: Int32Array | null, q: QuantMaps): void {
  for (let i = 0; i < n; i++) y[i] = mulQ((a[ia ? ia[i]! : i]! - q.za) * 256, q.ma, q.sa) > mulQ((b[ib ? ib[i]! : i]! - q.zb) * 256, q.mb, q.sb) ? 1 : 0;
}
function qGe(a: Float32Array, b: Float32Array, y: Uint8Array, n: number, ia: Int32Array | null, ib: Int32Array | null, q: QuantMaps): void {
  for (let i = 0; i < n; i++) y[i] = mulQ((a[ia ? ia[i]! : i]! - q.za) * 256, q.ma, q.sa) >= mulQ((b[ib ? ib[i]! : i]! - q.zb) * 256, q.mb, q.sb) ? 1 : 0;
}
const QUANT = [qEq, qNe, qLt, qLe, qGt, qGe] as const;

/**
 * Runs one comparison node: y[i] = a[i] (op) b[i] with broadcasting, as bool. One loop per
 * comparison and dtype class (chosen outside the loop); quantized inputs compare rescaled values.
 * @example run(node, p) { runCompare('lt', node, p); }
 */
export function runCompare(op: CompareOp, node: OpNode, p: ComparePlan): void {
  const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
  const y = node.outputs[0]!.data as Uint8Array;
  const { n, ia, ib, q } = p;
  if (q) return QUANT[CMP[op]](a, b, y, n, ia, ib, q);
  switch (CMP[op]) {
    case 0: for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! === b[ib ? ib[i]! : i]! ? 1 : 0; return;
    case 1: for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! !== b[ib ? ib[i]! : i]! ? 1 : 0; return;
    case 2: for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! < b[ib ? ib[i]! : i]! ? 1 : 0; return;
    case 3: for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! <= b[ib ? ib[i]! : i]! ? 1 : 0; return;
    case 4: for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! > b[ib ? ib[i]! : i]! ? 1 : 0; return;
    case 5: for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! >= b[ib ? ib[i]! : i]! ? 1 : 0; return;
  }
}
