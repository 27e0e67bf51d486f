/** BROADCAST_TO the constant shape (input 1), NumPy rules; any element type. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { broadcastIndex, broadcastShape } from './util/broadcast.js';
import { constInts, describe, expect, input, numElements, output, setOutput } from './util/check.js';
import { expectConst, gatherMap } from './util/layout.js';

const OP = 'BROADCAST_TO';

export const BROADCAST_TO: LiteOp<{ map: Int32Array }> = {
  code: BuiltinOp.BROADCAST_TO,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), s = input(OP, node, 1);
    expectConst(OP, node, 'shape', s);
    const shape = constInts(OP, node, 'shape', s);
    expect(OP, node, shape.every((d) => Number.isInteger(d) && d >= 0) && shape.length >= x.shape.length,
      () => `${describe('shape', s)}: [${shape}] cannot hold ${describe('input 0', x)}`);
    const out = broadcastShape(OP, node, x.shape, shape);
    expect(OP, node, out.every((d, i) => d === shape[i]), () => `${describe('input 0', x)} does not broadcast to [${shape}]`);
    setOutput(OP, node, output(OP, node, 0), out, x.dtype);
    const map = broadcastIndex(x.shape, out) ?? Int32Array.from({ length: numElements(out) }, (_, i) => i);
    return { map };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, 0);
  },
};
