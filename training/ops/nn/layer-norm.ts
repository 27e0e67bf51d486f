import { layerNormBackward, layerNormForward } from '../../kernels/nn-norm.js';
import { ones, zeros } from '../../creation.js';
import { apply } from '../../dispatch.js';
import { GradError, ShapeError, ValueError } from '../../errors.js';
import { fmtShape, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { defineOp, type TensorMeta } from '../registry.js';
import { alloc, expectFloat } from '../util.js';

/** `axis`: first normalized dim (ONNX LayerNormalization's axis, non-negative). */
export interface LayerNormAttrs { [k: string]: number; axis: number; eps: number }

function checkAffine(op: string, x: TensorMeta, axis: number, named: readonly [string, TensorMeta][]): void {
  const norm = x.shape.slice(axis);
  for (const [name, t] of named) {
    if (fmtShape(t.shape) !== fmtShape(norm)) {
      throw new ShapeError(`${op}: ${name} ${fmtShape(t.shape)} must have the normalized shape ${fmtShape(norm)} (input ${fmtShape(x.shape)})`);
    }
  }
}

/** Statistics shape: the input shape with normalized dims set to 1 (as ONNX). */
function statShape(x: readonly number[], axis: number): number[] {
  return x.map((d, i) => (i < axis ? d : 1));
}

/** layerNorm: inputs [x, weight, bias] -> [y, mean, rstd] over dims axis.. (rstd = 1/sqrt(var + eps)). */
export const LAYER_NORM = defineOp<LayerNormAttrs>({
  name: 'layerNorm',
  onnx: (e, n, ins, outs) => {
    e.node('LayerNormalization', ins, outs, { axis: { i: n.attrs.axis as number }, epsilon: { f: n.attrs.eps as number } });
  },
  infer([x, weight, bias], { axis }) {
    expectFloat('layerNorm', [x, weight, bias]);
    checkAffine('layerNorm', x, axis, [['weight', weight], ['bias', bias]]);
    const stat = { shape: statShape(x.shape, axis), dtype: 'float32' } as const;
    return [{ shape: x.shape, dtype: 'float32' }, stat, stat];
  },
  forward([x, weight, bias], { axis, eps }, [o, os]) {
    const d = sizeOf(x.shape.slice(axis)), rows = sizeOf(x.shape.slice(0, axis));
    const y = alloc(o) as Float32Array, mean = alloc(os) as Float32Array, rstd = alloc(os) as Float32Array;
    layerNormForward(x.data as Float32Array, y, rows, d, weight.data as Float32Array, bias.data as Float32Array, eps, mean, rstd);
    return [y, mean, rstd];
  },
  grad: ({ inputs: [x, weight, bias], outputs: [, mean, rstd], attrs, gradOutputs: [g, gm, gr] }) => {
    if (gm || gr) throw new GradError('layerNorm: gradients through the mean / rstd outputs are not supported');
    const [dx, dw, db] = apply(LAYER_NORM_BACKWARD, [x, g!, mean.detach(), rstd.detach(), weight], attrs);
    return [x.requiresGrad ? dx : null, weight.requiresGrad ? dw : null, bias.requiresGrad ? db : null];
  },
});

/** Gradients of layerNorm: inputs [x, gy, mean, rstd, weight] -> [dx, dweight, dbias]. */
export const LAYER_NORM_BACKWARD = defineOp<LayerNormAttrs>({
  name: 'layerNormBackward',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([x, gy, mean, rstd, weight], { axis }) {
    checkAffine('layerNormBackward', x, axis, [['weight', weight]]);
    if (fmtShape(gy.shape) !== fmtShape(x.shape)) throw new ShapeError(`layerNormBackward: gradOutput ${fmtShape(gy.shape)} must match input ${fmtShape(x.shape)}`);
    const stat = fmtShape(statShape(x.shape, axis));
    if (fmtShape(mean.shape) !== stat || fmtShape(rstd.shape) !== stat) throw new ShapeError(`layerNormBackward: mean/rstd must be ${stat}`);
    return [{ shape: x.shape, dtype: 'float32' }, weight, weight];
  },
  forward([x, gy, mean, rstd, weight], { axis }, [o, ow]) {
    const d = sizeOf(x.shape.slice(axis)), rows = sizeOf(x.shape.slice(0, axis));
    const dx = alloc(o) as Float32Array, dw = alloc(ow) as Float32Array, db = alloc(ow) as Float32Array;
    layerNormBackward(x.data as Float32Array, gy.data as Float32Array, rows, d, weight.data as Float32Array,
      mean.data as Float32Array, rstd.data as Float32Array, dx, dw, db);
    return [dx, dw, db];
  },
  grad: () => { throw new GradError('layerNormBackward: second derivatives of layerNorm are not supported'); },
});

/**
 * Layer normalization over the trailing `normalizedShape` dims (PyTorch's F.layer_norm).
 * @example tg.layerNorm(x, [64], gamma, beta) // x [B, T, 64]
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const norm = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const axis = x.ndim - norm.length;
  if (norm.length === 0 || axis < 0 || norm.some((d, i) => d !== x.shape[axis + i])) {
    throw new ShapeError(`layerNorm: normalizedShape ${fmtShape(norm)} must be a non-empty suffix of the input shape ${fmtShape(x.shape)}`);
  }
  if (!(eps >= 0)) throw new ValueError(`layerNorm: eps must be >= 0, got ${eps}`);
  const w = weight ?? ones(norm), b = bias ?? zeros(norm);
  return apply(LAYER_NORM, [x, w, b], { axis, eps })[0];
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { LAYER_NORM_IMPORT, LAYER_NORM_TFLITE } from '../convert/nn.js';
withTraits(LAYER_NORM, { tflite: LAYER_NORM_TFLITE, onnxImport: { LayerNormalization: LAYER_NORM_IMPORT } });
