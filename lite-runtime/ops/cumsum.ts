/** CUMSUM along the constant axis (input 1), CumsumOptions exclusive / reverse; float32 and int32 (the kernels' cumsumAxis). */
import { BuiltinOp, CumsumOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { constInts, describe, expect, expectDType, input, output, setOutput } from './util/check.js';
import { expectConst, normAxis } from './util/layout.js';
import { cumsumAxis } from '../kernels/math-cumsum.js';

const OP = 'CUMSUM';

interface State { outer: number; dim: number; inner: number; exclusive: boolean; reverse: boolean }

export const CUMSUM: LiteOp<State> = {
  code: BuiltinOp.CUMSUM,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), a = input(OP, node, 1);
    expectDType(OP, node, 'input 0', x, 'float32', 'int32');
    expectConst(OP, node, 'axis', a);
    const av = constInts(OP, node, 'axis', a);
    expect(OP, node, av.length === 1, () => `${describe('axis', a)}: must hold one value`);
    const axis = normAxis(OP, node, av[0]!, x.shape.length);
    setOutput(OP, node, output(OP, node, 0), [...x.shape], x.dtype);
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    const o = node.options;
    return { outer, dim: x.shape[axis]!, inner, exclusive: o ? o.bool(F.exclusive, false) : false, reverse: o ? o.bool(F.reverse, false) : false };
  },
  run(node: OpNode, s: State) {
    cumsumAxis(node.inputs[0]!.data as Float32Array, node.outputs[0]!.data as Float32Array, s.outer, s.dim, s.inner, s.reverse, s.exclusive);
  },
};
