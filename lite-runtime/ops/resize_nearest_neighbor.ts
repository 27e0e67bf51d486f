/**
 * RESIZE_NEAREST_NEIGHBOR (NHWC) to the constant size (input 1), with align_corners and
 * half_pixel_centers as TFLite's reference kernel; any element type (values are copied).
 */
import { BuiltinOp, ResizeNearestNeighborOptions as F } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { expect } from './util/check.js';
import { gatherMap } from './util/layout.js';
import { roundHalfAway } from './util/quant.js';
import { prepareResize, resizeScale } from './util/resize.js';

const OP = 'RESIZE_NEAREST_NEIGHBOR';

function source(outIndex: number, inSize: number, outSize: number, align: boolean, half: boolean): number {
  const scale = resizeScale(inSize, outSize, align), offset = half ? 0.5 : 0;
  const v = Math.fround((outIndex + offset) * scale);
  let i = Math.min(align ? roundHalfAway(v) : Math.floor(v), inSize - 1);
  if (half) i = Math.max(0, i);
  return i;
}

export const RESIZE_NEAREST_NEIGHBOR: LiteOp<{ map: Int32Array }> = {
  code: BuiltinOp.RESIZE_NEAREST_NEIGHBOR,
  name: OP,
  prepare(node) {
    const g = prepareResize(OP, node, 'float32', 'int8', 'uint8', 'int16', 'int32');
    const align = node.options ? node.options.bool(F.align_corners, false) : false;
    const half = node.options ? node.options.bool(F.half_pixel_centers, false) : false;
    expect(OP, node, !(align && half), () => 'align_corners and half_pixel_centers cannot both be set');
    const map = new Int32Array(g.n * g.oh * g.ow * g.c);
    let o = 0;
    for (let b = 0; b < g.n; b++) for (let y = 0; y < g.oh; y++) {
      const iy = source(y, g.h, g.oh, align, half);
      for (let x = 0; x < g.ow; x++) {
        const base = ((b * g.h + iy) * g.w + source(x, g.w, g.ow, align, half)) * g.c;
        for (let c = 0; c < g.c; c++) map[o++] = base + c;
      }
    }
    return { map };
  },
  run(node, s) {
    gatherMap(node.inputs[0]!.data, node.outputs[0]!.data, s.map, 0);
  },
};
