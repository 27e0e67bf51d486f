/**
 * L2_NORMALIZATION over the last axis: x / max(sqrt(sum x^2), 1e-6), as TFLite.
 * Int8/uint8 computes on dequantized values and quantizes into the output.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareRows, type RowsPlan } from './util/rows.js';
import { quantizeValue } from './util/unary.js';

const OP = 'L2_NORMALIZATION';

export const L2_NORMALIZATION: LiteOp<RowsPlan> = {
  code: BuiltinOp.L2_NORMALIZATION,
  name: OP,
  prepare: (node) => prepareRows(OP, node),
  run(node: OpNode, { rows, depth, q }: RowsPlan) {
    const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
    const si = q ? q.si : 1, zi = q ? q.zi : 0;
    for (let r = 0, o = 0; r < rows; r++, o += depth) {
      let ss = 0;
      for (let i = o; i < o + depth; i++) { const v = si * (x[i]! - zi); ss += v * v; }
      const inv = 1 / Math.max(Math.sqrt(ss), 1e-6);
      for (let i = o; i < o + depth; i++) {
        const v = si * (x[i]! - zi) * inv;
        y[i] = q ? quantizeValue(v, q.so, q.zo, q.qmin, q.qmax) : v;
      }
    }
  },
};
