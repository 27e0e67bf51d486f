/**
 * PAD with the constant `paddings` (input 1, [rank, 2]: before/after per dim);
 * fills 0, or the zero point for quantized tensors.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, input, output, setOutput } from './util/check.js';
import { affineMap, expectConst, gatherMap, zeroOf } from './util/layout.js';

const OP = 'PAD';

export const PAD: LiteOp<{ map: Int32Array; fill: number | bigint }> = {
  code: BuiltinOp.PAD,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), p = input(OP, node, 1), y = output(OP, node, 0);
    expectConst(OP, node, 'paddings', p);
    const pads = constInts(OP, node, 'paddings', p), r = x.shape.length;
    expect(OP, node, pads.length === 2 * r && pads.every((v) => v >= 0), () => `${describe('paddings', p)}: needs ${r}x2 non-negative values`);
    const shape = x.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
    setOutput(OP, node, y, shape, x.dtype);
    const start = x.shape.map((_, i) => -pads[2 * i]!);
    return { map: affineMap(shape, x.shape, start, new Array(r).fill(1)), fill: zeroOf(y) };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, s.fill);
  },
};
