import { allocate } from '../dtype.js';
import type { Graph, Node, Value, VariableRef } from '../graph/ir.js';
import { aliasesInput } from '../graph/passes/memory-plan.js';
import { broadcastInto } from '../ops/util.js';
import { getOp } from '../ops/registry.js';
import { sizeOf } from '../shape.js';
import type { Step, StepContext } from './executor.js';

/*
 * State updates in a compiled graph. `assign` is functional while tracing
 * (later reads see the new value); at run time each assign either commits
 * after the run (the general case), writes through to the variable at once
 * when nothing reads the old value later, or, when the producing op offers
 * `forwardInto`, the op writes the variable in place (as eager optimizers do).
 */

/** The variable an assign target ultimately names (through earlier assigns of it). */
export function rootVariable(v: Value, producers: Map<Value, Node>, refs: Map<Value, VariableRef>): VariableRef | undefined {
  for (;;) {
    const ref = refs.get(v);
    if (ref) return ref;
    const p = producers.get(v);
    if (!p || p.op !== 'assign') return undefined;
    v = p.inputs[0];
  }
}

/**
 * Assigns that may write the variable at once instead of after the run: the
 * only assign of their variable, placed after every read of its old value
 * (through aliases too), and the variable is not returned. Saves a copy and an
 * allocation per state tensor in training steps. Maps each to the index of the
 * last node reading the variable's old value.
 */
export function writeThroughAssigns(graph: Graph): Map<Node, number> {
  const out = new Map<Node, number>();
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  const consumers = graph.consumers();
  const outputs = new Set(graph.outputs);
  const byVar = new Map<Value, Node[]>();
  for (const n of graph.nodes) {
    if (n.op !== 'assign') continue;
    const target = n.inputs[0];
    const list = byVar.get(target) ?? [];
    list.push(n);
    byVar.set(target, list);
  }
  for (const v of graph.variables) {
    const assigns = byVar.get(v.value);
    if (!assigns || assigns.length !== 1 || outputs.has(v.value)) continue;
    const a = assigns[0], at = index.get(a)!;
    // every reader of the old value (following aliasing ops) must run before the assign
    let ok = true;
    let last = -1;
    const stack: Value[] = [v.value];
    const seen = new Set<Value>();
    while (ok && stack.length) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      if (x !== v.value && outputs.has(x)) ok = false;
      for (const c of consumers.get(x) ?? []) {
        if (c === a && x === v.value && a.inputs[1] !== v.value) continue;
        if (index.get(c)! >= at) ok = false;
        last = Math.max(last, index.get(c)!);
        if (aliasesInput(c)) stack.push(...c.outputs);
      }
    }
    if (ok) out.set(a, last);
  }
  return out;
}

/**
 * Variables a node may update in place: every output feeds exactly one
 * write-through assign of a variable of the same shape, and nothing reads
 * those variables' old values after this node, nor the node itself unless its
 * op is `inPlace`. Needs `forwardInto` on the op.
 */
export function inPlaceTargets(
  node: Node, early: Map<Node, number>, consumers: Map<Value, Node[]>, index: Map<Node, number>,
  producers: Map<Value, Node>, refs: Map<Value, VariableRef>,
): VariableRef[] | null {
  const def = getOp(node.op);
  if (!def?.forwardInto) return null;
  const at = index.get(node)!;
  const lastRead = def.inPlace ? at : at - 1;
  const targets: VariableRef[] = [];
  for (const o of node.outputs) {
    const cs = consumers.get(o) ?? [];
    const a = cs[0];
    if (cs.length !== 1 || a.op !== 'assign' || a.inputs[1] !== o || !early.has(a) || early.get(a)! > lastRead) return null;
    const target = a.inputs[0];
    if (target.dtype !== o.dtype || sizeOf(target.shape) !== sizeOf(o.shape) || producers.has(target)) return null;
    targets.push(refs.get(target)!);
  }
  return targets;
}

/** Runs an op's `forwardInto` straight into variable storage (the assigns that follow just publish it). */
export function intoStep({ node, slot, inputRecords }: StepContext, targets: VariableRef[]): Step {
  const def = getOp(node.op)!;
  const read = inputRecords();
  const outs = node.outputs.map(slot);
  const attrs = node.attrs;
  return (s) => {
    const bufs = targets.map((t) => t.read());
    def.forwardInto!(read(s), attrs, bufs);
    for (let i = 0; i < outs.length; i++) s[outs[i]] = bufs[i];
  };
}

/** assign written through to the variable's storage at once; its output is that storage. */
export function writeThroughStep({ node, slot }: StepContext, ref: VariableRef): Step {
  const [target, value] = node.inputs;
  const vi = slot(value), oi = slot(node.outputs[0]);
  const n = sizeOf(target.shape);
  return (s) => {
    let src = s[vi]!;
    if (src.length !== n) {
      const full = allocate(target.dtype, n);
      broadcastInto(src, value.shape, full, target.shape);
      src = full;
    }
    ref.write(src);
    s[oi] = ref.read();
  };
}

/** assign: the new value (broadcast to the target), copied; committed after the run. */
export function assignStep({ node, slot }: StepContext): Step {
  const [target, value] = node.inputs;
  const vi = slot(value), oi = slot(node.outputs[0]);
  const n = sizeOf(target.shape);
  return (s) => {
    const out = allocate(target.dtype, n);
    broadcastInto(s[vi]!, value.shape, out, target.shape);
    s[oi] = out;
  };
}
