/**
 * PADV2: PAD with the fill value given as input 2 (a one-element tensor of the input's
 * dtype; quantized tensors give the stored value), any element type. The copy is the kernels' pad.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { constInts, describe, expect, input, numElements, output, setOutput } from './util/check.js';
import { expectConst } from './util/layout.js';
import { pad } from '../kernels/shape-pad.js';

const OP = 'PADV2';

export const PADV2: LiteOp<{ shape: number[]; before: number[]; after: number[] }> = {
  code: BuiltinOp.PADV2,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), p = input(OP, node, 1), v = input(OP, node, 2);
    expectConst(OP, node, 'paddings', p);
    expect(OP, node, v.dtype === x.dtype && numElements(v.shape) === 1, () => `${describe('constant_values', v)}: must be one ${x.dtype} value`);
    const pads = constInts(OP, node, 'paddings', p), r = x.shape.length;
    expect(OP, node, pads.length === 2 * r && pads.every((d) => d >= 0), () => `${describe('paddings', p)}: needs ${r}x2 non-negative values`);
    const shape = x.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    return { shape: [...x.shape], before: x.shape.map((_, i) => pads[2 * i]!), after: x.shape.map((_, i) => pads[2 * i + 1]!) };
  },
  run(node: OpNode, s) {
    pad(node.inputs[0]!.data as Float32Array, s.shape, s.before, s.after, 'constant', (node.inputs[2]!.data as Float32Array)[0]!, node.outputs[0]!.data as Float32Array);
  },
};
