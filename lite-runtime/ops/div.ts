/**
 * DIV with broadcasting and a fused activation: float32; int32 (truncating, a zero
 * divisor is a KernelError at run); int8 computed on dequantized values and requantized.
 */
import { BuiltinOp, DivOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { fail, input, output, qparams } from './util/check.js';
import { roundHalfAway } from './util/quant.js';

const OP = 'DIV';

interface State { p: BinaryPlan; sa: number; za: number; sb: number; zb: number; sy: number; zy: number }

export const DIV: LiteOp<State> = {
  code: BuiltinOp.DIV,
  name: OP,
  prepare(node) {
    const act = node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
    const p = prepareBinary(OP, node, act, 'float32', 'int8', 'int32');
    if (p.dtype !== 'int8') return { p, sa: 1, za: 0, sb: 1, zb: 0, sy: 1, zy: 0 };
    const a = qparams(OP, node, 'input 0', input(OP, node, 0)), b = qparams(OP, node, 'input 1', input(OP, node, 1));
    const y = qparams(OP, node, 'output', output(OP, node, 0));
    return { p, sa: a.scale, za: a.zeroPoint, sb: b.scale, zb: b.zeroPoint, sy: y.scale, zy: y.zeroPoint };
  },
  run(node: OpNode, s: State) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
    const y = node.outputs[0]!.data as Float32Array;
    const { n, ia, ib, lo, hi, dtype } = s.p;
    if (dtype === 'float32') {
      for (let i = 0; i < n; i++) {
        const v = a[ia ? ia[i]! : i]! / b[ib ? ib[i]! : i]!;
        y[i] = v < lo ? lo : v > hi ? hi : v;
      }
    } else if (dtype === 'int32') {
      for (let i = 0; i < n; i++) {
        const d = b[ib ? ib[i]! : i]!;
        if (d === 0) throw fail(OP, node, `int32 division by zero at output element ${i}`);
        y[i] = Math.trunc(a[ia ? ia[i]! : i]! / d) | 0;
      }
    } else {
      const k = s.sa / (s.sb * s.sy);
      for (let i = 0; i < n; i++) {
        const d = b[ib ? ib[i]! : i]! - s.zb;
        const r = d === 0 ? ((a[ia ? ia[i]! : i]! - s.za) >= 0 ? hi : lo) : roundHalfAway(((a[ia ? ia[i]! : i]! - s.za) * k) / d) + s.zy;
        y[i] = r < lo ? lo : r > hi ? hi : r;
      }
    }
  },
};
