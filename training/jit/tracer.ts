import type { Mode } from '../dispatch.js';
import { TraceError } from '../errors.js';
import { Graph, newValue, type Value, type VariableRef } from '../graph/ir.js';
import type { Attrs, OpDef, TensorMeta } from '../ops/registry.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * The tracing mode: every op call appends a node to a graph instead of
 * running a kernel. Eager tensors met while tracing become graph variables
 * (read by reference on every run) unless they were created inside the trace
 * from JS data, which makes them constants. A child tracer records a
 * `tg.cond` branch or `tg.whileLoop` body; values of enclosing traces it reads
 * become explicit captures (extra subgraph inputs).
 */
export class Tracer implements Mode {
  readonly name = 'trace';
  readonly graph = new Graph();
  /** Outer values read by this (child) trace, with the subgraph input standing for each. */
  readonly captures: { outer: Value; inner: Value }[] = [];
  /** Child only: tensors from enclosing scopes this trace read (what a branch's gradient is taken with respect to). */
  readonly outerTensors: Tensor[] = [];
  /** Root only: eager tensors bound to graph values (variables, constants, rebinds after assign). */
  private readonly bound = new Map<Tensor, Value>();
  /** Root only: the eager tensor behind each variable (for gradients written back after a run). */
  readonly variableTensors = new Map<Value, Tensor>();
  private readonly defined = new Set<Value>();
  private readonly captured = new Map<Value, Value>();
  private readonly root: Tracer;

  constructor(
    readonly parent: Tracer | null,
    /** Eager tensors created while tracing (they become constants, detached views excepted). */
    readonly born: Births,
    /** Names for variables (module parameter names). */
    readonly names: Map<Tensor, string>,
  ) {
    this.root = parent ? parent.root : this;
  }

  /** A traced tensor standing for a new graph input. */
  input(meta: TensorMeta, name?: string, requiresGrad = false): Tensor {
    const v = newValue(meta.shape, meta.dtype, name);
    this.graph.inputs.push(v);
    this.defined.add(v);
    const t = Tensor._traced(v.shape, v.dtype, v);
    if (requiresGrad && v.dtype === 'float32') t.requiresGrad = true;
    return t;
  }

  /** Marks values produced by a node added directly to this trace's graph. */
  define(values: readonly Value[]): void {
    for (const v of values) this.defined.add(v);
  }

  apply(op: OpDef<Attrs>, inputs: readonly Tensor[], attrs: Attrs): Tensor[] {
    if (op.name === 'assign' && this.parent) {
      throw new TraceError('assign inside a tg.cond branch or tg.whileLoop body is not supported; compute the new value with tg.cond and assign it outside');
    }
    const ins = inputs.map((t) => this.valueOf(t, op.name === 'assign' && t === inputs[0]));
    const metas = op.infer(inputs, attrs);
    const outs = this.graph.addNode(op.name, ins, { ...attrs }, metas);
    for (const v of outs) this.defined.add(v);
    // Later reads of an assigned tensor see the new value (functional state: commits happen after a run).
    if (op.name === 'assign') this.root.bound.set(inputs[0], outs[0]);
    return outs.map((v) => Tensor._traced(v.shape, v.dtype, v));
  }

  /** The value of `t` in this trace (binding eager tensors and capturing outer values as needed). */
  valueOf(t: Tensor, assignTarget = false): Value {
    const root = this.root;
    let v = root.bound.get(t);
    if (v === undefined) {
      if (t.isTraced) {
        if (!(t._trace && typeof t._trace === 'object' && 'id' in t._trace)) {
          throw new TraceError(`a traced tensor ${fmtShape(t.shape)} from another tracing context was used here`);
        }
        v = t._trace as Value;
      } else {
        v = root.bind(t, assignTarget);
      }
    } else if (assignTarget && !t.isTraced) {
      root.promote(t, v);
    }
    if (this.parent && !this.defined.has(v) && !this.outerTensors.includes(t)) this.outerTensors.push(t);
    return this.resolve(v);
  }

