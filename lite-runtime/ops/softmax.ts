/**
 * SOFTMAX over the last axis: y = exp(beta*(x - max)) / sum (float32: the wasm kernel, else softmaxAxis). Int8 input
 * (output int8 or int16) uses a 256-entry table of exp(beta*scale*d), d = x - max,
 * built at prepare, and rounds each probability into the output quantization.
 */
import { BuiltinOp, SoftmaxOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { expect, expectDType, expectRank, input, numElements, output, qparams, setOutput } from './util/check.js';
import { qRange, roundHalfAway } from './util/quant.js';
import { softmaxAxis } from '../kernels/math-softmax.js';
import { softmaxF32 } from '../kernels/elementwise.js';

const OP = 'SOFTMAX';

interface State {
  rows: number; depth: number; beta: number; quant: boolean;
  table: Float64Array; outScale: number; outZp: number; qmin: number; qmax: number;
}

export const SOFTMAX: LiteOp<State> = {
  code: BuiltinOp.SOFTMAX,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), y = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8');
    expectRank(OP, node, 'input 0', x, 1, 6);
    const beta = node.options ? node.options.f32(F.beta, 1) : 1;
    const depth = x.shape[x.shape.length - 1]!;
    const rows = depth > 0 ? numElements(x.shape) / depth : 0;
    if (x.dtype === 'float32') {
      setOutput(OP, node, y, [...x.shape], 'float32');
      return { rows, depth, beta, quant: false, table: new Float64Array(0), outScale: 1, outZp: 0, qmin: 0, qmax: 0 };
    }
    setOutput(OP, node, y, [...x.shape], 'int8', 'int16');
    const xq = qparams(OP, node, 'input 0', x), yq = qparams(OP, node, 'output', y);
    const table = new Float64Array(256);
    for (let d = 0; d < 256; d++) table[d] = Math.exp(beta * xq.scale * (d - 255));
    const [qmin, qmax] = qRange(y.dtype);
    expect(OP, node, Number.isFinite(beta), () => `beta must be finite, got ${beta}`);
    return { rows, depth, beta, quant: true, table, outScale: yq.scale, outZp: yq.zeroPoint, qmin, qmax };
  },
  run(node: OpNode, s: State) {
    const { rows, depth } = s;
    if (!s.quant) {
      const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
      if (!softmaxF32(x, y, rows, depth, s.beta)) softmaxAxis(x, y, rows, depth, 1, false, s.beta);
      return;
    }
    const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array | Int16Array;
    const { table, outScale, outZp, qmin, qmax } = s;
    for (let r = 0, o = 0; r < rows; r++, o += depth) {
      let max = -128;
      for (let i = o; i < o + depth; i++) if (x[i]! > max) max = x[i]!;
      let sum = 0;
      for (let i = o; i < o + depth; i++) sum += table[x[i]! - max + 255]!;
      const k = 1 / (sum * outScale);
      for (let i = o; i < o + depth; i++) {
        const v = roundHalfAway(table[x[i]! - max + 255]! * k) + outZp;
        y[i] = v < qmin ? qmin : v > qmax ? qmax : v;
      }
    }
  },
};
