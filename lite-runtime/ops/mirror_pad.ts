/**
 * MIRROR_PAD with constant paddings (input 1): REFLECT (mode 0, the border not repeated,
 * pads up to dim - 1) or SYMMETRIC (mode 1, the border repeated, pads up to dim); any element type.
 */
import { BuiltinOp, MirrorPadOptions as F } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, input, numElements, output, setOutput } from './util/check.js';
import { expectConst, gatherMap, stridesOf } from './util/layout.js';

const OP = 'MIRROR_PAD';

export const MIRROR_PAD: LiteOp<{ map: Int32Array }> = {
  code: BuiltinOp.MIRROR_PAD,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), p = input(OP, node, 1);
    expectConst(OP, node, 'paddings', p);
    const mode = node.options ? node.options.i8(F.mode, 0) : 0;
    expect(OP, node, mode === 0 || mode === 1, () => `mode must be REFLECT (0) or SYMMETRIC (1), got ${mode}`);
    const pads = constInts(OP, node, 'paddings', p), r = x.shape.length, limit = mode === 0 ? 1 : 0;
    expect(OP, node, pads.length === 2 * r && pads.every((d, i) => d >= 0 && d <= x.shape[i >> 1]! - limit),
      () => `${describe('paddings', p)}: needs ${r}x2 values in [0, dim${limit ? ' - 1' : ''}] for ${describe('input 0', x)}`);
    const shape = x.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    const n = numElements(shape), st = stridesOf(x.shape), map = new Int32Array(n), pos = new Array<number>(r).fill(0);
    for (let i = 0; i < n; i++) {
      let src = 0;
      for (let d = 0; d < r; d++) {
        const len = x.shape[d]!;
        let k = pos[d]! - pads[2 * d]!;
        if (k < 0) k = mode === 0 ? -k : -k - 1;
        else if (k >= len) k = mode === 0 ? 2 * len - 2 - k : 2 * len - 1 - k;
        src += k * st[d]!;
      }
      map[i] = src;
      for (let d = r - 1; d >= 0; d--) { if (++pos[d]! < shape[d]!) break; pos[d] = 0; }
    }
    return { map };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, 0);
  },
};
