/**
 * The interpreter: turns a parsed model into runnable subgraphs. At load every op
 * is resolved (all unsupported ops reported at once) and prepared, then one arena
 * per subgraph is planned from tensor lifetimes. `run` calls each op's `run` in
 * order with no allocation. A new input shape re-prepares and re-plans the subgraph.
 * Arenas live in the backend's growable memory when it has one (the CPU backend: the
 * WASM kernels' memory, read and written in place): tensors re-take their views when
 * that memory grew, and a run freezes it so that views held by ops stay valid.
 *
 * ```ts
 * const interp = new Interpreter(parseModel(bytes), await createBackend('cpu'));
 * const main = interp.subgraph(0);
 * main.inputTensors[0].data.set(x);
 * main.run();
 * main.outputTensors[0].data; // results, valid until the next run
 * ```
 */
import type { ArenaBlock, Backend } from './backends/backend.js';
import {
  KernelError, LiteError, LimitError, UnsupportedOpError, fmtShape, type UnsupportedOp,
} from './format/errors.js';
import type { ModelDef, OperatorDef, SubgraphDef, TensorDef } from './format/model.js';
import { copyData, elemBytes, emptyTyped, numElements, typedView } from './format/typed.js';
import type { LiteDType, LiteOp, OpNode, OptionsTable, Quantization, RtTensor, TypedArray } from './ops/op.js';
import { planArena, type PlanItem } from './planner.js';
import { BuiltinOp } from './format/schema.js';
import { handleBytes, releaseHandles } from './kernels/index.js';
import { requantMode, setRequantMode, type RequantMode } from './ops/util/requant.js';

export interface InterpreterOptions {
  /** Largest arena one subgraph may plan, in bytes (default 1 GiB). */
  maxArenaBytes?: number;
  /** Largest tensor an op may produce, in bytes (default 1 GiB). */
  maxTensorBytes?: number;
  /** Most iterations one WHILE may run (default 1,000,000). */
  maxLoopIterations?: number;
  /** The int8 requantization arithmetic of this model's ops (default: `setRequantMode`'s, 'fp32'). */
  requant?: RequantMode;
}

/**
 * A tensor of a loaded model. Its shape is checked whenever an op (or a resize) sets it,
 * so an op asked for a huge output fails before it builds anything that size.
 */
class Tensor implements RtTensor {
  dtype: LiteDType;
  private dims: number[];
  private view: TypedArray;
  /** Set while the tensor lives in a growable arena: its block, byte offset in it and element count. */
  private arena: ArenaBlock | null = null;
  private at = 0;
  private count = 0;
  quant?: Quantization;
  isConst: boolean;
  /** Computed at prepare from constants (folded); then constant until the next prepare. */
  folded = false;
  constructor(readonly index: number, readonly name: string, def: TensorDef, private readonly maxBytes: number) {
    this.dtype = def.dtype;
    this.dims = def.shape.slice();
    this.isConst = def.data !== null && !def.isVariable;
    this.view = def.data ?? emptyTyped(def.dtype);
    if (def.quant) this.quant = def.quant;
  }

  /** The elements; in a growable arena, a view re-taken when the memory grew (old views read as empty). */
  get data(): TypedArray {
    const v = this.view;
    if (this.arena === null || v.length === this.count) return v;
    this.view = typedView(this.dtype, this.arena.buffer, this.arena.offset + this.at, this.count);
    return this.view;
  }

  set data(v: TypedArray) {
    this.view = v;
    this.arena = null;
  }

  /** Places the tensor at byte `at` of an arena block in growable memory. */
  bindArena(arena: ArenaBlock, at: number, count: number): void {
    this.arena = arena;
    this.at = at;
    this.count = count;
    this.view = typedView(this.dtype, arena.buffer, arena.offset + at, count);
  }

  get shape(): number[] {
    return this.dims;
  }

