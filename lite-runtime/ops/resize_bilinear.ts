/**
 * RESIZE_BILINEAR (NHWC) to the constant size (input 1), with align_corners and
 * half_pixel_centers as TFLite's reference kernel (corner indices clamped, weights from
 * the unclamped position). Float32; int8/uint8 (input and output sharing quantization)
 * interpolate the stored values and round half away from zero.
 */
import { BuiltinOp, ResizeBilinearOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { expect, input } from './util/check.js';
import { sameQuant } from './util/unary.js';
import { qRange, roundHalfAway } from './util/quant.js';
import { prepareResize, resizeScale, type ResizeGeometry } from './util/resize.js';

const OP = 'RESIZE_BILINEAR';

/** Per output row/column: lower and upper source index and the source position. */
interface Axis { lo: Int32Array; hi: Int32Array; pos: Float32Array }

function axis(inSize: number, outSize: number, align: boolean, half: boolean): Axis {
  const scale = resizeScale(inSize, outSize, align);
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), pos = new Float32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const v = half ? Math.fround(Math.fround((i + 0.5) * scale) - 0.5) : Math.fround(i * scale);
    pos[i] = v;
    lo[i] = Math.min(Math.max(Math.floor(v), 0), inSize - 1);
    hi[i] = Math.min(Math.ceil(v), inSize - 1);
  }
  return { lo, hi, pos };
}

interface State { g: ResizeGeometry; ys: Axis; xs: Axis; quant: boolean; qmin: number; qmax: number }

export const RESIZE_BILINEAR: LiteOp<State> = {
  code: BuiltinOp.RESIZE_BILINEAR,
  name: OP,
  prepare(node) {
    const g = prepareResize(OP, node, 'float32', 'int8', 'uint8');
    const align = node.options ? node.options.bool(F.align_corners, false) : false;
    const half = node.options ? node.options.bool(F.half_pixel_centers, false) : false;
    expect(OP, node, !(align && half), () => 'align_corners and half_pixel_centers cannot both be set');
    const x = input(OP, node, 0), quant = x.dtype !== 'float32';
    if (quant) sameQuant(OP, node, [0]); // values are interpolated as stored
    const [qmin, qmax] = qRange(x.dtype);
    return { g, ys: axis(g.h, g.oh, align, half), xs: axis(g.w, g.ow, align, half), quant, qmin, qmax };
  },
  run(node: OpNode, { g, ys, xs, quant, qmin, qmax }: State) {
    const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
    let o = 0;
    for (let b = 0; b < g.n; b++) for (let oy = 0; oy < g.oh; oy++) {
      const y0 = ys.lo[oy]!, y1 = ys.hi[oy]!, dy = ys.pos[oy]! - y0;
      for (let ox = 0; ox < g.ow; ox++) {
        const x0 = xs.lo[ox]!, x1 = xs.hi[ox]!, dx = xs.pos[ox]! - x0;
        const p00 = ((b * g.h + y0) * g.w + x0) * g.c, p01 = ((b * g.h + y0) * g.w + x1) * g.c;
        const p10 = ((b * g.h + y1) * g.w + x0) * g.c, p11 = ((b * g.h + y1) * g.w + x1) * g.c;
        for (let c = 0; c < g.c; c++, o++) {
          const v = x[p00 + c]! * (1 - dy) * (1 - dx) + x[p10 + c]! * dy * (1 - dx)
            + x[p01 + c]! * (1 - dy) * dx + x[p11 + c]! * dy * dx;
          if (quant) { const q = roundHalfAway(v); y[o] = q < qmin ? qmin : q > qmax ? qmax : q; } else y[o] = v;
        }
      }
    }
  },
};
