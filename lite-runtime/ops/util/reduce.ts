/** Shared prepare/run of the reductions MEAN and SUM over constant axes (ReducerOptions.keep_dims). */

import { ReducerOptions as F } from '../../format/schema.js';
import type { OpNode } from '../op.js';
import { constInts, expectDType, input, numElements, output, qparams, setOutput } from './check.js';
import { expectConst, normAxis } from './layout.js';
import { qRange } from './quant.js';
import { quantizeValue } from './unary.js';

/** Plan of one reduction node. */
export interface ReducePlan {
  /** Output element of each input element. */
  map: Int32Array;
  outN: number;
  /** Input elements per output element. */
  count: number;
  acc: Float64Array;
  quant: { si: number; zi: number; so: number; zo: number; qmin: number; qmax: number } | null;
}

/** Checks the node, sets the reduced output shape and builds the element map. */
export function prepareReduce(op: string, node: OpNode): ReducePlan {
  const x = input(op, node, 0), a = input(op, node, 1), y = output(op, node, 0);
  expectDType(op, node, 'input 0', x, 'float32', 'int8', 'uint8', 'int32');
  expectConst(op, node, 'axes', a);
  const r = x.shape.length;
  const axes = new Set(constInts(op, node, 'axes', a).map((v) => normAxis(op, node, v, r)));
  const keep = node.options ? node.options.bool(F.keep_dims, false) : false;
  const shape: number[] = [];
  x.shape.forEach((d, i) => { if (!axes.has(i)) shape.push(d); else if (keep) shape.push(1); });
  setOutput(op, node, y, shape, x.dtype);
  const n = numElements(x.shape), outN = numElements(shape);
  const map = new Int32Array(n), pos = new Array<number>(r).fill(0);
  const outStrides: number[] = new Array(r).fill(0);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) { if (!axes.has(i)) { outStrides[i] = s; s *= x.shape[i]!; } }
  for (let i = 0, o = 0; i < n; i++) {
    map[i] = o;
    for (let d = r - 1; d >= 0; d--) {
      pos[d]++; o += outStrides[d]!;
      if (pos[d]! < x.shape[d]!) break;
      o -= outStrides[d]! * x.shape[d]!; pos[d] = 0;
    }
  }
  let quant: ReducePlan['quant'] = null;
  if (x.dtype === 'int8' || x.dtype === 'uint8') {
    const xq = qparams(op, node, 'input 0', x), yq = qparams(op, node, 'output', y);
    const [qmin, qmax] = qRange(x.dtype);
    quant = { si: xq.scale, zi: xq.zeroPoint, so: yq.scale, zo: yq.zeroPoint, qmin, qmax };
  }
  return { map, outN, count: outN ? n / outN : 0, acc: new Float64Array(outN), quant };
}

/** How a reduction combines: SUM, MEAN, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD. */
export type ReduceKind = 'sum' | 'mean' | 'max' | 'min' | 'prod';

/** Reduces into the output; quantized inputs combine their real values and round into the output. */
export function runReduce(node: OpNode, p: ReducePlan, kind: ReduceKind): void {
  const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
  const { map, acc, quant, outN } = p;
  acc.fill(kind === 'max' ? -Infinity : kind === 'min' ? Infinity : kind === 'prod' ? 1 : 0);
  const z = quant ? quant.zi : 0;
  if (kind === 'sum' || kind === 'mean') {
    for (let i = 0; i < map.length; i++) acc[map[i]!] += x[i]! - z;
    if (quant) for (let o = 0; o < outN; o++) acc[o] *= quant.si;
  } else if (kind === 'max') {
    for (let i = 0; i < map.length; i++) { const v = x[i]!, o = map[i]!; if (v > acc[o]!) acc[o] = v; }
    if (quant) for (let o = 0; o < outN; o++) acc[o] = quant.si * (acc[o]! - z);
  } else if (kind === 'min') {
    for (let i = 0; i < map.length; i++) { const v = x[i]!, o = map[i]!; if (v < acc[o]!) acc[o] = v; }
    if (quant) for (let o = 0; o < outN; o++) acc[o] = quant.si * (acc[o]! - z);
  } else {
    const si = quant ? quant.si : 1;
    for (let i = 0; i < map.length; i++) acc[map[i]!] *= si * (x[i]! - z);
  }
  const div = kind === 'mean' ? p.count : 1, int = node.outputs[0]!.dtype === 'int32';
  for (let o = 0; o < outN; o++) {
    const v = acc[o]! / div;
    if (quant) y[o] = quantizeValue(v, quant.so, quant.zo, quant.qmin, quant.qmax);
    else y[o] = int ? (Number.isFinite(v) ? Math.trunc(v) | 0 : v > 0 ? 2147483647 : -2147483648) : v;
  }
}
