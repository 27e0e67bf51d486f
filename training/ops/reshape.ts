import { apply1 } from '../dispatch.js';
import { ShapeError } from '../errors.js';
import { fmtShape, type Shape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshapeTargetDynamic } from '../onnx/dynamic-dims.js';
import { defineOp } from './registry.js';

/** Resolves one -1 in a target shape against `size` elements. */
export function resolveShape(op: string, from: Shape, shape: Shape): number[] {
  const size = sizeOf(from);
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(`${op}: only one dim can be -1, got ${fmtShape(shape)}`);
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== size) {
    throw new ShapeError(`${op}: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`);
  }
  return out;
}

/** Reshape (contiguous, so it is also `view`). */
export const RESHAPE = defineOp<{ shape: readonly number[] }>({
  name: 'reshape',
  aliasesInput: true,
  onnx: (e, n, ins, outs) => {
    const { target, sym } = reshapeTargetDynamic(e, n);
    e.node('Reshape', [ins[0], target], outs);
    e.model.syms.set(n.outputs[0], sym);
  },
  infer([x], { shape }) {
    return [{ shape: resolveShape('reshape', x.shape, shape), dtype: x.dtype }];
  },
  forward([x]) {
    return [x.data];
  },
  grad: ({ inputs: [x], gradOutputs: [g] }) => [reshape(g!, x.shape)],
});

/** @example tg.reshape(x, [2, -1]) */
export function reshape(x: Tensor, shape: Shape): Tensor {
  return apply1(RESHAPE, [x], { shape: [...shape] });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { FLATTEN_IMPORT, RESHAPE_IMPORT, RESHAPE_TFLITE, SQUEEZE_IMPORT, UNSQUEEZE_IMPORT } from './convert/shape.js';
withTraits(RESHAPE, {
  tflite: RESHAPE_TFLITE,
  onnxImport: { Reshape: RESHAPE_IMPORT, Flatten: FLATTEN_IMPORT, Squeeze: SQUEEZE_IMPORT, Unsqueeze: UNSQUEEZE_IMPORT },
});
