import { allocate, type DType, type Storage } from '../dtype.js';
import { trainingKernels } from '../kernels/wasm/runtime.js';
import { RESIDENT_MIN } from '../optim/resident.js';
import { TraceError } from '../errors.js';
import type { Graph, Node, Value, VariableRef } from '../graph/ir.js';
import { aliasesInput, planMemory, type MemoryPlan } from '../graph/passes/memory-plan.js';
import { getOp, type TensorMeta, type TensorValue } from '../ops/registry.js';
import { sizeOf } from '../shape.js';
import { fusedStep, plannedStep, runsIntoPlan } from './steps/index.js';
import { assignStep, inPlaceTargets, intoStep, rootVariable, writeThroughAssigns, writeThroughStep } from './state.js';

/** Slot array holding every value's storage during one run. */
export type Slots = (Storage | undefined)[];

/** What a step builder (steps/) needs to build the step of one node. */
export interface StepContext {
  readonly node: Node;
  readonly graph: Graph;
  /** Slot of a value. */
  slot(v: Value): number;
  /** Output buffer of `v`: a planned (reused) buffer, or null when the kernel must allocate. */
  planned(v: Value): Storage | null;
  /** The variable ref behind `v` when it is a graph variable (for caching packed weights). */
  variableRef(v: Value): VariableRef | undefined;
  /** Whether `v` lives in a reused buffer of the memory plan. */
  isPlanned(v: Value): boolean;
  /** Whether `v` is a constant. */
  isConstant(v: Value): boolean;
  /**
   * The node's inputs as kernel records, built once and refilled from the slots on each run
   * (no allocation per run); `shapes` overrides the recorded shapes.
   */
  inputRecords(shapes?: readonly (readonly number[])[]): (s: Slots) => TensorValue[];
}

export type Step = (s: Slots) => void;

/** A graph compiled for one signature: run it on input storages. */
export interface Executable {
  run(inputs: readonly Storage[]): Storage[];
  readonly plan: MemoryPlan;
}

/**
 * Compiles a graph into a list of steps over a slot array, with the buffers of
 * the memory plan preallocated. Variables are read at the start of each run;
 * `assign` nodes are committed to variable storage after the run (functional
 * state), so reads and writes of state never race, whatever the node order.
 * `opts.profile` accumulates milliseconds per op name (or per `opts.profileKey`) over runs.
 * @example const exe = compileGraph(graph); const [y] = exe.run([x.data()]);
 */
