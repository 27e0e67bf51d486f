/**
 * LOG_SOFTMAX over the last axis: x - max - log(sum exp(x - max)) (float32: the kernels'
 * softmaxAxis). Int8/uint8 input is computed on dequantized values and quantized into the output.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareRows, type RowsPlan } from './util/rows.js';
import { quantizeValue } from './util/unary.js';
import { softmaxAxis } from '../kernels/math-softmax.js';

const OP = 'LOG_SOFTMAX';

export const LOG_SOFTMAX: LiteOp<RowsPlan> = {
  code: BuiltinOp.LOG_SOFTMAX,
  name: OP,
  prepare: (node) => prepareRows(OP, node),
  run(node: OpNode, { rows, depth, q }: RowsPlan) {
    const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
    if (!q) { softmaxAxis(x, y, rows, depth, 1, true); return; }
    const si = q.si;
    for (let r = 0, o = 0; r < rows; r++, o += depth) {
      let max = -Infinity;
      for (let i = o; i < o + depth; i++) if (x[i]! > max) max = x[i]!;
      let sum = 0;
      for (let i = o; i < o + depth; i++) sum += Math.exp(si * (x[i]! - max));
      const lse = Math.log(sum);
      for (let i = o; i < o + depth; i++) {
        const v = si * (x[i]! - max) - lse;
        y[i] = quantizeValue(v, q.so, q.zo, q.qmin, q.qmax);
      }
    }
  },
};
