/**
 * PRELU: x >= 0 ? x : alpha * x, alpha (input 1) broadcast against x; float32, and int8
 * computed on dequantized values and rounded into the output quantization.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { broadcastIndex, broadcastShape } from './util/broadcast.js';
import { describe, expect, expectDType, input, numElements, output, qparams, setOutput } from './util/check.js';
import { quantizeValue } from './util/unary.js';

const OP = 'PRELU';

interface State {
  n: number; ix: Int32Array | null; ia: Int32Array | null;
  q: { sx: number; zx: number; sa: number; za: number; sy: number; zy: number } | null;
}

export const PRELU: LiteOp<State> = {
  code: BuiltinOp.PRELU,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), a = input(OP, node, 1), y = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8');
    expect(OP, node, a.dtype === x.dtype, () => `${describe('alpha', a)} must share the input's dtype ${x.dtype}`);
    const shape = broadcastShape(OP, node, x.shape, a.shape);
    setOutput(OP, node, y, shape, x.dtype);
    const base = { n: numElements(shape), ix: broadcastIndex(x.shape, shape), ia: broadcastIndex(a.shape, shape) };
    if (x.dtype === 'float32') return { ...base, q: null };
    const qx = qparams(OP, node, 'input 0', x), qa = qparams(OP, node, 'alpha', a), qy = qparams(OP, node, 'output', y);
    return { ...base, q: { sx: qx.scale, zx: qx.zeroPoint, sa: qa.scale, za: qa.zeroPoint, sy: qy.scale, zy: qy.zeroPoint } };
  },
  run(node: OpNode, { n, ix, ia, q }: State) {
    const x = node.inputs[0]!.data as Float32Array, a = node.inputs[1]!.data as Float32Array;
    const y = node.outputs[0]!.data as Float32Array;
    for (let i = 0; i < n; i++) {
      const xv = x[ix ? ix[i]! : i]!, av = a[ia ? ia[i]! : i]!;
      if (q) {
        const r = q.sx * (xv - q.zx);
        y[i] = quantizeValue(r >= 0 ? r : q.sa * (av - q.za) * r, q.sy, q.zy, -128, 127);
      } else {
        y[i] = xv >= 0 ? xv : av * xv;
      }
    }
  },
};
