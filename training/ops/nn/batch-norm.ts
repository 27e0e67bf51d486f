import { batchNormApply, batchNormBackward, batchNormStats, type BatchNormShape } from '../../kernels/nn-norm.js';
import { noGrad } from '../../autograd.js';
import { ones, zeros } from '../../creation.js';
import { apply, apply1 } from '../../dispatch.js';
import { GradError, ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { assign } from '../assign.js';
import { defineOp, type TensorMeta, type TensorValue } from '../registry.js';
import { sum } from '../sum.js';
import { alloc } from '../util.js';
import { expectRank } from './args.js';

export interface BatchNormAttrs { [k: string]: number; eps: number }

function bnShape(x: readonly number[]): BatchNormShape {
  let inner = 1;
  for (let i = 2; i < x.length; i++) inner *= x[i];
  return { n: x[0], c: x[1], inner };
}

/** Checks x is [N, C, ...] float32 and each per-channel tensor is [C]. */
function checkChannels(op: string, x: TensorMeta, named: readonly [string, TensorMeta][]): void {
  if (x.dtype !== 'float32' || x.shape.length < 2) {
    throw new ShapeError(`${op}: input must be float32 [N, C, ...] (rank >= 2), got ${x.dtype}${fmtShape(x.shape)}`);
  }
  for (const [name, t] of named) {
    expectRank(op, name, t, 1, '[C]');
    if (t.shape[0] !== x.shape[1]) throw new ShapeError(`${op}: ${name} ${fmtShape(t.shape)} must have ${x.shape[1]} elements (input ${fmtShape(x.shape)} has ${x.shape[1]} channels)`);
  }
}

const f32 = (v: TensorValue) => v.data as Float32Array;

/** Dims other than the channel dim (1), for per-channel sums. */
function nonChannelDims(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i).filter((d) => d !== 1);
}

/** [C] -> [1, C, 1, ...] so it broadcasts against x. */
function perChannel(t: Tensor, rank: number): Tensor {
  return t.reshape([1, t.shape[0], ...new Array<number>(rank - 2).fill(1)]);
}

/** Inference batch norm (ONNX BatchNormalization): inputs [x, mean, var, weight, bias]. */
export const BATCH_NORM = defineOp<BatchNormAttrs>({
  name: 'batchNorm',
  onnx: (e, n, ins, outs) => {
    const [x, mean, variance, weight, bias] = ins;
    e.node('BatchNormalization', [x, weight, bias, mean, variance], outs, { epsilon: { f: n.attrs.eps as number } });
  },
  infer([x, mean, variance, weight, bias]) {
    checkChannels('batchNorm', x, [['runningMean', mean], ['runningVar', variance], ['weight', weight], ['bias', bias]]);
    return [{ shape: x.shape, dtype: 'float32' }];
  },
  forward([x, mean, variance, weight, bias], { eps }, [o]) {
    const y = alloc(o) as Float32Array;
    batchNormApply(f32(x), y, bnShape(x.shape), f32(mean), f32(variance), f32(weight), f32(bias), eps);
    return [y];
  },
  grad: ({ inputs: [x, mean, variance, weight, bias], attrs: { eps }, gradOutputs: [g] }) => {
    // y = (x - mean) * invstd * weight + bias, per channel (PyTorch refuses gradients for the
    // statistics here; they are well defined, so they are given)
    const r = x.ndim, dims = nonChannelDims(r);
    const invstd = variance.add(eps).rsqrt();
    const scale = weight.mul(invstd);
    const centered = () => x.sub(perChannel(mean, r));
    return [
      x.requiresGrad ? g!.mul(perChannel(scale, r)) : null,
      mean.requiresGrad ? sum(g!, dims).mul(scale).neg() : null,
      variance.requiresGrad ? sum(g!.mul(centered()), dims).mul(scale).mul(invstd.pow(2)).mul(-0.5) : null,
      weight.requiresGrad ? sum(g!.mul(centered()).mul(perChannel(invstd, r)), dims) : null,
      bias.requiresGrad ? sum(g!, dims) : null,
    ];
  },
});

