import { isGradEnabled, markJitResult } from '../autograd.js';
import { withMode, currentMode } from '../dispatch.js';
import type { DType, Storage } from '../dtype.js';
import { TraceError } from '../errors.js';
import { Graph, type Value } from '../graph/ir.js';
import { optimize } from './optimize.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { compileGraph, type Executable } from './executor.js';
import { fromSamples } from './specialize.js';
import { Births, Tracer, asTracer, recordingBirths } from './tracer.js';
import { flattenTree } from './tree.js';
import { checkOptions, keysOf } from '../options.js';

/** Expected shape (null or -1: any size) and dtype of one tensor argument. */
export interface TensorSpec {
  shape?: readonly (number | null)[];
  dtype?: DType;
}

export interface JitOptions {
  /**
   * One entry per positional argument (null: no constraint). Free dims (null or -1) avoid retracing:
   * after traces at two sizes, other sizes are instantiated from them (see `fromSamples`).
   */
  inputSignature?: readonly (TensorSpec | null)[];
  /** Run the optimizer passes (default true). */
  optimize?: boolean;
  /** Names of the arguments, used for graph inputs and errors. */
  argNames?: readonly string[];
  /** Compiled signatures kept (least recently compiled dropped first; default 32). */
  maxSignatures?: number;
  /** Modules a plain function uses: their parameter names label variables, their train/eval mode keys the cache. */
  modules?: readonly object[];
}

/** Something with a forward method (an nn.Module). */
export interface Forwardable {
  forward(...args: never[]): unknown;
}

/** What `tg.jit` returns: the function, plus access to its graphs. */
export interface JitFunction<A extends unknown[], R> {
  (...args: A): R;
  /** The traced graph for these arguments (tracing, without running, if needed). */
  graphFor(...args: A): Graph;
  /** The graph the executor runs for these arguments (after the optimizer passes). */
  optimizedGraphFor(...args: A): Graph;
  /** How many times the function was traced. */
  readonly traceCount: number;
}

interface Entry {
  graph: Graph;
  optimized: Graph;
  exe: Executable;
  outputs: { rebuild: (leaves: readonly Tensor[]) => unknown; count: number };
  gradTargets: Tensor[];
  /** Values of free dims at trace time (for safe respecialization). */
  traced: readonly (readonly number[])[];
}

type Callable = (...args: unknown[]) => unknown;

/**
 * Compiles `fn` (a function of tensors, or a module) into a static graph on
 * its first call for each input signature, then runs the optimized graph.
 * Parameters and other eager tensors the function reads are graph variables
 * (training updates them); `backward()`, `tg.grad` and optimizer steps inside
 * `fn` become part of the graph. Results carry no autograd history: take
 * gradients inside `fn` (a compiled training step), not of its results.
 * JS values `fn` reads (numbers in closures, options) are baked in at trace
 * time: pass values that change as arguments (non-tensor arguments are part
 * of the signature) or as tensors (like the optimizers' learning rate).
 * Likewise, eager work that bypasses ops (`clone()`, `data()`, `tg.tensor(t)`)
 * runs once, at trace time, and its result is a constant.
 * @example
 * const f = tg.jit((x: tg.Tensor) => x.mul(2).add(1).relu());
 * f(tg.tensor([-1, 2])); // [0, 5]
 * console.log(f.graphFor(tg.tensor([-1, 2])).toString());
 */
export function jit<M extends Forwardable>(module: M, opts?: JitOptions): JitFunction<Parameters<M['forward']>, ReturnType<M['forward']>>;
export function jit<A extends unknown[], R>(fn: (...args: A) => R, opts?: JitOptions): JitFunction<A, R>;
export function jit<A extends unknown[], R>(fn: ((...args: A) => R) | Forwardable, opts: JitOptions = {}): JitFunction<A, R> {
  checkOptions('jit', opts, keysOf<JitOptions>({ inputSignature: true, optimize: true, argNames: true, maxSignatures: true, modules: true }));
  const call: Callable = typeof fn === 'function'
    ? (fn as Callable)
    : (...args) => (fn.forward as (...a: unknown[]) => unknown).call(fn, ...args);
  const names = new Map<Tensor, string>();
  const scoped: object[] = [...(typeof fn === 'function' ? [] : [fn]), ...(opts.modules ?? [])];
  for (const m of scoped) {
    for (const [t, name] of parameterNames(m)) if (!names.has(t)) names.set(t, name);
  }
  const cache = new Map<string, Entry>();
  const bySpec = new Map<string, Entry[]>();
  let traceCount = 0;

  const entryFor = (args: unknown[]): { entry: Entry; leaves: Tensor[] } => {
    const flat = flattenTree(args, 'jit arguments');
    checkSignature(args, opts);
    // Module modes (train/eval) and grad mode change what the function traces: they are part of the signature.
    const modes = scoped.map((m) => ((m as { training?: unknown }).training === false ? 'e' : 't')).join('') + (isGradEnabled() ? 'g' : 'n');
    const key = `${modes}|${flat.shape}|${flat.leaves.map((t) => `${t.dtype}${fmtShape(t.shape)}`).join(';')}`;
    let entry = cache.get(key);
    if (!entry) {
      const specKey = specKeyOf(`${modes}|${flat.shape}`, flat.leaves, args, opts);
      const samples = (specKey && bySpec.get(specKey)) || [];
      const shapes = flat.leaves.map((t) => t.shape);
      const g = samples.length > 1 ? fromSamples(samples[0], samples[1], shapes) : null;
      if (g) {
        entry = finish(g, samples[0].outputs, samples[0].gradTargets, shapes, opts);
      } else {
        entry = trace(call, flat, names, opts);
        traceCount++;
        if (specKey && samples.length < 2) bySpec.set(specKey, [...samples, entry]);
      }
      cache.set(key, entry);
      // Keep the most recent signatures only (each holds its buffers and packed weights).
      if (cache.size > (opts.maxSignatures ?? 32)) cache.delete(cache.keys().next().value!);
    }
    return { entry, leaves: flat.leaves };
  };

  const wrapped = ((...args: A): R => {
    if (asTracer(currentMode())) return call(...args) as R; // nested in another trace: inline
    const { entry, leaves } = entryFor(args);
    const res = entry.exe.run(leaves.map((t) => t._values('jit argument')));
    const outs = res.slice(0, entry.outputs.count).map((s, i) => markJitResult(toTensor(s, entry.graph.outputs[i])));
    entry.gradTargets.forEach((t, i) => {
      const v = entry.graph.outputs[entry.outputs.count + i];
      t.grad = toTensor(res[entry.outputs.count + i], v);
    });
    return entry.outputs.rebuild(outs) as R;
  }) as JitFunction<A, R>;
  Object.defineProperty(wrapped, 'traceCount', { get: () => traceCount });
  wrapped.graphFor = (...args: A) => entryFor(args).entry.graph;
  wrapped.optimizedGraphFor = (...args: A) => entryFor(args).entry.optimized;
  return wrapped;
}

