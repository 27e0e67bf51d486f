/**
 * BATCH_TO_SPACE_ND (NHWC, 2 spatial dims): the inverse of SPACE_TO_BATCH_ND with block_shape
 * (input 1) and crops (input 2, [2,2]), as TensorFlow:
 * out[b, y, x, c] = in[(by*bw + bx)*n + b, (y + ct) / bh, (x + cl) / bw, c] with by = (y + ct) % bh, bx = (x + cl) % bw.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { constInts, describe, expect, expectRank, input, output, setOutput } from './util/check.js';
import { expectConst, gatherMap } from './util/layout.js';

const OP = 'BATCH_TO_SPACE_ND';

export const BATCH_TO_SPACE_ND: LiteOp<{ map: Int32Array }> = {
  code: BuiltinOp.BATCH_TO_SPACE_ND,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), bs = input(OP, node, 1), cr = input(OP, node, 2);
    expectRank(OP, node, 'input 0', x, 4);
    expectConst(OP, node, 'block_shape', bs);
    expectConst(OP, node, 'crops', cr);
    const [bh, bw] = constInts(OP, node, 'block_shape', bs), crops = constInts(OP, node, 'crops', cr);
    const [nb, h, w, c] = x.shape as [number, number, number, number];
    expect(OP, node, bh! >= 1 && bw! >= 1 && nb % (bh! * bw!) === 0 && crops.length === 4 && crops.every((v) => v >= 0)
      && crops[0]! + crops[1]! <= h * bh! && crops[2]! + crops[3]! <= w * bw!,
      () => `block_shape [${bh},${bw}] and crops [${crops}] do not fit ${describe('input 0', x)}`);
    const n = nb / (bh! * bw!), oh = h * bh! - crops[0]! - crops[1]!, ow = w * bw! - crops[2]! - crops[3]!;
    setOutput(OP, node, output(OP, node, 0), [n, oh, ow, c], x.dtype);
    const map = new Int32Array(n * oh * ow * c);
    let o = 0;
    for (let b = 0; b < n; b++) for (let yy = 0; yy < oh; yy++) for (let xx = 0; xx < ow; xx++) {
      const py = yy + crops[0]!, px = xx + crops[2]!;
      const src = ((((py % bh!) * bw! + (px % bw!)) * n + b) * h + Math.floor(py / bh!)) * w + Math.floor(px / bw!);
      for (let ch = 0; ch < c; ch++) map[o++] = src * c + ch;
    }
    return { map };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, 0);
  },
};