  /** Makes `v` (defined in this trace or an enclosing one) usable here. */
  private resolve(v: Value): Value {
    if (this.defined.has(v)) return v;
    const memo = this.captured.get(v);
    if (memo) return memo;
    if (!this.parent) {
      throw new TraceError(`a traced tensor ${fmtShape(v.shape)} escaped its tg.jit trace (or comes from another one) and was used here`);
    }
    const outer = this.parent.resolve(v);
    const inner = newValue(v.shape, v.dtype);
    this.graph.inputs.push(inner);
    this.defined.add(inner);
    this.captured.set(v, inner);
    this.captures.push({ outer, inner });
    return inner;
  }

  /** Root: binds an eager tensor as a constant (born in the trace) or a variable. */
  private bind(t: Tensor, assignTarget: boolean): Value {
    const source = this.born.detachedFrom.get(t);
    if (source) {
      // x.detach() of an outside tensor shares its storage: it reads the same variable.
      const v = this.valueOf(source, assignTarget);
      this.bound.set(t, v);
      return v;
    }
    const data = t._values('jit');
    let v: Value;
    if (this.born.tensors.has(t) && !assignTarget) {
      v = this.graph.addConstant(t.shape, t.dtype, data);
    } else {
      v = this.graph.addVariable(t.shape, t.dtype, this.nameFor(t), refOf(t));
      this.variableTensors.set(v, t);
    }
    this.defined.add(v);
    this.bound.set(t, v);
    return v;
  }

  /** Root: a tensor first read as a constant and later assigned is state: make it a variable. */
  private promote(t: Tensor, current: Value): void {
    const i = this.graph.constants.findIndex((c) => c.value === current);
    if (i < 0) return;
    this.graph.constants.splice(i, 1);
    const name = this.nameFor(t);
    current.name = name;
    this.graph.variables.push({ value: current, name, ref: refOf(t) });
    this.variableTensors.set(current, t);
  }

  private nameFor(t: Tensor): string {
    const taken = new Set(this.graph.variables.map((x) => x.name));
    const base = this.names.get(t) ?? `var${this.graph.variables.length}`;
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    return name;
  }
}

/** How a graph variable reads and writes the eager tensor it stands for. */
function refOf(t: Tensor): VariableRef {
  return {
    read: () => t._values('jit variable'),
    version: () => t._version,
    write: (s) => t._assign(s),
  };
}

/** Eager tensors created during a trace, and which of them are detached views of outside tensors. */
export class Births {
  readonly tensors = new WeakSet<Tensor>();
  readonly detachedFrom = new WeakMap<Tensor, Tensor>();
}

/**
 * Runs `fn` while recording every eager tensor created (from JS data) into
 * `born`. Tensor creation has one entry point, `Tensor._fromStorage`; it is
 * wrapped for the duration of the trace only, and so is `detach` (a detached
 * outside tensor shares its storage, so it must stay a variable, not a constant).
 */
export function recordingBirths<T>(born: Births, fn: () => T): T {
  const host = Tensor as unknown as { _fromStorage: typeof Tensor._fromStorage };
  const original = host._fromStorage;
  const originalDetach = Object.getOwnPropertyDescriptor(Tensor.prototype, 'detach')!;
  host._fromStorage = function (shape, dtype, storage) {
    const t = original.call(Tensor, shape, dtype, storage);
    born.tensors.add(t);
    return t;
  };
  Object.defineProperty(Tensor.prototype, 'detach', {
    ...originalDetach,
    value(this: Tensor) {
      const d = (originalDetach.value as () => Tensor).call(this);
      if (!this.isTraced) born.detachedFrom.set(d, born.detachedFrom.get(this) ?? this);
      return d;
    },
  });
  try {
    return fn();
  } finally {
    host._fromStorage = original;
    Object.defineProperty(Tensor.prototype, 'detach', originalDetach);
  }
}

/** The innermost active tracer, if any. */
export function asTracer(mode: Mode): Tracer | null {
  return mode instanceof Tracer ? mode : null;
}
