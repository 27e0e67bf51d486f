import { alignedStrides, stridedCopy } from '../../lite-runtime/kernels/strided.js';
import { apply1 } from '../dispatch.js';
import { ShapeError } from '../errors.js';
import { fmtShape, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { defineOp } from './registry.js';
import { sumTo } from './sum-to.js';
import { alloc } from './util.js';

/** Broadcasts to a larger shape (copying); -1 keeps a dim. */
export const EXPAND = defineOp<{ shape: readonly number[] }>({
  name: 'expand',
  onnx: (e, n, ins, outs) => {
    const x = n.inputs[0].shape, o = n.outputs[0].shape;
    const lead = o.length - x.length;
    // 1 where no expansion happens, so dynamic input dims stay dynamic (Expand broadcasts both ways).
    e.node('Expand', [ins[0], e.i64(o.map((d, i) => (i >= lead && x[i - lead] === d ? 1 : d)))], outs);
  },
  infer([x], { shape }) {
    const lead = shape.length - x.shape.length;
    if (lead < 0) throw new ShapeError(`expand: target ${fmtShape(shape)} has fewer dims than input ${fmtShape(x.shape)}`);
    const out = shape.map((d, i) => {
      const src = i >= lead ? x.shape[i - lead] : 1;
      const want = d === -1 ? src : d;
      if (src !== want && src !== 1) {
        throw new ShapeError(`expand: input ${fmtShape(x.shape)} cannot expand to ${fmtShape(shape)} (dim ${i}: ${src} -> ${want})`);
      }
      return want;
    });
    return [{ shape: out, dtype: x.dtype }];
  },
  forward([x], _a, [o]) {
    const out = alloc(o);
    stridedCopy(x.data, 0, alignedStrides(x.shape, o.shape), out, o.shape);
    return [out];
  },
  grad: ({ inputs: [x], gradOutputs: [g] }) => [sumTo(g!, x.shape)],
  elementwise: false,
});

/** @example tg.expand(x, [4, 3]) */
export function expand(x: Tensor, shape: Shape): Tensor {
  return apply1(EXPAND, [x], { shape: [...shape] });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { EXPAND_IMPORT, EXPAND_TFLITE } from './convert/shape.js';
import { TILE_IMPORT } from './convert/composite-import.js';
withTraits(EXPAND, { tflite: EXPAND_TFLITE, onnxImport: { Expand: EXPAND_IMPORT, Tile: TILE_IMPORT } });
