/**
 * LOG_SOFTMAX over the last axis: x - max - log(sum exp(x - max)). Int8/uint8 input
 * is computed on dequantized values and quantized into the output.
 */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { expectDType, expectRank, input, numElements, output, qparams, setOutput } from './util/check.js';
import { qRange } from './util/quant.js';
import { quantizeValue } from './util/unary.js';

const OP = 'LOG_SOFTMAX';

interface State { rows: number; depth: number; q: { si: number; zi: number; so: number; zo: number; qmin: number; qmax: number } | null }

export const LOG_SOFTMAX: OpDef<State> = {
  code: BuiltinOp.LOG_SOFTMAX,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), y = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8', 'uint8');
    expectRank(OP, node, 'input 0', x, 1, 6);
    setOutput(OP, node, y, [...x.shape], x.dtype);
    const depth = x.shape[x.shape.length - 1]!;
    const rows = depth ? numElements(x.shape) / depth : 0;
    if (x.dtype === 'float32') return { rows, depth, q: null };
    const xq = qparams(OP, node, 'input 0', x), yq = qparams(OP, node, 'output', y);
    const [qmin, qmax] = qRange(x.dtype);
    return { rows, depth, q: { si: xq.scale, zi: xq.zeroPoint, so: yq.scale, zo: yq.zeroPoint, qmin, qmax } };
  },
  run(node: OpNode, { rows, depth, q }: State) {
    const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
    const si = q ? q.si : 1;
    for (let r = 0, o = 0; r < rows; r++, o += depth) {
      let max = -Infinity;
      for (let i = o; i < o + depth; i++) if (x[i]! > max) max = x[i]!;
      let sum = 0;
      for (let i = o; i < o + depth; i++) sum += Math.exp(si * (x[i]! - max));
      const lse = Math.log(sum);
      for (let i = o; i < o + depth; i++) {
        const v = si * (x[i]! - max) - lse;
        y[i] = q ? quantizeValue(v, q.so, q.zo, q.qmin, q.qmax) : v;
      }
    }
  },
};