  set shape(shape: number[]) {
    let bytes = elemBytes(this.dtype);
    let ok = Array.isArray(shape);
    for (let i = 0; ok && i < shape.length; i++) {
      const d = shape[i]!;
      ok = Number.isInteger(d) && d >= 0;
      bytes *= d;
    }
    if (!ok || !(bytes <= this.maxBytes)) {
      throw new LimitError(`tensor ${this.index} '${this.name}' got shape ${fmtShape(Array.isArray(shape) ? shape : [])} (${bytes} bytes, limit ${this.maxBytes})`);
    }
    this.dims = shape;
  }
}

/** A variable tensor's initial value: its buffer, else zeros (int8: its zero point, as TFLite's ResetVariableTensor). */
function initVariable(d: TypedArray, t: TensorDef): void {
  if (t.data) copyData(d, t.data);
  else if (t.dtype === 'int8') (d as Int8Array).fill(t.quant?.zeroPoint[0] ?? 0);
  else new Uint8Array(d.buffer, d.byteOffset, d.byteLength).fill(0);
}

class Node implements OpNode {
  constructor(
    readonly index: number,
    readonly inputs: ReadonlyArray<RtTensor | null>,
    readonly outputs: ReadonlyArray<RtTensor>,
    readonly options: OptionsTable | null,
    readonly version: number,
    private readonly owner: Interpreter,
    private readonly calls: ReadonlyArray<number>,
    readonly intermediates: ReadonlyArray<RtTensor> = [],
  ) {}

  get maxLoopIterations(): number | undefined {
    return this.owner.maxLoopIterations;
  }

  runSubgraph(index: number, inputs: RtTensor[], outputs: RtTensor[]): void {
    this.owner.callSubgraph(this.check(index), inputs, outputs);
  }

  prepareSubgraph(index: number, inputs: ReadonlyArray<RtTensor>): ReadonlyArray<RtTensor> {
    return this.owner.prepareCall(this.check(index), inputs);
  }

  private check(index: number): number {
    if (!this.calls.includes(index)) throw new KernelError('subgraph call', this.index, `subgraph ${index} is not named by this op's options`);
    return index;
  }
}

/** One prepared op of a subgraph (see `SubgraphRunner.preparedSteps`). */
export interface Step {
  op: LiteOp;
  node: Node;
  state: unknown;
  /** Ran at prepare (all inputs constant): skipped by `run`. */
  folded: boolean;
}

/**
 * Ops never folded even with constant inputs: their results are not a function of
 * their inputs alone (random, resources, subgraphs with state).
 */
const NO_FOLD = new Set<number>([
  BuiltinOp.IF, BuiltinOp.WHILE, BuiltinOp.CALL_ONCE, BuiltinOp.CALL, BuiltinOp.CUSTOM, BuiltinOp.DELEGATE,
  BuiltinOp.RANDOM_STANDARD_NORMAL, BuiltinOp.RANDOM_UNIFORM, BuiltinOp.MULTINOMIAL,
  BuiltinOp.VAR_HANDLE, BuiltinOp.READ_VARIABLE, BuiltinOp.ASSIGN_VARIABLE,
  BuiltinOp.HASHTABLE, BuiltinOp.HASHTABLE_FIND, BuiltinOp.HASHTABLE_IMPORT, BuiltinOp.HASHTABLE_SIZE,
]);

