import { expectTensors } from '../../dispatch.js';
import { DTypeError, ShapeError } from '../../errors.js';
import { fmtShape, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { mm } from '../matmul.js';

/**
 * y = x @ weightᵀ + bias (PyTorch's F.linear); weight is [out, in], x is [..., in]
 * (any leading dims, flattened into one GEMM).
 * @example tg.linear(x, w, b) // x [32, 784], w [128, 784], b [128] -> [32, 128]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  expectTensors('linear', x, weight);
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D [outFeatures, inFeatures], got shape ${fmtShape(weight.shape)}`);
  const [out, inF] = weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: input ${fmtShape(x.shape)} must end in inFeatures = ${inF} (weight ${fmtShape(weight.shape)})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== out)) {
    throw new ShapeError(`linear: bias ${fmtShape(bias.shape)} must be [${out}] (weight ${fmtShape(weight.shape)})`);
  }
  for (const [name, t] of [['input', x], ['weight', weight], ['bias', bias]] as const) {
    if (t && t.dtype !== 'float32') throw new DTypeError(`linear: ${name} is ${t.dtype}${fmtShape(t.shape)}, expected float32`);
  }
  const lead = x.shape.slice(0, -1);
  const x2 = x.ndim === 2 ? x : x.reshape([sizeOf(lead), inF]);
  let y = mm(x2, weight, false, true);
  if (bias) y = y.add(bias);
  return x.ndim === 2 ? y : y.reshape([...lead, out]);
}
