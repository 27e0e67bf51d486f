import { grad, recordGrad, setGradEnabled } from '../autograd.js';
import { zeros } from '../creation.js';
import { currentMode, withMode } from '../dispatch.js';
import type { Attrs, OpDef } from '../ops/registry.js';
import { TraceError, ValueError } from '../errors.js';
import { newValue, type Graph, type Value } from '../graph/ir.js';
import { fmtShape, shapesEqual, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { Tracer, asTracer } from './tracer.js';
import { flattenTree } from './tree.js';
import { checkOptions } from '../options.js';

function expectOneElement(pred: Tensor, where: string): void {
  if (pred.numel !== 1) throw new ValueError(`${where}: the predicate must have one element, got shape ${fmtShape(pred.shape)}`);
}

function predicate(pred: Tensor | boolean, where: string): boolean {
  if (typeof pred === 'boolean') return pred;
  expectOneElement(pred, where);
  return pred.item() !== 0;
}

/** Traces `fn` in a child tracer; returns its flattened results as values of the child graph. */
function traceBranch(parent: Tracer, fn: (...a: Tensor[]) => unknown, args: readonly Tensor[], where: string) {
  const child = new Tracer(parent, parent.born, parent.names);
  const params = args.map((a) => child.input({ shape: a.shape, dtype: a.dtype }));
  const result = withMode(child, () => fn(...params));
  const flat = flattenTree(result, where);
  child.graph.outputs = flat.leaves.map((t) => child.valueOf(t));
  return { child, flat };
}

/** Aligns the captures of several child traces on one list of outer values (subgraph inputs after `skip`). */
function unifyCaptures(children: Tracer[], skip: number): Value[] {
  const outer: Value[] = [];
  for (const c of children) for (const { outer: o } of c.captures) if (!outer.includes(o)) outer.push(o);
  for (const c of children) {
    const own = c.graph.inputs.slice(0, skip);
    const byOuter = new Map(c.captures.map((x) => [x.outer, x.inner]));
    c.graph.inputs = [...own, ...outer.map((o) => byOuter.get(o) ?? newValue(o.shape, o.dtype))];
  }
  return outer;
}

function checkSame(where: string, a: readonly Value[], b: readonly Value[], what: [string, string]): void {
  if (a.length !== b.length) throw new TraceError(`${where}: ${what[0]} returns ${a.length} tensors, ${what[1]} returns ${b.length}`);
  a.forEach((x, i) => {
    if (x.dtype !== b[i].dtype || !shapesEqual(x.shape, b[i].shape)) {
      throw new TraceError(`${where}: result ${i} is ${x.dtype}${fmtShape(x.shape)} in ${what[0]} but ${b[i].dtype}${fmtShape(b[i].shape)} in ${what[1]}`);
    }
  });
}

/**
 * Data-dependent branch that works eagerly (plain JS) and inside tg.jit (a
 * `cond` node with both branches as subgraphs). Both branches must return the
 * same structure of tensors with equal shapes and dtypes.
 * @example tg.jit((x) => tg.cond(x.sum().gt(0), () => x.mul(x), () => x.neg()))
 */
export function cond<T>(pred: Tensor | boolean, thenFn: () => T, elseFn: () => T): T {
  const tracer = asTracer(currentMode());
  if (!tracer || typeof pred === 'boolean' || !pred.isTraced) return predicate(pred, 'cond') ? thenFn() : elseFn();
  expectOneElement(pred, 'cond');
  const predValue = tracer.valueOf(pred);
  const a = traceBranch(tracer, thenFn, [], 'cond (then branch)');
  const b = traceBranch(tracer, elseFn, [], 'cond (else branch)');
  if (a.flat.shape !== b.flat.shape) throw new TraceError(`cond: the branches return different structures (${a.flat.shape} vs ${b.flat.shape})`);
  checkSame('cond', a.child.graph.outputs, b.child.graph.outputs, ['the then branch', 'the else branch']);
  const outer = unifyCaptures([a.child, b.child], 0);
  const outs = tracer.graph.addNode('cond', [predValue, ...outer.map((o) => tracer.valueOf(asTensor(o)))], {},
    a.child.graph.outputs, [a.child.graph, b.child.graph]);
  tracer.define(outs);
  const results = outs.map((v) => Tensor._traced(v.shape, v.dtype, v));
  const wrt = [...new Set([...a.child.outerTensors, ...b.child.outerTensors])].filter((t) => t.requiresGrad);
  recordGrad(condGrad(pred, thenFn, elseFn, wrt, results), wrt, results, {});
  return a.flat.rebuild(results) as T;
}

/**
 * The gradient of a traced cond: another cond whose branches re-run the
 * original branch and differentiate it (with respect to the outer tensors it
 * read), so the backward graph takes the branch the forward took.
 */
function condGrad<T>(pred: Tensor, thenFn: () => T, elseFn: () => T, wrt: Tensor[], results: Tensor[]): OpDef<Attrs> {
  const branch = (fn: () => T, gs: Tensor[]) => () => setGradEnabled(true, () => {
    const outs = flattenTree(fn(), 'cond gradient').leaves;
    const used = outs.map((o, i) => [o, gs[i]] as const).filter(([o]) => o.requiresGrad);
    const gr = used.length ? grad(used.map(([o]) => o), wrt, used.map(([, g]) => g), { allowUnused: true }) : wrt.map(() => null);
    return gr.map((g, i) => g ?? zeros(wrt[i].shape));
  });
  return {
    name: 'cond',
    onnx: { notExported: 'the exporter writes cond nodes as If from their subgraphs' },
    infer: () => { throw new TraceError('internal: cond is not an op of the table'); },
    forward: () => { throw new TraceError('internal: cond is not an op of the table'); },
    grad: ({ gradOutputs }) => {
      const gs = gradOutputs.map((g, i) => g ?? zeros(results[i].shape));
      return cond(pred, branch(thenFn, gs), branch(elseFn, gs));
    },
  };
}

/** A traced whileLoop records no backward graph: reaching it in backward is an error, never a silent zero. */
const WHILE_GRAD: OpDef<Attrs> = {
  name: 'while',
  onnx: { notExported: 'the exporter writes while nodes as Loop from their subgraphs' },
  infer: () => { throw new TraceError('internal: while is not an op of the table'); },
  forward: () => { throw new TraceError('internal: while is not an op of the table'); },
  grad: () => { throw new TraceError('gradients through tg.whileLoop inside tg.jit are not supported; unroll the loop in JS or use tg.cond'); },
};

export interface WhileOptions {
  /** Stop with an error after this many iterations (a guard against endless loops). */
  maxIterations?: number;
}

/**
 * Loop while `condFn(...vars)` is true, replacing `vars` by `bodyFn(...vars)`.
 * Eager: a JS loop; inside tg.jit: a `while` node with the condition and body
 * as subgraphs. The body must return tensors of the same shapes and dtypes.
 * @example const [i, acc] = tg.whileLoop((i, a) => i.lt(10), (i, a) => [i.add(1), a.mul(2)], [tg.tensor(0), tg.tensor(1)])
 */
export function whileLoop(
  condFn: (...vars: Tensor[]) => Tensor | boolean,
  bodyFn: (...vars: Tensor[]) => readonly Tensor[],
  loopVars: readonly Tensor[],
  opts: WhileOptions = {},
): Tensor[] {
  checkOptions('whileLoop', opts, ['maxIterations']);
  const max = opts.maxIterations ?? Infinity;
  const tracer = asTracer(currentMode());
  if (!tracer) {
    let vars = [...loopVars];
    for (let it = 0; predicate(condFn(...vars), 'whileLoop'); it++) {
      if (it >= max) throw new ValueError(`whileLoop: more than ${max} iterations (maxIterations)`);
      const next = bodyFn(...vars);
      checkBody(vars, next);
      vars = [...next];
    }
    return vars;
  }
  const c = traceBranch(tracer, (...v) => condFn(...v), loopVars, 'whileLoop condition');
  const b = traceBranch(tracer, (...v) => bodyFn(...v), loopVars, 'whileLoop body');
  const cOut = c.child.graph.outputs;
  if (cOut.length !== 1 || sizeOf(cOut[0].shape) !== 1) {
    throw new TraceError('whileLoop: the condition must return one one-element tensor');
  }
  checkSame('whileLoop', loopVars.map((t) => newValue(t.shape, t.dtype)), b.child.graph.outputs, ['the loop variables', 'the body']);
  const n = loopVars.length;
  const outer = unifyCaptures([c.child, b.child], n);
  const init = loopVars.map((t) => tracer.valueOf(t));
  const outs = tracer.graph.addNode('while', [...init, ...outer.map((o) => tracer.valueOf(asTensor(o)))],
    { numLoopVars: n, maxIterations: Number.isFinite(max) ? max : null }, b.child.graph.outputs, [c.child.graph, b.child.graph]);
  tracer.define(outs);
  const results = outs.map((v) => Tensor._traced(v.shape, v.dtype, v));
  const wrt = [...new Set([...loopVars, ...c.child.outerTensors, ...b.child.outerTensors])].filter((t) => t.requiresGrad);
  recordGrad(WHILE_GRAD, wrt, results, {});
  return results;
}

function checkBody(vars: readonly Tensor[], next: readonly Tensor[]): void {
  if (!Array.isArray(next) || next.length !== vars.length) {
    throw new ValueError(`whileLoop: the body must return ${vars.length} tensors (one per loop variable)`);
  }
  next.forEach((t, i) => {
    if (!shapesEqual(t.shape, vars[i].shape) || t.dtype !== vars[i].dtype) {
      throw new ValueError(`whileLoop: loop variable ${i} changes from ${vars[i].dtype}${fmtShape(vars[i].shape)} to ${t.dtype}${fmtShape(t.shape)}`);
    }
  });
}

/** A traced tensor standing for a value already resolved in the parent trace. */
function asTensor(v: Value): Tensor {
  return Tensor._traced(v.shape, v.dtype, v);
}

export type { Graph };