/** Training batch norm: inputs [x, weight, bias]; outputs [y, batch mean, biased batch variance]. */
export const BATCH_NORM_TRAIN = defineOp<BatchNormAttrs>({
  name: 'batchNormTrain',
  onnx: { notExported: 'training-mode batch norm (batch statistics): export the model in eval mode' },
  infer([x, weight, bias]) {
    checkChannels('batchNormTrain', x, [['weight', weight], ['bias', bias]]);
    const c = x.shape[1];
    return [{ shape: x.shape, dtype: 'float32' }, { shape: [c], dtype: 'float32' }, { shape: [c], dtype: 'float32' }];
  },
  forward([x, weight, bias], { eps }, [o, om, ov]) {
    const s = bnShape(x.shape);
    const y = alloc(o) as Float32Array, mean = alloc(om) as Float32Array, variance = alloc(ov) as Float32Array;
    batchNormStats(f32(x), s, mean, variance);
    batchNormApply(f32(x), y, s, mean, variance, f32(weight), f32(bias), eps);
    return [y, mean, variance];
  },
  grad: ({ inputs: [x, weight, bias], outputs: [, mean, variance], attrs, gradOutputs: [g, gm, gv] }) => {
    if (gm || gv) throw new GradError('batchNormTrain: gradients through the batch statistics outputs are not supported');
    const [dx, dw, db] = apply(BATCH_NORM_BACKWARD, [x, g!, mean.detach(), variance.detach(), weight], attrs);
    return [x.requiresGrad ? dx : null, weight.requiresGrad ? dw : null, bias.requiresGrad ? db : null];
  },
});

/** Gradients of training batch norm: inputs [x, gy, mean, var, weight] -> [dx, dweight, dbias]. */
export const BATCH_NORM_BACKWARD = defineOp<BatchNormAttrs>({
  name: 'batchNormBackward',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([x, gy, mean, variance, weight]) {
    checkChannels('batchNormBackward', x, [['mean', mean], ['variance', variance], ['weight', weight]]);
    if (fmtShape(gy.shape) !== fmtShape(x.shape)) throw new ShapeError(`batchNormBackward: gradOutput ${fmtShape(gy.shape)} must match input ${fmtShape(x.shape)}`);
    const c = { shape: [x.shape[1]], dtype: 'float32' } as const;
    return [{ shape: x.shape, dtype: 'float32' }, c, c];
  },
  forward([x, gy, mean, variance, weight], { eps }, [o, oc]) {
    const dx = alloc(o) as Float32Array, dw = alloc(oc) as Float32Array, db = alloc(oc) as Float32Array;
    batchNormBackward(f32(x), f32(gy), bnShape(x.shape), f32(mean), f32(variance), f32(weight), eps, dx, dw, db);
    return [dx, dw, db];
  },
  grad: () => { throw new GradError('batchNormBackward: second derivatives of training-mode batchNorm are not supported'); },
});

/**
 * Batch normalization over dim 1 of [N, C, ...] (PyTorch's F.batch_norm). In
 * training mode it normalizes with the batch statistics and, when running
 * stats are given, updates them in place: running = (1 - momentum) * running
 * + momentum * batch (unbiased variance for runningVar). In eval mode it uses
 * the running statistics.
 * @example const y = tg.batchNorm(x, runningMean, runningVar, gamma, beta, true); // updates the running stats
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null,
  training = false, momentum = 0.1, eps = 1e-5,
): Tensor {
  if (x.ndim < 2) throw new ShapeError(`batchNorm: input must be [N, C, ...] (rank >= 2), got shape ${fmtShape(x.shape)}`);
  if (!(eps >= 0)) throw new ValueError(`batchNorm: eps must be >= 0, got ${eps}`);
  const c = x.shape[1];
  const w = weight ?? ones([c]), b = bias ?? zeros([c]);
  if (!training) {
    if (!runningMean || !runningVar) throw new ValueError('batchNorm: eval mode (training = false) needs runningMean and runningVar');
    return apply1(BATCH_NORM, [x, runningMean, runningVar, w, b], { eps });
  }
  const count = x.numel / Math.max(c, 1);
  if (count <= 1) throw new ValueError(`batchNorm: expected more than 1 value per channel when training, got input shape ${fmtShape(x.shape)}`);
  const [y, mean, variance] = apply(BATCH_NORM_TRAIN, [x, w, b], { eps });
  noGrad(() => {
    if (runningMean) assign(runningMean, runningMean.mul(1 - momentum).add(mean.mul(momentum)));
    if (runningVar) assign(runningVar, runningVar.mul(1 - momentum).add(variance.mul((momentum * count) / (count - 1))));
  });
  return y;
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { BATCH_NORM_IMPORT, BATCH_NORM_TFLITE } from '../convert/nn.js';
withTraits(BATCH_NORM, { tflite: BATCH_NORM_TFLITE, onnxImport: { BatchNormalization: BATCH_NORM_IMPORT } });
