import type { Attrs, FuseRule } from './registry.js';

/*
 * Helpers for the `fuse` expressions of op definitions (see FuseRule in
 * registry.ts). Each op's expression lives on its definition.
 */

/** A rule of one operand. @example fuse1((x) => `Math.exp(${x})`) */
export const fuse1 = <A extends Attrs>(f: (x: string, attrs: A) => string, calls?: FuseRule['calls']): FuseRule<A> =>
  ({ arity: 1, expr: ([x], a) => f(x, a), calls });

/** A rule of two operands. @example fuse2((x, y) => `${x} + ${y}`) */
export const fuse2 = <A extends Attrs>(f: (x: string, y: string, attrs: A) => string, calls?: FuseRule['calls']): FuseRule<A> =>
  ({ arity: 2, expr: ([x, y], a) => f(x, y, a), calls });

/** A numeric attr as JS source (attrs are checked numbers; anything else cannot be fused). */
export function num(v: unknown): string {
  if (typeof v !== 'number') throw new TypeError(`fused attr must be a number, got ${String(v)}`);
  return Object.is(v, -0) ? '-0' : String(v);
}

/** clampMap's rule: NaN passes, lo wins when lo > hi; null bounds are open. */
export function clampExpr(x: string, min: unknown, max: unknown): string {
  const lo = min === null ? '-Infinity' : num(min), hi = max === null ? 'Infinity' : num(max);
  return `(${x} !== ${x} ? ${x} : ${x} < ${lo} ? (${lo} > ${hi} ? ${hi} : ${lo}) : ${x} > ${hi} ? ${hi} : ${x})`;
}
