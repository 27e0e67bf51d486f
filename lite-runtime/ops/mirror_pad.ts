/**
 * MIRROR_PAD with constant paddings (input 1): REFLECT (mode 0, the border not repeated,
 * pads up to dim - 1) or SYMMETRIC (mode 1, the border repeated, pads up to dim); any element type.
 * The copy is the kernels' pad.
 */
import { BuiltinOp, MirrorPadOptions as F } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, input, output, setOutput } from './util/check.js';
import { expectConst } from './util/layout.js';
import { pad } from '../kernels/shape-pad.js';

const OP = 'MIRROR_PAD';

export const MIRROR_PAD: LiteOp<{ shape: number[]; before: number[]; after: number[]; symmetric: boolean }> = {
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
    return { shape: [...x.shape], before: x.shape.map((_, i) => pads[2 * i]!), after: x.shape.map((_, i) => pads[2 * i + 1]!), symmetric: mode === 1 };
  },
  run(node, s) {
    pad(node.inputs[0]!.data as Float32Array, s.shape, s.before, s.after, s.symmetric ? 'symmetric' : 'reflect', 0, node.outputs[0]!.data as Float32Array);
  },
};
