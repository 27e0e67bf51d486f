/** Shared prepare/run of the reductions SUM, MEAN, REDUCE_MAX, REDUCE_MIN and REDUCE_PROD over constant axes (ReducerOptions.keep_dims). */

import { ReducerOptions as F } from '../../format/schema.js';
import type { OpNode } from '../op.js';
import { constInts, expectDType, input, numElements, output, qparams, setOutput } from './check.js';
import { expectConst, normAxis } from './layout.js';
import { qRange } from './quant.js';
import { quantizeValue } from './unary.js';
import { axisView, prodAxis, sumAxis } from '../../kernels/math-reduce.js';

/** Plan of one reduction node. */
export interface ReducePlan {
  /** The input's shape and the reduced dims (sorted): an [outer, n, inner] view of it (kernels' axisView). */
  shape: number[];
  dims: number[];
  outN: number;
  /** Input elements per output element. */
  count: number;
  acc: Float64Array;
  /** REDUCE_PROD of quantized input: its dequantized values (prodAxis multiplies real values). */
  real: Float64Array | null;
  quant: { si: number; zi: number; so: number; zo: number; qmin: number; qmax: number } | null;
}

/** Checks the node and sets the reduced output shape. */
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
  let quant: ReducePlan['quant'] = null;
  if (x.dtype === 'int8' || x.dtype === 'uint8') {
    const xq = qparams(op, node, 'input 0', x), yq = qparams(op, node, 'output', y);
    const [qmin, qmax] = qRange(x.dtype);
    quant = { si: xq.scale, zi: xq.zeroPoint, so: yq.scale, zo: yq.zeroPoint, qmin, qmax };
  }
  return {
    shape: [...x.shape], dims: [...axes].sort((p, q) => p - q), outN, count: outN ? n / outN : 0,
    acc: new Float64Array(outN), real: quant && op === 'REDUCE_PROD' ? new Float64Array(n) : null, quant,
  };
}

/** How a reduction combines: SUM, MEAN, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD. */
export type ReduceKind = 'sum' | 'mean' | 'max' | 'min' | 'prod';

/**
 * Reduces into the output; quantized inputs combine their real values and round into the output.
 * SUM, MEAN and REDUCE_PROD are the kernels' sumAxis / prodAxis; REDUCE_MAX/MIN skip NaN as
 * TFLite's reducers do (training's max/min propagate it, as PyTorch's).
 */
export function runReduce(node: OpNode, p: ReducePlan, kind: ReduceKind): void {
  const y = node.outputs[0]!.data as Float32Array;
  const { acc, quant, outN, real } = p;
  const { data: x, outer, n, inner } = axisView(node.inputs[0]!.data as Float32Array, p.shape, p.dims);
  const z = quant ? quant.zi : 0, si = quant ? quant.si : 1;
  if (kind === 'sum' || kind === 'mean') {
    sumAxis(x, outer, n, inner, acc);
    if (quant) for (let o = 0; o < outN; o++) acc[o] = (acc[o]! - z * n) * si;
  } else if (kind === 'prod') {
    if (real) for (let i = 0; i < real.length; i++) real[i] = si * (x[i]! - z);
    prodAxis(real ?? x, outer, n, inner, acc);
  } else {
    const max = kind === 'max';
    acc.fill(max ? -Infinity : Infinity);
    for (let o = 0, k = 0; o < outer; o++) {
      for (let j = 0; j < n; j++) {
        for (let i = 0, r = o * inner; i < inner; i++, r++, k++) {
          const v = x[k]!;
          if (max ? v > acc[r]! : v < acc[r]!) acc[r] = v;
        }
      }
    }
    if (quant) for (let o = 0; o < outN; o++) acc[o] = si * (acc[o]! - z);
  }
  const div = kind === 'mean' ? p.count : 1, int = node.outputs[0]!.dtype === 'int32';
  for (let o = 0; o < outN; o++) {
    const v = acc[o]! / div;
    if (quant) y[o] = quantizeValue(v, quant.so, quant.zo, quant.qmin, quant.qmax);
    else y[o] = int ? (Number.isFinite(v) ? Math.trunc(v) | 0 : v > 0 ? 2147483647 : -2147483648) : v;
  }
}
