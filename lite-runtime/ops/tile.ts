/** TILE: repeats the input `multiples[d]` times along each dim (input 1, constant), any element type. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, input, numElements, output, setOutput } from './util/check.js';
import { expectConst, gatherMap, stridesOf } from './util/layout.js';

const OP = 'TILE';

export const TILE: LiteOp<{ map: Int32Array }> = {
  code: BuiltinOp.TILE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), m = input(OP, node, 1);
    expectConst(OP, node, 'multiples', m);
    const mult = constInts(OP, node, 'multiples', m), r = x.shape.length;
    expect(OP, node, mult.length === r && mult.every((v) => Number.isInteger(v) && v >= 0),
      () => `${describe('multiples', m)}: needs ${r} non-negative values, got [${mult}]`);
    const shape = x.shape.map((d, i) => d * mult[i]!);
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    const n = numElements(shape), st = stridesOf(x.shape), map = new Int32Array(n), pos = new Array<number>(r).fill(0);
    for (let i = 0; i < n; i++) {
      let src = 0;
      for (let d = 0; d < r; d++) src += (pos[d]! % x.shape[d]!) * st[d]!;
      map[i] = src;
      for (let d = r - 1; d >= 0; d--) { if (++pos[d]! < shape[d]!) break; pos[d] = 0; }
    }
    return { map };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, 0);
  },
};
