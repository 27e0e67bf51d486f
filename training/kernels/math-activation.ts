import { erf, erfc, gelu, geluTanh, hardswish, sigmoid } from '../../lite-runtime/kernels/math-scalar.js';
import type { NumArray } from '../../lite-runtime/kernels/strided.js';

/**
 * Elementwise activation kernels (one loop each, no per-element callbacks).
 * Each reads `a` and writes `out` of the same length; they may alias. The scalar
 * functions they share with the lite runtime are in lite-runtime/kernels/math-scalar.ts.
 */

/** out = erf(a) @example erfMap(a, out) */
export function erfMap(a: NumArray, out: NumArray): void {
  for (let i = 0; i < a.length; i++) out[i] = erf(a[i]);
}

/** out = a > 0 ? a : a * slope */
export function leakyReluMap(a: NumArray, out: NumArray, slope: number): void {
  for (let i = 0; i < a.length; i++) { const x = a[i]; out[i] = x > 0 ? x : x * slope; }
}

/** out = a > 0 ? a : alpha * (exp(a) - 1) */
export function eluMap(a: NumArray, out: NumArray, alpha: number): void {
  for (let i = 0; i < a.length; i++) { const x = a[i]; out[i] = x > 0 ? x : alpha * Math.expm1(x); }
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU: x * Phi(x) (exact, via erfc) or the tanh approximation when `tanhApprox`. */
export function geluMap(a: NumArray, out: NumArray, tanhApprox: boolean): void {
  if (tanhApprox) for (let i = 0; i < a.length; i++) out[i] = geluTanh(a[i]);
  else for (let i = 0; i < a.length; i++) out[i] = gelu(a[i]);
}

/** SiLU (swish): x * sigmoid(x) */
export function siluMap(a: NumArray, out: NumArray): void {
  for (let i = 0; i < a.length; i++) { const x = a[i]; out[i] = x / (1 + Math.exp(-x)); }
}

/** Softplus: log(1 + exp(beta x)) / beta, and x itself where beta x > threshold. */
export function softplusMap(a: NumArray, out: NumArray, beta: number, threshold: number): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i], z = x * beta;
    out[i] = z > threshold ? x : Math.log1p(Math.exp(z)) / beta;
  }
}

/** out = min(max(a, lo), hi); NaN stays NaN. Pass -Infinity/Infinity for a missing bound. */
export function clampMap(a: NumArray, out: NumArray, lo: number, hi: number): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    out[i] = x !== x ? x : x < lo ? (lo > hi ? hi : lo) : x > hi ? hi : x;
  }
}

/** Hardswish: x * relu6(x + 3) / 6 */
export function hardswishMap(a: NumArray, out: NumArray): void {
  for (let i = 0; i < a.length; i++) out[i] = hardswish(a[i]);
}

/** Hardsigmoid: relu6(x + 3) / 6 */
export function hardsigmoidMap(a: NumArray, out: NumArray): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    out[i] = x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
  }
}

/*
 * Backward kernels: out = g * f'(x), one fused loop each (the training ops' first-order
 * gradients). Where f' has a kink, the side matches PyTorch's backward.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** g * 2/sqrt(pi) * exp(-x^2) */
export function erfGradMap(x: NumArray, g: NumArray, out: NumArray): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = g[i] * TWO_OVER_SQRT_PI * Math.exp(-v * v); }
}

/** g * (x > 0 ? 1 : slope) */
export function leakyReluGradMap(x: NumArray, g: NumArray, out: NumArray, slope: number): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? g[i] : g[i] * slope;
}

/** g * (x > 0 ? 1 : alpha * exp(x)) */
export function eluGradMap(x: NumArray, g: NumArray, out: NumArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = v > 0 ? g[i] : g[i] * alpha * Math.exp(v); }
}

/** g * d/dx gelu(x), exact (Phi(x) + x phi(x)) or for the tanh approximation. */
export function geluGradMap(x: NumArray, g: NumArray, out: NumArray, tanhApprox: boolean): void {
  if (tanhApprox) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i], v2 = v * v;
      const t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v2 * v));
      const dInner = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v2);
      out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner);
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = g[i] * (0.5 * erfc(-v * SQRT1_2) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  }
}

/** g * s * (1 + x (1 - s)), s = sigmoid(x) */
export function siluGradMap(x: NumArray, g: NumArray, out: NumArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i], s = sigmoid(v);
    out[i] = g[i] * s * (1 + v * (1 - s));
  }
}

/** g * sigmoid(beta x), or g where beta x > threshold */
export function softplusGradMap(x: NumArray, g: NumArray, out: NumArray, beta: number, threshold: number): void {
  for (let i = 0; i < x.length; i++) {
    const z = x[i] * beta;
    out[i] = z > threshold ? g[i] : g[i] / (1 + Math.exp(-z));
  }
}

/** g * (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1) */
export function hardswishGradMap(x: NumArray, g: NumArray, out: NumArray): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = v < -3 ? 0 : v <= 3 ? g[i] * (v / 3 + 0.5) : g[i]; }
}

/** g / 6 strictly inside (-3, 3), else 0 */
export function hardsigmoidGradMap(x: NumArray, g: NumArray, out: NumArray): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = v > -3 && v < 3 ? g[i] / 6 : 0; }
}

/**
 * g where x is inside the bounds, else 0: inclusive bounds (clamp: lo <= x <= hi) or
 * exclusive ones (hardtanh: lo < x < hi). NaN x gets 0.
 */
export function clampGradMap(x: NumArray, g: NumArray, out: NumArray, lo: number, hi: number, inclusive: boolean): void {
  if (inclusive) for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = v >= lo && v <= hi ? g[i] : 0; }
  else for (let i = 0; i < x.length; i++) { const v = x[i]; out[i] = v > lo && v < hi ? g[i] : 0; }
}
