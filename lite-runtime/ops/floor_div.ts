/** FLOOR_DIV: floor(a / b) with broadcasting; float32, int32 (a zero divisor is a KernelError at run). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { fail } from './util/check.js';

export const FLOOR_DIV: LiteOp<BinaryPlan> = {
  code: BuiltinOp.FLOOR_DIV,
  name: 'FLOOR_DIV',
  prepare: (node) => prepareBinary('FLOOR_DIV', node, 0, 'float32', 'int32'),
  run(node: OpNode, p: BinaryPlan) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
    const int = p.dtype === 'int32';
    for (let i = 0; i < p.n; i++) {
      const d = b[p.ib ? p.ib[i]! : i]!;
      if (int && d === 0) throw fail('FLOOR_DIV', node, `int32 division by zero at output element ${i}`);
      y[i] = Math.floor(a[p.ia ? p.ia[i]! : i]! / d);
    }
  },
};
