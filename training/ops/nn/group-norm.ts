import { noGrad } from '../../autograd.js';
import { expectTensors } from '../../dispatch.js';
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { fmtShape, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { assign } from '../assign.js';
import { mean } from '../math/mean.js';
import { variance } from '../math/moments.js';
import { defineComposite } from '../registry.js';
import { reshape } from '../reshape.js';
import { batchNorm } from './batch-norm.js';
import { layerNorm } from './layer-norm.js';

/*
 * Group and instance normalization, written in other ops: the groups of
 * [N, C, ...] are rows of a [N, G, -1] layerNorm (one kernel with its own
 * backward, ONNX LayerNormalization), then the per-channel affine.
 */

function checkInput(op: string, x: Tensor, eps: number): void {
  expectTensors(op, x);
  if (x.dtype !== 'float32') throw new DTypeError(`${op}: input is ${x.dtype}${fmtShape(x.shape)}, expected float32`);
  if (x.ndim < 2) throw new ShapeError(`${op}: input must be [N, C, ...] (rank >= 2), got shape ${fmtShape(x.shape)}`);
  if (!(eps >= 0)) throw new ValueError(`${op}: eps must be >= 0, got ${eps}`);
}

function checkPerChannel(op: string, what: string, t: Tensor | null, c: number): void {
  if (t === null) return;
  expectTensors(op, t);
  if (t.ndim !== 1 || t.shape[0] !== c) throw new ShapeError(`${op}: ${what} ${fmtShape(t.shape)} must be [${c}] (one per channel)`);
}

/** y * weight + bias, per channel of [N, C, ...]. */
function affine(y: Tensor, weight: Tensor | null, bias: Tensor | null): Tensor {
  const shape = [1, y.shape[1], ...y.shape.slice(2).map(() => 1)];
  let out = y;
  if (weight) out = out.mul(reshape(weight, shape));
  if (bias) out = out.add(reshape(bias, shape));
  return out;
}

/** Normalizes each group of channels of each sample over its channels and spatial dims (no affine). */
function normalizeGroups(x: Tensor, groups: number, eps: number): Tensor {
  const [n, c] = x.shape;
  const per = (c / groups) * sizeOf(x.shape.slice(2));
  return reshape(layerNorm(reshape(x, [n, groups, per]), [per], null, null, eps), x.shape);
}

/**
 * Group normalization of [N, C, ...] over `numGroups` groups of channels (torch's
 * F.group_norm): each group of each sample gets zero mean and unit (biased)
 * variance, then the optional per-channel weight and bias [C] apply.
 * @example tg.groupNorm(x, 8, gamma, beta) // x [N, 32, H, W]
 */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const op = 'groupNorm';
  checkInput(op, x, eps);
  const c = x.shape[1];
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new ValueError(`${op}: numGroups must be a positive integer dividing the ${c} channels of ${fmtShape(x.shape)}, got ${numGroups}`);
  }
  checkPerChannel(op, 'weight', weight, c);
  checkPerChannel(op, 'bias', bias, c);
  return affine(normalizeGroups(x, numGroups, eps), weight, bias);
}

/**
 * Instance normalization of [N, C, ...] (torch's F.instance_norm): each channel of
 * each sample is normalized over its spatial dims. With `useInputStats` (the
 * default) the statistics come from the input and, when running statistics are
 * given, update them in place with the batch average of the instance statistics
 * (unbiased variance), as torch does; otherwise the running statistics are used.
 * @example tg.instanceNorm(x) // x [N, C, H, W]
 */
export function instanceNorm(
  x: Tensor, runningMean: Tensor | null = null, runningVar: Tensor | null = null, weight: Tensor | null = null, bias: Tensor | null = null,
  useInputStats = true, momentum = 0.1, eps = 1e-5,
): Tensor {
  const op = 'instanceNorm';
  checkInput(op, x, eps);
  const c = x.shape[1];
  for (const [what, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) checkPerChannel(op, what, t, c);
  if (!useInputStats) {
    if (!runningMean || !runningVar) throw new ValueError(`${op}: useInputStats = false needs runningMean and runningVar`);
    return batchNorm(x, runningMean, runningVar, weight, bias, false, momentum, eps);
  }
  const spatial = sizeOf(x.shape.slice(2));
  if (spatial <= 1) throw new ValueError(`${op}: expected more than 1 spatial element per channel, got input shape ${fmtShape(x.shape)}`);
  if (runningMean || runningVar) {
    noGrad(() => {
      const flat = reshape(x.detach(), [x.shape[0], c, spatial]);
      if (runningMean) assign(runningMean, runningMean.mul(1 - momentum).add(mean(mean(flat, 2), 0).mul(momentum)));
      if (runningVar) assign(runningVar, runningVar.mul(1 - momentum).add(mean(variance(flat, 2), 0).mul(momentum)));
    });
  }
  return affine(normalizeGroups(x, c, eps), weight, bias);
}

defineComposite('groupNorm', ['reshape', 'layerNorm', 'mul', 'add']);
// eval mode with running statistics is batchNorm; the running update (training) is not exported
defineComposite('instanceNorm', ['reshape', 'layerNorm', 'mul', 'add', 'batchNorm']);
