import {
  eluMap, erfMap, geluMap, hardsigmoidMap, hardswishMap, leakyReluMap, siluMap, softplusMap,
} from '../../../lite-runtime/kernels/math-activation.js';
import type { NumArray } from '../../../lite-runtime/kernels/broadcast.js';
import { apply1 } from '../../dispatch.js';
import { DTypeError, ValueError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { defineOp, type Attrs, type OpDef } from '../registry.js';
import { alloc, describe } from '../util.js';
import { where } from '../where.js';

/**
 * Defines an elementwise float activation with attributes. `kernel` fills out from x;
 * `vjp(x, y, g, attrs)` is the gradient, written in ops (so it traces and is twice differentiable).
 * `ints` names the dtype integer inputs get: 'float32' (promote, like erf) or null (raise, like gelu).
 */
function activation<A extends Attrs>(name: string, kernel: (x: NumArray, out: NumArray, attrs: A) => void,
  vjp: (x: Tensor, y: Tensor, g: Tensor, attrs: A) => Tensor, ints: 'float32' | null = null): OpDef<A> {
  return defineOp<A>({
    name,
    elementwise: true,
    infer([x]) {
      if (x.dtype !== 'float32' && ints === null) throw new DTypeError(`${name}: input is ${describe(x)}, expected float32`);
      return [{ shape: x.shape, dtype: 'float32' }];
    },
    forward([x], attrs, [o]) {
      const out = alloc(o);
      kernel(x.data, out, attrs);
      return [out];
    },
    grad: ({ inputs: [x], outputs: [y], gradOutputs: [g], attrs }) => [vjp(x, y, g!, attrs)],
  });
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The error function (ONNX Erf). Integer inputs give float32. */
export const ERF = activation<Record<string, never>>('erf', (x, o) => erfMap(x, o),
  (x, _y, g) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)), 'float32');

/** x > 0 ? x : slope * x (ONNX LeakyRelu, TFLite LEAKY_RELU). The slope applies at 0, as in PyTorch. */
export const LEAKY_RELU = activation<{ negativeSlope: number }>('leakyRelu', (x, o, a) => leakyReluMap(x, o, a.negativeSlope),
  (x, _y, g, a) => where(x.gt(0), g, g.mul(a.negativeSlope)));

/** x > 0 ? x : alpha * (exp(x) - 1) (ONNX Elu, TFLite ELU for alpha 1). */
export const ELU = activation<{ alpha: number }>('elu', (x, o, a) => eluMap(x, o, a.alpha),
  (x, y, g, a) => where(x.gt(0), g, g.mul(y.add(a.alpha))));

/** x * Phi(x), exact or with the tanh approximation (ONNX Gelu opset 20, TFLite GELU). */
export const GELU = activation<{ approximate: string }>('gelu', (x, o, a) => geluMap(x, o, a.approximate === 'tanh'),
  (x, _y, g, a) => {
    if (a.approximate === 'tanh') {
      const x2 = x.mul(x);
      const t = x.add(x2.mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh();
      const dInner = x2.mul(3 * 0.044715).add(1).mul(SQRT_2_OVER_PI);
      const left = t.add(1).mul(0.5);
      const right = x.mul(0.5).mul(t.mul(t).neg().add(1)).mul(dInner);
      return g.mul(left.add(right));
    }
    const cdf = erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
    const pdf = x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI);
    return g.mul(cdf.add(x.mul(pdf)));
  });

/** x * sigmoid(x), also called swish. */
export const SILU = activation<Record<string, never>>('silu', (x, o) => siluMap(x, o), (x, _y, g) => {
  const s = x.sigmoid();
  return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
});

/** log(1 + exp(beta x)) / beta; linear where beta x > threshold (ONNX Softplus for beta 1). */
export const SOFTPLUS = activation<{ beta: number; threshold: number }>('softplus',
  (x, o, a) => softplusMap(x, o, a.beta, a.threshold),
  (x, _y, g, a) => {
    const z = x.mul(a.beta);
    return where(z.gt(a.threshold), g, g.mul(z.sigmoid()));
  });

/** x * relu6(x + 3) / 6 (ONNX HardSwish, TFLite HARD_SWISH). */
export const HARDSWISH = activation<Record<string, never>>('hardswish', (x, o) => hardswishMap(x, o),
  (x, _y, g) => where(x.lt(-3), 0, where(x.le(3), g.mul(x.div(3).add(0.5)), g)));

/** relu6(x + 3) / 6 (ONNX HardSigmoid with alpha 1/6, beta 0.5). */
export const HARDSIGMOID = activation<Record<string, never>>('hardsigmoid', (x, o) => hardsigmoidMap(x, o),
  (x, _y, g) => where(x.gt(-3).mul(x.lt(3)), g.div(6), 0));

/** @example tg.erf(x) */
export function erf(x: Tensor): Tensor {
  return apply1(ERF, [x], {});
}

/** @example tg.leakyRelu(x, 0.2) */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return apply1(LEAKY_RELU, [x], { negativeSlope });
}

/** @example tg.elu(x, 1) */
export function elu(x: Tensor, alpha = 1): Tensor {
  return apply1(ELU, [x], { alpha });
}

/** GELU; `approximate` is 'none' (exact, via erf) or 'tanh'. @example tg.gelu(x, 'tanh') */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  return apply1(GELU, [x], { approximate });
}

/** @example tg.silu(x) */
export function silu(x: Tensor): Tensor {
  return apply1(SILU, [x], {});
}

/** @example tg.softplus(x, 1, 20) */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  if (beta === 0) throw new ValueError('softplus: beta must be non-zero');
  return apply1(SOFTPLUS, [x], { beta, threshold });
}

/** @example tg.hardswish(x) */
export function hardswish(x: Tensor): Tensor {
  return apply1(HARDSWISH, [x], {});
}

/** @example tg.hardsigmoid(x) */
export function hardsigmoid(x: Tensor): Tensor {
  return apply1(HARDSIGMOID, [x], {});
}

declare module '../../tensor.js' {
  interface Tensor {
    /** @see erf */
    erf(): Tensor;
  }
}
Tensor.prototype.erf = function () { return erf(this); };
