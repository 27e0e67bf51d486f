import { cumsumAxis } from '../../../lite-runtime/kernels/math-cumsum.js';
import { apply1 } from '../../dispatch.js';
import { normalizeDim } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp, type OpDef } from '../registry.js';
import { alloc } from '../util.js';
import { axisSizes } from './common.js';

/** Attrs of cumsum: the normalized dim, and `reverse` (sum from the end; ONNX CumSum's attribute). */
export interface CumsumAttrs { [k: string]: number | boolean; dim: number; reverse: boolean }

/** Cumulative sum along one dim (ONNX CumSum, TFLite CUMSUM). bool -> int32. */
export const CUMSUM: OpDef<CumsumAttrs> = defineOp<CumsumAttrs>({
  name: 'cumsum',
  onnx: (e, n, ins, outs) => {
    e.node('CumSum', [e.cast(ins[0], emit.dt(n, 0), emit.outDt(n)), e.i64([n.attrs.dim as number], true)], outs, { reverse: { i: n.attrs.reverse ? 1 : 0 } });
  },
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype === 'bool' ? 'int32' : x.dtype }],
  forward([x], { dim, reverse }, [o]) {
    const out = alloc(o);
    const [outer, n, inner] = axisSizes(x.shape, dim);
    cumsumAxis(x.data, out, outer, n, inner, reverse);
    return [out];
  },
  grad: ({ attrs: { dim, reverse }, gradOutputs: [g] }) => [apply1(CUMSUM, [g!], { dim, reverse: !reverse })],
});

/**
 * Running sum along `dim`. Integer and bool inputs give int32 (PyTorch: int64).
 * @example tg.cumsum(tg.tensor([1, 2, 3]), 0) // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  return apply1(CUMSUM, [x], { dim: normalizeDim('cumsum', dim, x.ndim), reverse: false });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { CUMSUM_IMPORT, CUMSUM_TFLITE } from '../convert/shape.js';
withTraits(CUMSUM, { tflite: CUMSUM_TFLITE, onnxImport: { CumSum: CUMSUM_IMPORT } });
