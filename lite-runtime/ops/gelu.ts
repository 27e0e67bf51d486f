/**
 * GELU: x * Phi(x) (exact, with erf), or the tanh approximation when
 * GeluOptions.approximate; float32, int8/uint8 via a requantizing table.
 */
import { BuiltinOp, GeluOptions as F } from '../format/schema.js';
import type { OpDef } from './op.js';
import { prepareUnary, runUnary, type UnaryPlan } from './util/unary.js';

/**
 * erf(x) to about 1e-15 relative error: Taylor series near 0, continued fraction
 * (Lentz) for the complement beyond.
 * @example erf(1) // 0.8427007929497149
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = a, sum = a;
    const x2 = a * a;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (a > 6) return x < 0 ? -1 : 1;
  // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...))))
  let f = a, c = a, d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = a + an * d; d = 1 / d;
    c = a + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

const K = Math.sqrt(2 / Math.PI);

export const GELU: OpDef<UnaryPlan> = {
  code: BuiltinOp.GELU,
  name: 'GELU',
  prepare(node) {
    const approximate = node.options ? node.options.bool(F.approximate, false) : false;
    const f = approximate
      ? (x: number) => 0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x * x * x)))
      : (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    return prepareUnary('GELU', node, f);
  },
  run: runUnary,
};
