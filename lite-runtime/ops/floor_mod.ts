/** FLOOR_MOD: a - floor(a / b) * b (the result takes b's sign) with broadcasting; float32, int32 (zero divisor: KernelError at run). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { fail } from './util/check.js';

export const FLOOR_MOD: LiteOp<BinaryPlan> = {
  code: BuiltinOp.FLOOR_MOD,
  name: 'FLOOR_MOD',
  prepare: (node) => prepareBinary('FLOOR_MOD', node, 0, 'float32', 'int32'),
  run(node: OpNode, p: BinaryPlan) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
    const int = p.dtype === 'int32';
    for (let i = 0; i < p.n; i++) {
      const x = a[p.ia ? p.ia[i]! : i]!, d = b[p.ib ? p.ib[i]! : i]!;
      if (int && d === 0) throw fail('FLOOR_MOD', node, `int32 division by zero at output element ${i}`);
      const r = x % d;
      y[i] = r !== 0 && (r < 0) !== (d < 0) ? r + d : r;
    }
  },
};
