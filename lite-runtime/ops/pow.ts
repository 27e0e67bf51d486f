/** POW: a^b with broadcasting; float32 (Math.pow), int32 (integer power, b >= 0, else a KernelError at run). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { fail } from './util/check.js';

const OP = 'POW';

export const POW: LiteOp<BinaryPlan> = {
  code: BuiltinOp.POW,
  name: OP,
  prepare: (node) => prepareBinary(OP, node, 0, 'float32', 'int32'),
  run(node: OpNode, p: BinaryPlan) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
    const y = node.outputs[0]!.data as Float32Array;
    const { n, ia, ib } = p;
    const int = p.dtype === 'int32';
    for (let i = 0; i < n; i++) {
      const x1 = a[ia ? ia[i]! : i]!, x2 = b[ib ? ib[i]! : i]!;
      if (!int) { y[i] = Math.pow(x1, x2); continue; }
      if (x2 < 0) throw fail(OP, node, `int32 exponent ${x2} at element ${i} must be >= 0`);
      let r = 1, base = x1, e = x2;
      while (e > 0) { if (e & 1) r = Math.imul(r, base); base = Math.imul(base, base); e >>>= 1; }
      y[i] = r;
    }
  },
};