function toTensor(s: Storage, v: Value): Tensor {
  return Tensor._fromStorage(v.shape, v.dtype, s);
}

function trace(call: Callable, flat: ReturnType<typeof flattenTree>, names: Map<Tensor, string>, opts: JitOptions): Entry {
  const born = new Births();
  const tracer = new Tracer(null, born, names);
  const placeholders = flat.leaves.map((t, i) => tracer.input({ shape: t.shape, dtype: t.dtype }, opts.argNames?.[i] ?? `arg${i}`, t.requiresGrad));
  const result = recordingBirths(born, () => withMode(tracer, () => call(...(flat.rebuild(placeholders) as unknown[]))));
  const out = recordingBirths(born, () => flattenTree(result, 'jit'));
  const graph = tracer.graph;
  graph.outputs = out.leaves.map((t) => tracer.valueOf(t));
  // Gradients computed inside the trace (backward()) are written back to `.grad` after each run.
  const gradTargets: Tensor[] = [];
  for (const t of tracer.variableTensors.values()) {
    if (t.grad && t.grad.isTraced) {
      graph.outputs.push(tracer.valueOf(t.grad));
      gradTargets.push(t);
      t.grad = null;
    }
  }
  return finish(graph, { rebuild: out.rebuild, count: out.leaves.length }, gradTargets, flat.leaves.map((t) => t.shape), opts);
}

function finish(graph: Graph, outputs: Entry['outputs'], gradTargets: Tensor[], traced: Entry['traced'], opts: JitOptions): Entry {
  const optimized = opts.optimize === false ? graph.clone() : optimize(graph.clone());
  return { graph, optimized, exe: compileGraph(optimized), outputs, gradTargets, traced };
}

/** Checks tensor arguments against `inputSignature`, naming the argument on mismatch. */
function checkSignature(args: unknown[], opts: JitOptions): void {
  const sig = opts.inputSignature;
  if (!sig) return;
  sig.forEach((spec, i) => {
    if (!spec) return;
    const a = args[i];
    const name = opts.argNames?.[i] ? `argument ${i} ('${opts.argNames[i]}')` : `argument ${i}`;
    if (!(a instanceof Tensor)) throw new TraceError(`jit: ${name} must be a tensor by the inputSignature, got ${typeof a}`);
    if (spec.dtype && a.dtype !== spec.dtype) throw new TraceError(`jit: ${name} has dtype ${a.dtype}, the inputSignature expects ${spec.dtype}`);
    if (spec.shape) {
      const want = spec.shape.map((d) => (d === null || d === -1 ? '?' : String(d))).join(', ');
      if (a.ndim !== spec.shape.length) throw new TraceError(`jit: ${name} has shape ${fmtShape(a.shape)} (rank ${a.ndim}), the inputSignature expects rank ${spec.shape.length} [${want}]`);
      spec.shape.forEach((d, k) => {
        if (d !== null && d !== -1 && a.shape[k] !== d) throw new TraceError(`jit: ${name} has shape ${fmtShape(a.shape)}, the inputSignature expects [${want}] (dim ${k})`);
      });
    }
  });
}

/** Cache key with free dims masked (null when the signature frees no dim). */
function specKeyOf(structure: string, leaves: Tensor[], args: unknown[], opts: JitOptions): string | null {
  const sig = opts.inputSignature;
  if (!sig || !sig.some((s) => s?.shape?.some((d) => d === null || d === -1))) return null;
  const pos = new Map(args.map((a, i) => [a, i]));
  return `${structure}|${leaves.map((t) => {
    const spec = sig[pos.get(t) ?? -1]?.shape;
    return `${t.dtype}[${t.shape.map((d, k) => (spec && (spec[k] === null || spec[k] === -1) ? '?' : d)).join(',')}]`;
  }).join(';')}`;
}

/** Parameter and buffer names of a module, for readable variable names. */
function parameterNames(m: object): Map<Tensor, string> {
  const names = new Map<Tensor, string>();
  for (const method of ['namedParameters', 'namedBuffers']) {
    const f = (m as Record<string, unknown>)[method];
    if (typeof f !== 'function') continue;
    const list = f.call(m) as Iterable<[string, Tensor]> | Record<string, Tensor>;
    const entries = Symbol.iterator in Object(list) ? [...(list as Iterable<[string, Tensor]>)] : Object.entries(list);
    for (const [name, t] of entries) if (t instanceof Tensor && !names.has(t)) names.set(t, name);
  }
  return names;
}