export function compileGraph(graph: Graph, opts: { profile?: Map<string, number>; profileKey?: (node: Node, index: number) => string } = {}): Executable {
  const slots = new Map<Value, number>();
  const slot = (v: Value): number => {
    let s = slots.get(v);
    if (s === undefined) { s = slots.size; slots.set(v, s); }
    return s;
  };
  const inputSlots = graph.inputs.map(slot);
  const varSlots = graph.variables.map((x) => slot(x.value));
  const constSlots = graph.constants.map((c) => slot(c.value));
  const refs = new Map(graph.variables.map((x) => [x.value, x.ref]));
  const constants = new Set(graph.constants.map((c) => c.value));
  const producers = graph.producers();
  const commits: { ref: VariableRef; slot: number }[] = [];
  const early = writeThroughAssigns(graph);
  const consumers = graph.consumers();
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  // nodes that write variables in place (state.ts); other fused nodes and ops with forwardInto write into planned buffers
  const inPlace = new Map<Node, VariableRef[]>();
  for (const n of graph.nodes) {
    if (n.op === 'assign' || n.op === 'cond' || n.op === 'while') continue;
    const into = inPlaceTargets(n, early, consumers, index, producers, refs);
    if (into) inPlace.set(n, into);
  }
  const plan = planMemory(graph, (n) => !inPlace.has(n) && runsIntoPlan(n));
  const buffers: Storage[] = plan.sizes.map((n, i) => allocate(plan.dtypes[i], n));
  const dtypes = [...plan.dtypes];
  // Large float32 results of such nodes (a training step's weight gradients) get buffers of their
  // own too, copied into the results at the end of a run: resident, the wasm kernels reading them
  // (the optimizer's update) find them in place instead of copying them in.
  const own = new Map<Value, number>();
  if (trainingKernels()) {
    const outputs = new Set(graph.outputs);
    for (const n of graph.nodes) {
      if (inPlace.has(n) || !runsIntoPlan(n)) continue;
      for (const o of n.outputs) {
        if (!outputs.has(o) || own.has(o) || o.dtype !== 'float32' || sizeOf(o.shape) < RESIDENT_MIN) continue;
        if ((consumers.get(o) ?? []).some(aliasesInput)) continue; // a view of it could escape uncopied
        own.set(o, buffers.length);
        buffers.push(allocate('float32', sizeOf(o.shape)));
        dtypes.push('float32');
      }
    }
  }
  const buildSteps = (): Step[] => {
    commits.length = 0;
    const steps: Step[] = [];
    for (const node of graph.nodes) {
      for (const o of node.outputs) slot(o);
      const ctx: StepContext = {
        node, graph, slot,
        planned: (v) => {
          const b = plan.bufferOf.get(v) ?? own.get(v);
          return b === undefined ? null : buffers[b].subarray(0, sizeOf(v.shape));
        },
        variableRef: (v) => refs.get(v),
        isConstant: (v) => constants.has(v),
        isPlanned: (v) => plan.bufferOf.has(v),
        inputRecords: (shapes) => {
          const ins = node.inputs.map(slot);
          const records = node.inputs.map((v, i) => ({ shape: shapes?.[i] ?? v.shape, dtype: v.dtype, data: undefined as unknown as Storage }));
          return (s) => {
            for (let i = 0; i < ins.length; i++) records[i].data = s[ins[i]]!;
            return records;
          };
        },
      };
      if (node.op === 'assign') {
        const ref = rootVariable(node.inputs[0], producers, refs);
        if (ref && early.has(node)) {
          steps.push(writeThroughStep(ctx, ref));
        } else {
          steps.push(assignStep(ctx));
          if (ref) commits.push({ ref, slot: slot(node.outputs[0]) });
        }
      } else if (node.op === 'cond') {
        steps.push(condStep(ctx));
      } else if (node.op === 'while') {
        steps.push(whileStep(ctx));
      } else {
        const into = inPlace.get(node);
        steps.push(into ? intoStep(ctx, into) : fusedStep(node.op)?.(ctx) ?? plannedStep(ctx) ?? opStep(ctx));
      }
    }
    if (opts.profile) {
      const prof = opts.profile;
      const keyOf = opts.profileKey ?? ((n: Node) => n.op);
      graph.nodes.forEach((n, i) => {
        const inner = steps[i];
        const key = keyOf(n, i);
        steps[i] = (s) => { const t0 = performance.now(); inner(s); prof.set(key, (prof.get(key) ?? 0) + performance.now() - t0); };
      });
    }
    return steps;
  };
  let steps = buildSteps();
  const wasm = new WasmMemoryUse(buffers, dtypes);
  const outSlots = graph.outputs.map(slot);
  // Outputs that are constants or variables are copied: callers own what a run returns.
  const copyOutputs = graph.outputs.map((o) => constants.has(o) || refs.has(o) || own.has(o));
  const nSlots = slots.size;
  const nInputs = graph.inputs.length;
  return {
    plan,
    run(inputs) {
      if (inputs.length !== nInputs) throw new TraceError(`internal: graph takes ${nInputs} inputs, got ${inputs.length}`);
      if (wasm.stale()) steps = buildSteps();
      const s: Slots = new Array(nSlots);
      for (let i = 0; i < inputSlots.length; i++) s[inputSlots[i]] = inputs[i];
      for (let i = 0; i < varSlots.length; i++) s[varSlots[i]] = graph.variables[i].ref.read();
      for (let i = 0; i < constSlots.length; i++) s[constSlots[i]] = graph.constants[i].data;
      wasm.run(steps, s);
      const outs = outSlots.map((k, i) => (copyOutputs[i] ? s[k]!.slice() : s[k]!));
      for (const c of commits) c.ref.write(s[c.slot]!);
      wasm.after(outs);
      return outs;
    },
  };
}

/**
 * A compiled graph's use of the training wasm module's memory. Steps hold views of it (resident
 * parameters and optimizer state read at the start of a run, and the plan's buffers), and a
 * growth of the memory detaches every view: so a run holds the memory unable to grow (a kernel
 * short of scratch computes in JS), and between runs the scratch grows to what kernels asked
 * for and, after the first run, the plan's float32 buffers move into the memory, where the
 * GEMMs and other wasm kernels read and write them in place instead of copying them in and out.
 * A growth between runs (these, another model, another optimizer) has the steps built again.
 */
