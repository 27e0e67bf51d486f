/** MAXIMUM (elementwise, broadcasting): float32, int32, and int8 (inputs and output share quantization). */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { sameQuant } from './util/unary.js';

const OP = 'MAXIMUM';

export const MAXIMUM: OpDef<BinaryPlan> = {
  code: BuiltinOp.MAXIMUM,
  name: OP,
  prepare(node) {
    const p = prepareBinary(OP, node, 0, 'float32', 'int8', 'int32');
    if (p.dtype === 'int8') sameQuant(OP, node, [0, 1]);
    return p;
  },
  run(node: OpNode, { n, ia, ib }: BinaryPlan) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
    const y = node.outputs[0]!.data as Float32Array;
    for (let i = 0; i < n; i++) {
      const x1 = a[ia ? ia[i]! : i]!, x2 = b[ib ? ib[i]! : i]!;
      y[i] = x1 > x2 || x1 !== x1 ? x1 : x2;
    }
  },
};
