/** SPACE_TO_DEPTH (NHWC): b x b blocks of pixels become channels, [n,h,w,c] -> [n,h/b,w/b,c*b*b]; any element type. */
import { BuiltinOp, SpaceToDepthOptions as F } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { describe, expect, expectRank, input, output, setOutput } from './util/check.js';
import { gatherMap } from './util/layout.js';

const OP = 'SPACE_TO_DEPTH';

export const SPACE_TO_DEPTH: LiteOp<{ map: Int32Array }> = {
  code: BuiltinOp.SPACE_TO_DEPTH,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0);
    expectRank(OP, node, 'input 0', x, 4);
    const b = node.options ? node.options.i32(F.block_size, 0) : 0;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    expect(OP, node, b >= 1 && h % b === 0 && w % b === 0, () => `block_size ${b} must be >= 1 and divide ${describe('input 0', x)}'s height and width`);
    const oh = h / b, ow = w / b, oc = c * b * b;
    setOutput(OP, node, output(OP, node, 0), [n, oh, ow, oc], x.dtype);
    const map = new Int32Array(n * oh * ow * oc);
    let o = 0;
    for (let i = 0; i < n; i++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
      for (let by = 0; by < b; by++) for (let bx = 0; bx < b; bx++) for (let ch = 0; ch < c; ch++) {
        map[o++] = ((i * h + y * b + by) * w + xx * b + bx) * c + ch;
      }
    }
    return { map };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, 0);
  },
};
