import type { Attrs } from '../../ops/registry.js';

/**
 * Scalar expressions of the elementwise ops the jit fuses, as JS source over
 * operand names. Each mirrors the op's eager kernel exactly (the fusion tests
 * compare every entry with eager results); ops missing here are not fused.
 * Generated kernels declare two-slot Float64Array scratches `sel` (sel[0] = 0)
 * and `sw` that selects use instead of branches on data.
 */
export interface ScalarOp {
  readonly arity: number;
  expr(a: readonly string[], attrs: Attrs): string;
}

const u = (f: (x: string) => string): ScalarOp => ({ arity: 1, expr: ([x]) => f(x) });
const b = (f: (x: string, y: string) => string): ScalarOp => ({ arity: 2, expr: ([x, y]) => f(x, y) });

/** A numeric attr as JS source (attrs are checked numbers; anything else cannot be fused). */
function num(v: unknown): string {
  if (typeof v !== 'number') throw new TypeError(`fused attr must be a number, got ${String(v)}`);
  return Object.is(v, -0) ? '-0' : String(v);
}

/** clampMap's rule: NaN passes, lo wins when lo > hi. */
function clampExpr(x: string, min: unknown, max: unknown): string {
  const lo = min === null ? '-Infinity' : num(min), hi = max === null ? 'Infinity' : num(max);
  return `(${x} !== ${x} ? ${x} : ${x} < ${lo} ? (${lo} > ${hi} ? ${hi} : ${lo}) : ${x} > ${hi} ? ${hi} : ${x})`;
}

export const SCALAR_OPS: Readonly<Record<string, ScalarOp>> = {
  add: b((x, y) => `${x} + ${y}`),
  sub: b((x, y) => `${x} - ${y}`),
  mul: b((x, y) => `${x} * ${y}`),
  div: b((x, y) => `${x} / ${y}`),
  pow: b((x, y) => `Math.pow(${x}, ${y})`),
  maximum: b((x, y) => `(${x} !== ${x} || ${y} !== ${y} ? NaN : Math.max(${x}, ${y}))`),
  minimum: b((x, y) => `(${x} !== ${x} || ${y} !== ${y} ? NaN : Math.min(${x}, ${y}))`),
  eq: b((x, y) => `(${x} === ${y} ? 1 : 0)`),
  ne: b((x, y) => `(${x} !== ${y} ? 1 : 0)`),
  lt: b((x, y) => `(${x} < ${y} ? 1 : 0)`),
  le: b((x, y) => `(${x} <= ${y} ? 1 : 0)`),
  gt: b((x, y) => `(${x} > ${y} ? 1 : 0)`),
  ge: b((x, y) => `(${x} >= ${y} ? 1 : 0)`),
  neg: u((x) => `-${x}`),
  abs: u((x) => `Math.abs(${x})`),
  sign: u((x) => `Math.sign(${x})`),
  sqrt: u((x) => `Math.sqrt(${x})`),
  rsqrt: u((x) => `1 / Math.sqrt(${x})`),
  exp: u((x) => `Math.exp(${x})`),
  log: u((x) => `Math.log(${x})`),
  log1p: u((x) => `Math.log1p(${x})`),
  sin: u((x) => `Math.sin(${x})`),
  cos: u((x) => `Math.cos(${x})`),
  tanh: u((x) => `Math.tanh(${x})`),
  // e = exp(-|x|) is exp(-x) for x >= 0 and exp(x) below: both branches of the eager kernel, selected without a branch.
  sigmoid: u((x) => `(sw[0] = Math.exp(-Math.abs(${x})), sw[1] = 1 / (1 + sw[0]), sw[0] = sw[0] / (1 + sw[0]), sw[+(${x} >= 0)])`),
  // Branch-free for finite x (a sign-dependent branch mispredicts half the time: ~5x slower);
  // NaN passes and -Infinity gives 0, as the eager kernel does.
  relu: u((x) => `(${x} > -Infinity || ${x} !== ${x} ? (${x} + Math.abs(${x})) * 0.5 : 0)`),
  // A select through the kernel's two-slot scratch `sel` (sel[0] = 0) instead of a branch: ~5x faster on random signs.
  reluGrad: b((g, x) => `(sel[1] = ${g}, sel[+(${x} > 0)])`),
  leakyRelu: { arity: 1, expr: ([x], a) => `(sw[0] = ${x} * ${num(a.negativeSlope)}, sw[1] = ${x}, sw[+(${x} > 0)])` },
  elu: { arity: 1, expr: ([x], a) => `(sw[0] = ${num(a.alpha)} * Math.expm1(${x}), sw[1] = ${x}, sw[+(${x} > 0)])` },
  silu: u((x) => `${x} / (1 + Math.exp(-${x}))`),
  clamp: { arity: 1, expr: ([x], a) => clampExpr(x, a.min, a.max) },
  hardtanh: { arity: 1, expr: ([x], a) => clampExpr(x, a.min, a.max) },
  // Selects through the two-slot scratch `sw` rather than a branch on data (see reluGrad).
  where: { arity: 3, expr: ([c, x, y]) => `(sw[0] = ${y}, sw[1] = ${x}, sw[+(${c} !== 0)])` },
};
