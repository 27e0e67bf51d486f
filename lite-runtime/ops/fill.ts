/** FILL: a tensor of the constant shape (input 0) holding the one value of input 1, any element type. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { constInts, describe, expect, input, numElements, output, setOutput } from './util/check.js';
import { expectConst } from './util/layout.js';

const OP = 'FILL';

export const FILL: LiteOp<{ n: number }> = {
  code: BuiltinOp.FILL,
  name: OP,
  prepare(node) {
    const d = input(OP, node, 0), v = input(OP, node, 1);
    expectConst(OP, node, 'dims', d);
    const shape = constInts(OP, node, 'dims', d);
    expect(OP, node, shape.every((x) => Number.isInteger(x) && x >= 0), () => `${describe('dims', d)}: [${shape}] must be non-negative`);
    expect(OP, node, numElements(v.shape) === 1, () => `${describe('value', v)}: must hold one value`);
    setOutput(OP, node, output(OP, node, 0), shape, v.dtype);
    return { n: numElements(shape) };
  },
  run(node: OpNode, { n }) {
    const y = node.outputs[0]!.data as Float32Array, v = (node.inputs[1]!.data as Float32Array)[0]!;
    y.fill(v, 0, n);
  },
};
