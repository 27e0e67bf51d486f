/**
 * SQUARED_DIFFERENCE: (a - b)^2 with broadcasting; float32, int32, and int8 computed on
 * dequantized values and rounded into the output quantization.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { input, output, qparams } from './util/check.js';
import { quantizeValue } from './util/unary.js';

const OP = 'SQUARED_DIFFERENCE';

interface State { p: BinaryPlan; q: { sa: number; za: number; sb: number; zb: number; sy: number; zy: number } | null }

export const SQUARED_DIFFERENCE: LiteOp<State> = {
  code: BuiltinOp.SQUARED_DIFFERENCE,
  name: OP,
  prepare(node) {
    const p = prepareBinary(OP, node, 0, 'float32', 'int8', 'int32');
    if (p.dtype !== 'int8') return { p, q: null };
    const a = qparams(OP, node, 'input 0', input(OP, node, 0)), b = qparams(OP, node, 'input 1', input(OP, node, 1));
    const y = qparams(OP, node, 'output', output(OP, node, 0));
    return { p, q: { sa: a.scale, za: a.zeroPoint, sb: b.scale, zb: b.zeroPoint, sy: y.scale, zy: y.zeroPoint } };
  },
  run(node: OpNode, { p, q }: State) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
    const y = node.outputs[0]!.data as Float32Array;
    const { n, ia, ib, lo, hi } = p;
    for (let i = 0; i < n; i++) {
      const x1 = a[ia ? ia[i]! : i]!, x2 = b[ib ? ib[i]! : i]!;
      if (q) {
        const d = q.sa * (x1 - q.za) - q.sb * (x2 - q.zb);
        y[i] = quantizeValue(d * d, q.sy, q.zy, lo, hi);
      } else {
        const d = x1 - x2, v = p.dtype === 'int32' ? Math.imul(d, d) : d * d;
        y[i] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  },
};
