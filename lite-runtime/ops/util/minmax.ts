/** Shared prepare and run of MAXIMUM and MINIMUM: float32, int32, and int8 sharing one quantization. */
import type { OpNode } from '../op.js';
import { prepareBinary, type BinaryPlan } from './binary.js';
import { sameQuant } from './unary.js';

/** Checks the operands (int8 ones must share the output's quantization), sets the broadcast shape. */
export function prepareMinMax(op: string, node: OpNode): BinaryPlan {
  const p = prepareBinary(op, node, 0, 'float32', 'int8', 'int32');
  if (p.dtype === 'int8') sameQuant(op, node, [0, 1]);
  return p;
}

/**
 * y = max(a, b) (`max`) or min(a, b) elementwise; NaN in a propagates. One loop per op, chosen
 * outside the loop.
 * @example run(node, p) { runMinMax(node, p, true); }
 */
export function runMinMax(node: OpNode, { n, ia, ib }: BinaryPlan, max: boolean): void {
  const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
  const y = node.outputs[0]!.data as Float32Array;
  if (max) {
    for (let i = 0; i < n; i++) {
      const x1 = a[ia ? ia[i]! : i]!, x2 = b[ib ? ib[i]! : i]!;
      y[i] = x1 > x2 || x1 !== x1 ? x1 : x2;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x1 = a[ia ? ia[i]! : i]!, x2 = b[ib ? ib[i]! : i]!;
      y[i] = x1 < x2 || x1 !== x1 ? x1 : x2;
    }
  }
}
