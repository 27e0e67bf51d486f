/**
 * Shared prepare/run of elementwise unary ops. Float32 applies the op's function;
 * int8/uint8 use a 256-entry table built at prepare from the same function on
 * dequantized values, requantized into the output (TFLite's LUT kernels do the same).
 */
import type { LiteDType, OpNode, RtTensor } from '../op.js';
import { describe, expect, expectDType, input, numElements, output, qparams, setOutput } from './check.js';
import { qRange, roundHalfAway } from './quant.js';

/** Plan of one unary node. */
export interface UnaryPlan {
  n: number;
  /** Float function (float32 path). */
  f: (x: number) => number;
  /** int8 (index q + 128) or uint8 (index q) table; null for float32. */
  lut: Int16Array | null;
  offset: number;
}

/**
 * Quantizes a real value into `t`'s quantization (saturating; NaN gives the zero point).
 * @example quantizeValue(0.5, 0.25, 0, -128, 127) // 2
 */
export function quantizeValue(v: number, scale: number, zp: number, qmin: number, qmax: number): number {
  if (v !== v) return zp;
  const q = roundHalfAway(v / scale) + zp;
  return q < qmin ? qmin : q > qmax ? qmax : q;
}

/**
 * Checks the input is one of `dtypes`, gives the output the input's shape, and
 * builds the int8/uint8 table. `f` maps a real input to a real output.
 */
export function prepareUnary(op: string, node: OpNode, f: (x: number) => number,
  dtypes: LiteDType[] = ['float32', 'int8', 'uint8']): UnaryPlan {
  const x = input(op, node, 0), y = output(op, node, 0);
  expectDType(op, node, 'input 0', x, ...dtypes);
  setOutput(op, node, y, [...x.shape], x.dtype);
  const n = numElements(x.shape);
  if (x.dtype === 'float32') return { n, f, lut: null, offset: 0 };
  const xq = qparams(op, node, 'input 0', x), yq = qparams(op, node, 'output', y);
  const [qmin, qmax] = qRange(x.dtype);
  const lut = new Int16Array(256);
  for (let q = qmin; q <= qmax; q++) lut[q - qmin] = quantizeValue(f(xq.scale * (q - xq.zeroPoint)), yq.scale, yq.zeroPoint, qmin, qmax);
  return { n, f, lut, offset: -qmin };
}

/** Runs a unary plan (shared by the unary ops). */
export function runUnary(node: OpNode, p: UnaryPlan): void {
  const { n, lut } = p;
  if (lut) {
    const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array, off = p.offset;
    for (let i = 0; i < n; i++) y[i] = lut[x[i]! + off]!;
    return;
  }
  const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array, f = p.f;
  for (let i = 0; i < n; i++) y[i] = f(x[i]!);
}

/** Throws unless the given inputs and output 0 share scale and zero point (ops that move raw int8 values). */
export function sameQuant(op: string, node: OpNode, inputs: number[]): void {
  const y = output(op, node, 0);
  const yq = qparams(op, node, 'output', y);
  for (const i of inputs) {
    const t: RtTensor = input(op, node, i);
    const q = qparams(op, node, `input ${i}`, t);
    expect(op, node, Math.abs(q.scale - yq.scale) <= 1e-6 * yq.scale && q.zeroPoint === yq.zeroPoint,
      () => `${describe(`input ${i}`, t)} (scale ${q.scale}, zero point ${q.zeroPoint}) must share the output's quantization (${yq.scale}, ${yq.zeroPoint})`);
  }
}
