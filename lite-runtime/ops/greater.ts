/** GREATER: a > b elementwise with broadcasting, as bool; quantized inputs are rescaled as TFLite does. */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { cmpValue, prepareCompare, type ComparePlan } from './util/compare.js';

export const GREATER: OpDef<ComparePlan> = {
  code: BuiltinOp.GREATER,
  name: 'GREATER',
  prepare: (node) => prepareCompare('GREATER', node),
  run(node: OpNode, p: ComparePlan) {
    const a = node.inputs[0]!.data as Float32Array, b = node.inputs[1]!.data as Float32Array;
    const y = node.outputs[0]!.data as Uint8Array;
    const { n, ia, ib, q } = p;
    if (q) {
      for (let i = 0; i < n; i++) {
        y[i] = cmpValue(a, ia ? ia[i]! : i, q.za, q.ma, q.sa, true) > cmpValue(b, ib ? ib[i]! : i, q.zb, q.mb, q.sb, true) ? 1 : 0;
      }
      return;
    }
    for (let i = 0; i < n; i++) y[i] = a[ia ? ia[i]! : i]! > b[ib ? ib[i]! : i]! ? 1 : 0;
  },
};
