/**
 * PAD with the constant `paddings` (input 1, [rank, 2]: before/after per dim);
 * fills 0, or the zero point for quantized tensors. The copy is the kernels' pad.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, input, output, setOutput } from './util/check.js';
import { expectConst, zeroOf } from './util/layout.js';
import { pad } from '../kernels/shape-pad.js';

const OP = 'PAD';

export const PAD: LiteOp<{ shape: number[]; before: number[]; after: number[]; fill: number | bigint }> = {
  code: BuiltinOp.PAD,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), p = input(OP, node, 1), y = output(OP, node, 0);
    expectConst(OP, node, 'paddings', p);
    const pads = constInts(OP, node, 'paddings', p), r = x.shape.length;
    expect(OP, node, pads.length === 2 * r && pads.every((v) => v >= 0), () => `${describe('paddings', p)}: needs ${r}x2 non-negative values`);
    const shape = x.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
    setOutput(OP, node, y, shape, x.dtype);
    return { shape: [...x.shape], before: x.shape.map((_, i) => pads[2 * i]!), after: x.shape.map((_, i) => pads[2 * i + 1]!), fill: zeroOf(y) };
  },
  run(node, s) {
    // fill: a bigint for int64 tensors
    pad(node.inputs[0]!.data as Float32Array, s.shape, s.before, s.after, 'constant', s.fill as number, node.outputs[0]!.data as Float32Array);
  },
};
