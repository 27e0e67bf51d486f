import { apply1, expectTensors } from '../dispatch.js';
import { DTYPES, type DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { DATA_TYPE } from '../onnx/emit.js';
import { fuse1 } from './fuse.js';
import { defineOp } from './registry.js';
import { alloc } from './util.js';

export interface CastAttrs { [k: string]: DType; dtype: DType }

/**
 * float -> int32 as PyTorch does on x86: truncation toward zero, and INT_MIN for
 * NaN, ±Infinity and values outside the int32 range (C++ leaves these undefined).
 */
export function toInt32(x: number): number {
  return x !== x || x >= 2147483648 || x < -2147483648 ? -2147483648 : x;
}

/**
 * Conversion to another dtype (torch's `x.to(dtype)`): float -> int32 truncates
 * toward zero; any -> bool is `x != 0` (NaN is true); int32 -> float32 rounds to
 * nearest. The result carries no gradient unless both dtypes are float32.
 */
export const CAST = defineOp<CastAttrs>({
  name: 'cast',
  elementwise: true,
  // the fused program rounds each result to its dtype (Math.fround, | 0) as typed-array stores do
  fuse: fuse1((x, a) => (a.dtype === 'bool' ? `+(${x} !== 0)` : a.dtype === 'int32' ? `toInt32(${x})` : x), { toInt32 }),
  onnx: (e, n, ins, outs) => { e.node('Cast', [ins[0]], outs, { to: { i: DATA_TYPE[n.attrs.dtype as DType] } }); },
  infer([x], { dtype }) {
    if (!DTYPES.includes(dtype)) throw new DTypeError(`cast: dtype '${String(dtype)}' is not supported (supported: ${DTYPES.join(', ')})`);
    return [{ shape: x.shape, dtype }];
  },
  forward([x], { dtype }, [o]) {
    const out = alloc(o), src = x.data;
    if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
    else if (dtype === 'int32' && x.dtype === 'float32') for (let i = 0; i < src.length; i++) out[i] = toInt32(src[i]);
    else out.set(src);
    return [out];
  },
  // only float32 -> float32 carries a gradient (the identity); other casts cut the graph, as in PyTorch
  grad: ({ inputs: [x], gradOutputs: [g] }) => [x.dtype === 'float32' ? g : null],
});

/** A dtype or one of PyTorch's names for it. */
export type CastDType = DType | 'float' | 'int' | 'long';

/** Accepted dtype names: the training dtypes and PyTorch's aliases of them. */
const ALIASES: Readonly<Record<string, DType>> = { float: 'float32', int: 'int32', long: 'int32' };

/**
 * `x` converted to `dtype` (PyTorch's `x.to(dtype)`); `x` itself when it already
 * has that dtype. 'long' gives int32, tglite's integer dtype (PyTorch's int64
 * class targets are int32 here); 'float' and 'int' name float32 and int32.
 * @example tg.cast(x.gt(0), 'float32') // a 0/1 mask
 */
export function cast(x: Tensor, dtype: CastDType): Tensor {
  expectTensors('cast', x);
  const to = ALIASES[dtype] ?? dtype;
  if (!DTYPES.includes(to)) {
    throw new DTypeError(`cast: dtype '${String(dtype)}' is not supported (supported: ${DTYPES.join(', ')}, or 'float', 'int', 'long')`);
  }
  return x.dtype === to ? x : apply1(CAST, [x], { dtype: to });
}

// Converter traits: CAST with the input's and the output's dtype (ONNX Cast imports through the structural rules).
import { withTraits } from './convert-traits.js';
import { builtin } from './convert/elementwise.js';
import { DEQUANTIZE_IMPORT } from './convert/composite-import.js';
withTraits(CAST, {
  tflite: builtin('CAST', false, (n) => ({ in_data_type: n.inputs[0].dtype, out_data_type: n.attrs.dtype as string })),
  onnxImport: { DequantizeLinear: DEQUANTIZE_IMPORT },
});
