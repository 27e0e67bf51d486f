/** Shared prepare of the float-math ops over the last axis (L2_NORMALIZATION, LOG_SOFTMAX). */
import type { OpNode } from '../op.js';
import { expectDType, expectRank, input, numElements, output, qparams, setOutput } from './check.js';
import { qRange } from './quant.js';

/**
 * Plan of one last-axis op: `rows` rows of `depth` values; for int8/uint8 the input and output
 * quantization, the op computing on dequantized values and rounding into the output.
 */
export interface RowsPlan { rows: number; depth: number; q: { si: number; zi: number; so: number; zo: number; qmin: number; qmax: number } | null }

/** Checks a float32/int8/uint8 input of rank 1..6, sets the output to its shape and dtype. */
export function prepareRows(op: string, node: OpNode): RowsPlan {
  const x = input(op, node, 0), y = output(op, node, 0);
  expectDType(op, node, 'input 0', x, 'float32', 'int8', 'uint8');
  expectRank(op, node, 'input 0', x, 1, 6);
  setOutput(op, node, y, [...x.shape], x.dtype);
  const depth = x.shape[x.shape.length - 1]!;
  const rows = depth ? numElements(x.shape) / depth : 0;
  if (x.dtype === 'float32') return { rows, depth, q: null };
  const xq = qparams(op, node, 'input 0', x), yq = qparams(op, node, 'output', y);
  const [qmin, qmax] = qRange(x.dtype);
  return { rows, depth, q: { si: xq.scale, zi: xq.zeroPoint, so: yq.scale, zo: yq.zeroPoint, qmin, qmax } };
}
