/**
 * SPACE_TO_BATCH_ND (NHWC, 2 spatial dims): pads by the constant `paddings` (input 2, [2,2])
 * and moves each block_shape (input 1) tile position into the batch, as TensorFlow:
 * out[(by*bw + bx)*n + b, y, x, c] = padded[b, y*bh + by, x*bw + bx, c]; padding is 0 (the zero point when quantized).
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, expectRank, input, output, setOutput } from './util/check.js';
import { expectConst, gatherMap, zeroOf } from './util/layout.js';

const OP = 'SPACE_TO_BATCH_ND';

export const SPACE_TO_BATCH_ND: LiteOp<{ map: Int32Array; fill: number | bigint }> = {
  code: BuiltinOp.SPACE_TO_BATCH_ND,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), bs = input(OP, node, 1), ps = input(OP, node, 2), y = output(OP, node, 0);
    expectRank(OP, node, 'input 0', x, 4);
    expectConst(OP, node, 'block_shape', bs);
    expectConst(OP, node, 'paddings', ps);
    const [bh, bw] = constInts(OP, node, 'block_shape', bs), pads = constInts(OP, node, 'paddings', ps);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    expect(OP, node, bh! >= 1 && bw! >= 1 && pads.length === 4 && pads.every((p) => p >= 0)
      && (h + pads[0]! + pads[1]!) % bh! === 0 && (w + pads[2]! + pads[3]!) % bw! === 0,
      () => `block_shape [${bh},${bw}] must tile ${describe('input 0', x)} padded by [${pads}]`);
    const oh = (h + pads[0]! + pads[1]!) / bh!, ow = (w + pads[2]! + pads[3]!) / bw!;
    setOutput(OP, node, y, [n * bh! * bw!, oh, ow, c], x.dtype);
    const map = new Int32Array(n * bh! * bw! * oh * ow * c);
    let o = 0;
    for (let by = 0; by < bh!; by++) for (let bx = 0; bx < bw!; bx++) for (let b = 0; b < n; b++) {
      for (let yy = 0; yy < oh; yy++) for (let xx = 0; xx < ow; xx++) {
        const iy = yy * bh! + by - pads[0]!, ix = xx * bw! + bx - pads[2]!;
        const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        for (let ch = 0; ch < c; ch++) map[o++] = inside ? ((b * h + iy) * w + ix) * c + ch : -1;
      }
    }
    return { map, fill: zeroOf(y) };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, s.fill);
  },
};
