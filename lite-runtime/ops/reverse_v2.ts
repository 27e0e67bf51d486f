/** REVERSE_V2: reverses the constant axes (input 1), any element type. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, input, output, setOutput } from './util/check.js';
import { expectConst, normAxis, runStrided, strided, stridesOf, type StridedPlan } from './util/layout.js';

const OP = 'REVERSE_V2';

export const REVERSE_V2: LiteOp<StridedPlan> = {
  code: BuiltinOp.REVERSE_V2,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), a = input(OP, node, 1);
    expectConst(OP, node, 'axes', a);
    const axes = new Set(constInts(OP, node, 'axes', a).map((v) => normAxis(OP, node, v, x.shape.length)));
    setOutput(OP, node, output(OP, node, 0), [...x.shape], x.dtype);
    const start = x.shape.map((d, i) => (axes.has(i) ? d - 1 : 0)), step = x.shape.map((_, i) => (axes.has(i) ? -1 : 1));
    return strided([...x.shape], start, step, stridesOf(x.shape));
  },
  run: runStrided,
};