class WasmMemoryUse {
  private readonly kernels = trainingKernels();
  private runs = 0;
  private generation: number;
  /** The buffers moved since the steps were built. */
  private moved = false;

  constructor(private readonly buffers: Storage[], private readonly dtypes: readonly DType[]) {
    this.generation = this.kernels?.generation ?? 0;
  }

  /** Before a run: true when the memory moved since the steps were built (build them again). */
  stale(): boolean {
    const k = this.kernels;
    if (!k || (k.generation === this.generation && !this.moved)) return false;
    this.generation = k.generation;
    this.moved = false;
    return true;
  }

  /** Runs the steps with the memory frozen. */
  run(steps: readonly Step[], s: Slots): void {
    const go = () => { for (let i = 0; i < steps.length; i++) steps[i](s); };
    if (this.kernels) this.kernels.frozen(go);
    else go();
  }

  /** After a run, while nothing but its results holds views: the scratch grows, the buffers move. */
  after(outs: readonly Storage[]): void {
    const k = this.kernels;
    if (!k || outs.some((o) => o instanceof Float32Array && k.isResident(o))) return; // a result would be detached
    k.reserve();
    if (++this.runs !== 1) return;
    this.buffers.forEach((b, i) => {
      if (this.dtypes[i] !== 'float32' || b.length < RESIDENT_MIN) return;
      const view = k.residentZeros(b.length, this, (v) => { this.buffers[i] = v; });
      if (view) { this.buffers[i] = view; this.moved = true; }
    });
  }
}

/** A node of the op table: its eager kernel on preallocated value records. */
function opStep({ node, slot, isPlanned, inputRecords }: StepContext): Step {
  const def = getOp(node.op);
  if (!def) throw new TraceError(`jit: node ${node.outputs.map((o) => `%${o.id}`).join(', ')} uses op '${node.op}', which is not in the op table`);
  const read = inputRecords();
  const outs = node.outputs.map(slot);
  const metas: TensorMeta[] = node.outputs.map((o) => ({ shape: o.shape, dtype: o.dtype }));
  const attrs = node.attrs;
  // Planned inputs whose buffer an output must not share (ops that alias an input may: the plan allows for them).
  const guarded = aliasesInput(node) ? [] : node.inputs.filter(isPlanned).map(slot);
  return (s) => {
    const res = def.forward(read(s), attrs, metas);
    for (let i = 0; i < outs.length; i++) {
      let r = res[i];
      // An output sharing a reused buffer would be overwritten later: copy it (see aliasesInput).
      for (const g of guarded) if (r.buffer === s[g]!.buffer) { r = r.slice(); break; }
      s[outs[i]] = r;
    }
  };
}

function condStep({ node, slot }: StepContext): Step {
  const [thenG, elseG] = node.subgraphs!;
  const branches = [compileGraph(thenG), compileGraph(elseG)];
  const pred = slot(node.inputs[0]);
  const caps = node.inputs.slice(1).map(slot);
  const outs = node.outputs.map(slot);
  return (s) => {
    const p = s[pred]!;
    const res = branches[p[0] ? 0 : 1].run(caps.map((k) => s[k]!));
    for (let i = 0; i < outs.length; i++) s[outs[i]] = copyOut(res[i]);
  };
}

function whileStep({ node, slot }: StepContext): Step {
  const [condG, bodyG] = node.subgraphs!;
  const c = compileGraph(condG), b = compileGraph(bodyG);
  const n = node.attrs.numLoopVars as number;
  const maxIter = (node.attrs.maxIterations as number | null | undefined) ?? Infinity;
  const ins = node.inputs.map(slot);
  const outs = node.outputs.map(slot);
  return (s) => {
    let vars = ins.slice(0, n).map((k) => s[k]!);
    const caps = ins.slice(n).map((k) => s[k]!);
    for (let it = 0; c.run([...vars, ...caps])[0][0]; it++) {
      if (it >= maxIter) throw new TraceError(`whileLoop: more than ${maxIter} iterations (maxIterations)`);
      vars = b.run([...vars, ...caps]).map(copyOut);
    }
    for (let i = 0; i < outs.length; i++) s[outs[i]] = vars[i];
  };
}

/** Subgraph results may live in the subgraph's reused buffers: copy them out. */
function copyOut(x: Storage): Storage {
  return x.slice();
}
