/**
 * Static mode: tg.jit traces functions into graphs and runs them optimized;
 * tg.cond / tg.whileLoop / tg.print work in both modes.
 * @example
 * const f = tg.jit((x: tg.Tensor) => tg.cond(x.sum().gt(0), () => x.mul(x), () => x.neg()));
 * f(tg.tensor([1, 2, 3])); // [1, 4, 9]
 */
export { jit, type JitOptions, type JitFunction, type TensorSpec, type Forwardable } from './jit.js';
export { cond, whileLoop, type WhileOptions } from './control.js';
export { print } from './print.js';
export { Graph, formatGraph, type Node, type Value, type Variable, type VariableRef, type Constant } from '../graph/ir.js';
