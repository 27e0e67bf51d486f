import { sigmoid } from '../../lite-runtime/kernels/math-scalar.js';
import type { NumArray } from '../../lite-runtime/kernels/strided.js';

/*
 * Scalar functions of mish, logsigmoid, softsign and selu and their derivatives
 * (celu's, with its alpha, are inline in its kernels and fuse expressions):
 * the eager kernels map them, and the jit's fused loops call the same functions
 * (the ops' `fuse` rules bind them by name), so both give equal results.
 */

/** SELU's constants (torch.nn.SELU). */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

/** x * tanh(softplus(x)) */
export function mish(x: number): number {
  return x * Math.tanh(Math.log1p(Math.exp(x)));
}

/** d mish / dx = tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)^2) */
export function mishGrad(x: number): number {
  const t = Math.tanh(Math.log1p(Math.exp(x))), s = sigmoid(x);
  return t + x * s * (1 - t * t);
}

/** log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for large |x| */
export function logsigmoid(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

/** d logsigmoid / dx = sigmoid(-x) */
export function logsigmoidGrad(x: number): number {
  return sigmoid(-x);
}

/** x / (1 + |x|) */
export function softsign(x: number): number {
  return x / (1 + Math.abs(x));
}

/** d softsign / dx = 1 / (1 + |x|)^2 */
export function softsignGrad(x: number): number {
  const d = 1 + Math.abs(x);
  return 1 / (d * d);
}

/** scale * (x > 0 ? x : alpha * (exp(x) - 1)) */
export function selu(x: number): number {
  return x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x);
}

/** d selu / dx; at 0 the negative side, as PyTorch's backward */
export function seluGrad(x: number): number {
  return x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
}

/*
 * Map kernels: one loop each (a shared loop over a callback would be megamorphic).
 * The backward kernels compute g * f'(x).
 */

export function mishMap(a: NumArray, out: NumArray): void { for (let i = 0; i < a.length; i++) out[i] = mish(a[i]); }
export function mishGradMap(x: NumArray, g: NumArray, out: NumArray): void { for (let i = 0; i < x.length; i++) out[i] = g[i] * mishGrad(x[i]); }
export function logsigmoidMap(a: NumArray, out: NumArray): void { for (let i = 0; i < a.length; i++) out[i] = logsigmoid(a[i]); }
export function logsigmoidGradMap(x: NumArray, g: NumArray, out: NumArray): void { for (let i = 0; i < x.length; i++) out[i] = g[i] * logsigmoidGrad(x[i]); }
export function softsignMap(a: NumArray, out: NumArray): void { for (let i = 0; i < a.length; i++) out[i] = softsign(a[i]); }
export function softsignGradMap(x: NumArray, g: NumArray, out: NumArray): void { for (let i = 0; i < x.length; i++) out[i] = g[i] * softsignGrad(x[i]); }
export function seluMap(a: NumArray, out: NumArray): void { for (let i = 0; i < a.length; i++) out[i] = selu(a[i]); }
export function seluGradMap(x: NumArray, g: NumArray, out: NumArray): void { for (let i = 0; i < x.length; i++) out[i] = g[i] * seluGrad(x[i]); }

export function celuMap(a: NumArray, out: NumArray, alpha: number): void {
  for (let i = 0; i < a.length; i++) { const x = a[i]; out[i] = x > 0 ? x : alpha * Math.expm1(x / alpha); }
}

export function celuGradMap(x: NumArray, g: NumArray, out: NumArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = v > 0 ? g[i] : g[i] * Math.exp(v / alpha); }
}