/** Wraps a non-LiteError thrown by an op (a bug or a host error) into a KernelError naming it. */
function wrap(e: unknown, op: string, node: number, sg: number, phase: string): LiteError {
  if (e instanceof KernelError && e.subgraph === undefined && sg !== 0) {
    const err = new KernelError(e.op, e.node, e.detail, sg);
    (err as Error & { cause?: unknown }).cause = e;
    return err;
  }
  if (e instanceof LiteError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const err = new KernelError(op, node, `${phase} failed: ${msg}`, sg);
  (err as Error & { cause?: unknown }).cause = e;
  return err;
}

/** One subgraph: its tensors, prepared steps and arena. */
export class SubgraphRunner {
  readonly tensors: Tensor[];
  readonly inputTensors: RtTensor[];
  readonly outputTensors: RtTensor[];
  arenaBytes = 0;
  prepared = false;
  private readonly steps: Step[];
  private readonly outputSet: Set<number>;
  private readonly lifetimes: { first: number; last: number }[];
  private readonly planned: number[];
  private arena: ArrayBuffer | null = null;
  /** The arena when it lives in the kernels' growable memory (then `arena` is null). */
  private block: ArenaBlock | null = null;

  constructor(readonly def: SubgraphDef, private readonly owner: Interpreter) {
    this.tensors = def.tensors.map((t) => new Tensor(t.index, t.name, t, owner.maxTensorBytes));
    for (const t of def.tensors) {
      if (t.isVariable) this.tensors[t.index]!.data = owner.variableData(def.index, t);
    }
    this.inputTensors = def.inputs.map((i) => this.tensors[i]!);
    this.outputTensors = def.outputs.map((i) => this.tensors[i]!);
    this.outputSet = new Set(def.outputs);
    this.steps = def.operators.map((o) => this.makeStep(o));
    // Lifetimes over steps: inputs from -1, outputs to the end.
    const n = def.operators.length;
    this.lifetimes = def.tensors.map(() => ({ first: Infinity, last: -Infinity }));
    const touch = (t: number, step: number): void => {
      const l = this.lifetimes[t]!;
      l.first = Math.min(l.first, step);
      l.last = Math.max(l.last, step);
    };
    for (const t of def.inputs) touch(t, -1);
    def.operators.forEach((o, k) => {
      for (const t of o.outputs) touch(t, k);
      for (const t of o.inputs) if (t >= 0) touch(t, k);
    });
    for (const t of def.outputs) touch(t, n);
    this.planned = def.tensors
      .filter((t) => t.data === null && !t.isVariable && Number.isFinite(this.lifetimes[t.index]!.first))
      .map((t) => t.index);
  }

  private makeStep(o: OperatorDef): Step {
    const op = this.owner.backend.resolve(o.code)!;
    const inputs = o.inputs.map((i) => (i < 0 ? null : this.tensors[i]!));
    const outputs = o.outputs.map((i) => this.tensors[i]!);
    const node = new Node(o.index, inputs, outputs, o.options, o.version, this.owner, o.calls, o.intermediates.map((i) => this.tensors[i]!));
    return { op, node, state: undefined, folded: false };
  }

  /** Sets input `k`'s shape; the next run re-prepares when it changed. */
  setInputShape(k: number, shape: ReadonlyArray<number>): void {
    const t = this.inputTensors[k]!;
    if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return;
    t.shape = shape.slice();
    this.prepared = false;
  }

  /**
   * Prepares every op in order (shapes, per-node state), then plans and binds the arena.
   * Ops whose inputs are all constant (or SHAPE, which reads only its input's shape) are
   * folded: run once here into their own storage, their outputs then count as constants
   * for the ops after them (e.g. fp16 weights dequantized once, SHAPE -> RESHAPE chains).
   */
  prepare(): void {
    // the ops read the requantization arithmetic while they prepare: this model's, for that long
    const prev = requantMode();
    setRequantMode(this.owner.requant);
    try { this.prepareOps(); } finally { setRequantMode(prev); }
  }

  private prepareOps(): void {
    const sg = this.def.index;
    const max = this.owner.maxTensorBytes;
    this.foldedBytes = 0;
    for (const t of this.tensors) {
      if (t.folded) {
        t.folded = false;
        t.isConst = false;
        t.data = emptyTyped(t.dtype);
      }
    }
    for (const s of this.steps) {
      releaseHandles(s.state);
      s.state = undefined;
      try {
        s.state = s.op.prepare(s.node);
      } catch (e) {
        if (e instanceof LimitError) throw new KernelError(s.op.name, s.node.index, e.message, sg);
        throw wrap(e, s.op.name, s.node.index, sg, 'prepare');
      }
      for (const out of s.node.outputs) {
        const bytes = numElements(out.shape) * elemBytes(out.dtype);
        if (!out.shape.every((d) => Number.isInteger(d) && d >= 0) || !(bytes <= max)) {
          throw new KernelError(s.op.name, s.node.index, `output '${out.name}' got shape ${fmtShape(out.shape)} (${bytes} bytes, limit ${max})`, sg);
        }
      }
      s.folded = this.foldable(s);
      if (s.folded) this.fold(s);
    }
    this.plan();
    this.prepared = true;
  }

  /** Bytes of tensors folded at the last prepare. */
  foldedBytes = 0;

  /** Bytes the prepared ops hold for their weights in the layouts their kernels read (packed, requantization blocks). */
  get packedBytes(): number {
    let n = 0;
    for (const s of this.steps) n += handleBytes(s.state);
    return n;
  }

  private foldable(s: Step): boolean {
    const code = s.op.code;
    if (NO_FOLD.has(code) || s.node.outputs.some((t) => this.outputSet.has(t.index))) return false;
    if (code === BuiltinOp.SHAPE) return true;
    return s.node.inputs.length > 0 && s.node.inputs.every((t) => t === null || t.isConst);
  }

  private fold(s: Step): void {
    for (const out of s.node.outputs as Tensor[]) {
      const count = numElements(out.shape);
      if (this.foldedBytes + count * elemBytes(out.dtype) > this.owner.maxArenaBytes) {
        throw new LimitError(`subgraph ${this.def.index}: constants folded at load exceed the ${this.owner.maxArenaBytes}-byte limit at node ${s.node.index}`);
      }
      out.data = typedView(out.dtype, new ArrayBuffer(count * elemBytes(out.dtype)), 0, count);
      out.folded = true;
      this.foldedBytes += out.data.byteLength;
    }
    try {
      s.op.run(s.node, s.state);
    } catch (e) {
      throw wrap(e, s.op.name, s.node.index, this.def.index, 'run (folding constants)');
    }
    for (const out of s.node.outputs as Tensor[]) out.isConst = true;
  }

  private plan(): void {
    const planned = this.planned.filter((i) => !this.tensors[i]!.folded);
    const items: PlanItem[] = planned.map((i) => {
      const t = this.tensors[i]!;
      const l = this.lifetimes[i]!;
      return { bytes: numElements(t.shape) * elemBytes(t.dtype), first: l.first, last: l.last };
    });
    const { offsets, arenaBytes } = planArena(items);
    if (arenaBytes > this.owner.maxArenaBytes) {
      throw new LimitError(`subgraph ${this.def.index} needs a ${arenaBytes}-byte arena, over the ${this.owner.maxArenaBytes}-byte limit`);
    }
    this.allocateArena(arenaBytes);
    this.arenaBytes = arenaBytes;
    const block = this.block;
    planned.forEach((i, k) => {
      const t = this.tensors[i]!, count = numElements(t.shape);
      if (block) t.bindArena(block, offsets[k]!, count);
      else t.data = typedView(t.dtype, this.arena!, offsets[k]!, count);
    });
  }

  /** An arena of at least `bytes`: in the backend's growable memory when it has one, else an ArrayBuffer. */
  private allocateArena(bytes: number): void {
    if (this.block && this.block.bytes >= bytes) return;
    if (!this.block && this.arena && this.arena.byteLength >= bytes) return;
    this.block?.release();
    this.block = null;
    this.arena = null;
    const block = bytes > 0 ? this.owner.backend.allocateArena?.(bytes) ?? null : null;
    if (block) this.block = block;
    else this.arena = this.owner.backend.allocate(bytes);
  }

  /** Frees the arena and per-node state; the runner must be prepared again before use. */
  release(): void {
    this.block?.release();
    this.block = null;
    this.arena = null;
    this.arenaBytes = 0;
    this.prepared = false;
    for (const s of this.steps) {
      releaseHandles(s.state);
      s.state = undefined;
    }
    for (const t of this.tensors) if (!t.isConst || t.folded) t.data = emptyTyped(t.dtype);
  }

  /** Like `run`, timing each op (folded ops report 0); for profiling, not the hot path. */
  runProfiled(): OpProfile[] {
    if (!this.prepared) this.prepare();
    const block = this.block;
    block?.freeze();
    try {
      return this.steps.map((s) => {
        const t0 = performance.now();
        try {
          if (!s.folded) s.op.run(s.node, s.state);
        } catch (e) {
          throw wrap(e, s.op.name, s.node.index, this.def.index, 'run');
        }
        return { op: s.op.name, node: s.node.index, ms: performance.now() - t0 };
      });
    } finally {
      block?.thaw();
    }
  }

  /** The steps in order, after `prepare`: for a backend that compiles the subgraph (WebGPU). */
  get preparedSteps(): ReadonlyArray<Readonly<Step>> {
    return this.steps;
  }

  /** Runs the (unfolded) steps from..to-1 as `run` does; for a backend that runs some ops on the CPU. */
  runSteps(from: number, to: number): void {
    const steps = this.steps, block = this.block;
    let k = from;
    block?.freeze();
    try {
      for (; k < to; k++) {
        const s = steps[k]!;
        if (!s.folded) s.op.run(s.node, s.state);
      }
    } catch (e) {
      const s = steps[k]!;
      throw wrap(e, s.op.name, s.node.index, this.def.index, 'run');
    } finally {
      block?.thaw();
    }
  }

  /**
   * Runs every op once; inputs must already hold their data. An arena in growable memory
   * is frozen meanwhile: ops hold views of it, so nothing may grow the memory under them.
   */
  run(): void {
    if (!this.prepared) this.prepare();
    this.runSteps(0, this.steps.length);
  }
}

/** Time spent in one op during `runProfiled`. */
export interface OpProfile {
  op: string;
  node: number;
  ms: number;
}

/** A loaded model: subgraph runners (created on first use) over one backend. */
export class Interpreter {
  readonly maxArenaBytes: number;
  readonly maxTensorBytes: number;
  /** WHILE's iteration limit (undefined: the op's default). */
  readonly maxLoopIterations: number | undefined;
  /** The int8 requantization arithmetic its ops prepare with. */
  readonly requant: RequantMode;
  private readonly runners: (SubgraphRunner | null)[];
  private readonly variables = new Map<string, TypedArray>();
  variableBytes = 0;

  constructor(readonly model: ModelDef, readonly backend: Backend, opts: InterpreterOptions = {}) {
    this.maxArenaBytes = opts.maxArenaBytes ?? 1 << 30;
    this.maxTensorBytes = opts.maxTensorBytes ?? 1 << 30;
    this.maxLoopIterations = opts.maxLoopIterations;
    this.requant = opts.requant ?? requantMode(); // an unknown one fails at prepare (setRequantMode checks it)
    checkSupported(model, backend);
    this.runners = model.subgraphs.map(() => null);
  }

  /** The runner of subgraph `index`, created on first use (not yet prepared). */
  subgraph(index: number): SubgraphRunner {
    let r = this.runners[index];
    if (!r) {
      r = new SubgraphRunner(this.model.subgraphs[index]!, this);
      this.runners[index] = r;
    }
    return r;
  }

  /** Total bytes of all arenas planned so far. */
  get arenaBytes(): number {
    let n = 0;
    for (const r of this.runners) if (r) n += r.arenaBytes;
    return n;
  }

  /** Total bytes of weights the prepared ops hold packed for their kernels. */
  get packedBytes(): number {
    let n = 0;
    for (const r of this.runners) if (r) n += r.packedBytes;
    return n;
  }

  /** Total bytes of tensors folded into constants at prepare. */
  get foldedBytes(): number {
    let n = 0;
    for (const r of this.runners) if (r) n += r.foldedBytes;
    return n;
  }

  /** Persistent storage of a variable tensor (e.g. recurrent state), initialized from its buffer or zeros. */
  variableData(sg: number, t: TensorDef): TypedArray {
    const key = `${sg}:${t.index}`;
    let d = this.variables.get(key);
    if (!d) {
      const count = numElements(t.shape);
      const bytes = count * elemBytes(t.dtype);
      if (this.variableBytes + bytes > this.maxArenaBytes) {
        throw new LimitError(`variable tensors need more than the ${this.maxArenaBytes}-byte limit (subgraph ${sg} tensor ${t.index} '${t.name}')`);
      }
      d = typedView(t.dtype, this.backend.allocate(bytes), 0, count);
      initVariable(d, t);
      this.variables.set(key, d);
      this.variableBytes += bytes;
    }
    return d;
  }

  /** Drops every runner, arena and state buffer (the backend is disposed by its owner). */
  dispose(): void {
    for (const r of this.runners) r?.release();
    this.runners.fill(null);
    this.variables.clear();
  }

  /** Resets variable tensors (recurrent state) to their initial values. */
  resetVariables(): void {
    for (const sg of this.model.subgraphs) {
      for (const t of sg.tensors) {
        const d = this.variables.get(`${sg.index}:${t.index}`);
        if (d) initVariable(d, t);
      }
    }
  }

  /** Prepares subgraph `index` for callers' input shapes; returns its output tensors. */
  prepareCall(index: number, inputs: ReadonlyArray<RtTensor>): ReadonlyArray<RtTensor> {
    const r = this.bindInputs(index, inputs);
    r.prepare();
    return r.outputTensors;
  }

  /** Runs subgraph `index` on copies of `inputs`, copying its outputs into `outputs`. */
  callSubgraph(index: number, inputs: ReadonlyArray<RtTensor>, outputs: ReadonlyArray<RtTensor>): void {
    const r = this.bindInputs(index, inputs);
    if (!r.prepared) r.prepare();
    for (let i = 0; i < inputs.length; i++) copyData(r.inputTensors[i]!.data, inputs[i]!.data);
    r.run();
    for (let i = 0; i < outputs.length; i++) {
      const src = r.outputTensors[i];
      const dst = outputs[i]!;
      if (!src || src.data.byteLength !== dst.data.byteLength) {
        throw new KernelError('subgraph call', index, `output ${i} of subgraph ${index} does not fit the caller's tensor '${dst.name}'`);
      }
      copyData(dst.data, src.data);
    }
  }

  private bindInputs(index: number, inputs: ReadonlyArray<RtTensor>): SubgraphRunner {
    const r = this.subgraph(index);
    if (r.inputTensors.length !== inputs.length) {
      throw new KernelError('subgraph call', index, `subgraph ${index} takes ${r.inputTensors.length} inputs, got ${inputs.length}`);
    }
    inputs.forEach((t, i) => {
      const own = r.inputTensors[i]!;
      if (own.dtype !== t.dtype) {
        throw new KernelError('subgraph call', index, `input ${i} '${own.name}' of subgraph ${index} is ${own.dtype}, got ${t.dtype}`);
      }
      r.setInputShape(i, t.shape);
    });
    return r;
  }
}

/** Throws UnsupportedOpError listing every op of every subgraph the backend lacks. */
function checkSupported(model: ModelDef, backend: Backend): void {
  const missing = new Map<string, UnsupportedOp>();
  for (const sg of model.subgraphs) {
    for (const o of sg.operators) {
      if (backend.resolve(o.code)) continue;
      let m = missing.get(o.name);
      if (!m) {
        m = { code: o.code, name: o.name, nodes: [] };
        missing.set(o.name, m);
      }
      m.nodes.push(`${sg.index}:${o.index}`);
    }
  }
  if (missing.size > 0) throw new UnsupportedOpError([...missing.values()]);
}
