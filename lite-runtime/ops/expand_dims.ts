/** EXPAND_DIMS: inserts a size-1 dim at the constant `axis` (input 1; negative counts from the end). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, fail, input, numElements, output, setOutput } from './util/check.js';
import { copyElements } from './util/copy.js';
import { expectConst } from './util/layout.js';

const OP = 'EXPAND_DIMS';

export const EXPAND_DIMS: LiteOp<{ n: number }> = {
  code: BuiltinOp.EXPAND_DIMS,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), a = input(OP, node, 1);
    expectConst(OP, node, 'axis', a);
    const v = constInts(OP, node, 'axis', a);
    expect(OP, node, v.length === 1, () => `${describe('axis', a)}: must hold one value`);
    const r = x.shape.length;
    let axis = v[0]!;
    if (axis < 0) axis += r + 1;
    if (axis < 0 || axis > r) throw fail(OP, node, `axis ${v[0]} is out of range for rank ${r}`);
    const shape = [...x.shape];
    shape.splice(axis, 0, 1);
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    return { n: numElements(x.shape) };
  },
  run(node, s) {
    copyElements(node.inputs[0]!.data, node.outputs[0]!.data, s.n);
  },
};
