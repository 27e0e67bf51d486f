/** ARG_MIN over the constant axis (input 1); int32 or int64 output; the first minimum wins. */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { constInts, describe, expect, expectDType, input, output, setOutput } from './util/check.js';
import { expectConst, normAxis } from './util/layout.js';

const OP = 'ARG_MIN';

interface State { outer: number; dim: number; inner: number }

export const ARG_MIN: OpDef<State> = {
  code: BuiltinOp.ARG_MIN,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), a = input(OP, node, 1);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8', 'uint8', 'int16', 'int32');
    expectConst(OP, node, 'axis', a);
    const av = constInts(OP, node, 'axis', a);
    expect(OP, node, av.length === 1, () => `${describe('axis', a)}: must hold one value`);
    const axis = normAxis(OP, node, av[0]!, x.shape.length);
    expect(OP, node, x.shape[axis]! > 0, () => `${describe('input 0', x)}: cannot take the minimum over the empty dim ${axis}`);
    setOutput(OP, node, output(OP, node, 0), x.shape.filter((_, i) => i !== axis), 'int32', 'int64');
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    return { outer, dim: x.shape[axis]!, inner };
  },
  run(node: OpNode, { outer, dim, inner }: State) {
    const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data;
    const big = y instanceof BigInt64Array;
    for (let o = 0; o < outer; o++) for (let e = 0; e < inner; e++) {
      let best = 0, bv = x[o * dim * inner + e]!;
      for (let k = 1; k < dim; k++) { const v = x[(o * dim + k) * inner + e]!; if (v < bv) { bv = v; best = k; } }
      if (big) (y as BigInt64Array)[o * inner + e] = BigInt(best);
      else (y as Int32Array)[o * inner + e] = best;
    }
  },
};
