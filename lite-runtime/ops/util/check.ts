/** Prepare-time checks shared by the ops: each failure is a KernelError naming op, node and tensor. */

import { KernelError, fmtShape } from '../../format/errors.js';
import type { LiteDType, OpNode, RtTensor } from '../op.js';

/** Builds a KernelError for `op` at `node`. */
export function fail(op: string, node: OpNode, detail: string): KernelError {
  return new KernelError(op, node.index, detail);
}

/** Describes a tensor for messages: `input 0 'x' [1,8] int8`. */
export function describe(role: string, t: RtTensor): string {
  return `${role} '${t.name}' ${fmtShape(t.shape)} ${t.dtype}`;
}

/**
 * Input `i` of `node`, throwing when it is absent (or optional and missing).
 * @example const x = input('CONV_2D', node, 0);
 */
export function input(op: string, node: OpNode, i: number): RtTensor {
  const t = node.inputs[i];
  if (!t) throw fail(op, node, `needs input ${i}, node has ${node.inputs.length} input(s)${i < node.inputs.length ? ' and it is missing' : ''}`);
  return t;
}

/** Optional input `i` (null when absent). */
export function optInput(node: OpNode, i: number): RtTensor | null {
  return node.inputs[i] ?? null;
}

/** Output `i` of `node`, throwing when absent. */
export function output(op: string, node: OpNode, i: number): RtTensor {
  const t = node.outputs[i];
  if (!t) throw fail(op, node, `needs output ${i}, node has ${node.outputs.length} output(s)`);
  return t;
}

/** Throws unless `t.dtype` is one of `dtypes`. */
export function expectDType(op: string, node: OpNode, role: string, t: RtTensor, ...dtypes: LiteDType[]): void {
  if (!dtypes.includes(t.dtype)) {
    throw fail(op, node, `${describe(role, t)}: dtype must be ${dtypes.join(' or ')}`);
  }
}

/** Throws unless the rank of `t` is in [min, max]. */
export function expectRank(op: string, node: OpNode, role: string, t: RtTensor, min: number, max = min): void {
  const r = t.shape.length;
  if (r < min || r > max) {
    throw fail(op, node, `${describe(role, t)}: rank must be ${min === max ? min : `${min}..${max}`}, got ${r}`);
  }
}

/** Throws unless `cond`; `detail` is only built on failure. */
export function expect(op: string, node: OpNode, cond: boolean, detail: () => string): asserts cond {
  if (!cond) throw fail(op, node, detail());
}

const ZP_RANGE: Partial<Record<LiteDType, [number, number]>> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

/** Per-tensor scale and zero point of a quantized tensor, throwing when it has none. */
export function qparams(op: string, node: OpNode, role: string, t: RtTensor): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length === 0) throw fail(op, node, `${describe(role, t)}: quantized tensor needs a scale and zero point`);
  const scale = q.scale[0]!;
  if (!(scale > 0) || !Number.isFinite(scale)) throw fail(op, node, `${describe(role, t)}: scale must be a positive finite number, got ${scale}`);
  const zeroPoint = q.zeroPoint.length ? q.zeroPoint[0]! : 0;
  const range = ZP_RANGE[t.dtype];
  if (range && !(zeroPoint >= range[0] && zeroPoint <= range[1])) {
    throw fail(op, node, `${describe(role, t)}: zero point ${zeroPoint} is outside the ${t.dtype} range [${range[0]}, ${range[1]}]`);
  }
  return { scale, zeroPoint };
}

/** Element count of a shape. */
export function numElements(shape: ReadonlyArray<number>): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Same dims? */
export function sameShape(a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Sets the output's shape, checking the model gave it one of `dtypes`; returns the output. */
export function setOutput(op: string, node: OpNode, t: RtTensor, shape: number[], ...dtypes: LiteDType[]): RtTensor {
  if (dtypes.length && !dtypes.includes(t.dtype)) {
    throw fail(op, node, `${describe('output', t)}: dtype must be ${dtypes.join(' or ')}`);
  }
  t.shape = shape;
  return t;
}

/** Reads an int32/int64 constant tensor as numbers (shape operands, axes). */
export function constInts(op: string, node: OpNode, role: string, t: RtTensor): number[] {
  if (t.dtype !== 'int32' && t.dtype !== 'int64') throw fail(op, node, `${describe(role, t)}: must be int32 or int64`);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
