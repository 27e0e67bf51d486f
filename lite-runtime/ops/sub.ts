/**
 * SUB (a - b) with broadcasting and a fused activation: float32, int32, and int8 with
 * TFLite's rescaling (inputs to a shared scale with a 2^20 headroom, then to the output).
 */
import { SubOptions as F, BuiltinOp } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { addSubQuant, type AddSubQuant } from './util/addsub.js';
import { prepareBinary, type BinaryPlan } from './util/binary.js';
import { mulQ } from './util/quant.js';

const OP = 'SUB';

interface State { p: BinaryPlan; q: AddSubQuant | null }

function run(node: OpNode, { p, q }: State): void {
  const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
  const y = node.outputs[0]!.data as Float32Array;
  const { n, ia, ib, lo, hi } = p;
  if (q) {
    for (let i = 0; i < n; i++) {
      const x1 = mulQ((a[ia ? ia[i]! : i]! - q.z1) * 1048576, q.m1, q.s1);
      const x2 = mulQ((b[ib ? ib[i]! : i]! - q.z2) * 1048576, q.m2, q.s2);
      const v = mulQ(x1 - x2, q.mo, q.so) + q.zo;
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = a[ia ? ia[i]! : i]! - b[ib ? ib[i]! : i]!;
    y[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

export const SUB: OpDef<State> = {
  code: BuiltinOp.SUB,
  name: OP,
  prepare(node) {
    const act = node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
    const p = prepareBinary(OP, node, act, 'float32', 'int8', 'int32');
    return { p, q: p.dtype === 'int8' ? addSubQuant(OP, node) : null };
  },
  run,
};
