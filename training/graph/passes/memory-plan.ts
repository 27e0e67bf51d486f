import type { DType } from '../../dtype.js';
import { getOp } from '../../ops/registry.js';
import { sizeOf } from '../../shape.js';
import type { Graph, Node, Value } from '../ir.js';

/** Buffers shared by values whose lifetimes do not overlap. */
export interface MemoryPlan {
  /** Buffer index of each planned value. */
  readonly bufferOf: Map<Value, number>;
  /** Element count of each buffer. */
  readonly sizes: number[];
  readonly dtypes: DType[];
  /** Elements the planned values would take without reuse. */
  readonly unplannedElements: number;
}

/**
 * Whether a node's kernel may return an input's storage as its output (the
 * op's `aliasesInput`). An executor should still guard every other node (copy
 * an output sharing a planned input's memory), so a kernel added later cannot corrupt a plan.
 */
export const aliasesInput = (n: Node): boolean => getOp(n.op)?.aliasesInput === true;

/**
 * Static memory planning: assigns the outputs of the nodes `plannable` picks
 * (those whose kernels write into a buffer they are given; the executor
 * decides) to a few reusable buffers by lifetime (greedy best fit, as TFLite's
 * arena planner). A value is live from its node to its last reader; readers
 * that return their input's storage (see aliasesInput) extend the lifetime;
 * values reaching a graph output are never planned (callers keep them).
 * @example const plan = planMemory(g, (n) => n.op === 'relu'); plan.sizes.length // buffers to allocate
 */
export function planMemory(graph: Graph, plannable: (n: Node) => boolean): MemoryPlan {
  const index = new Map<Node, number>();
  graph.nodes.forEach((n, i) => index.set(n, i));
  const consumers = graph.consumers();
  const outputs = new Set(graph.outputs);
  const end = graph.nodes.length;
  // Last use of a value, following possible aliases; Infinity when it escapes.
  const memo = new Map<Value, number>();
  const lastUse = (v: Value): number => {
    const m = memo.get(v);
    if (m !== undefined) return m;
    memo.set(v, end); // cycle guard
    let last = outputs.has(v) ? Infinity : -1;
    for (const c of consumers.get(v) ?? []) {
      last = Math.max(last, index.get(c)!);
      if (!aliasesInput(c)) continue;
      for (const o of c.outputs) {
        if (o.dtype === v.dtype && sizeOf(o.shape) === sizeOf(v.shape)) last = Math.max(last, lastUse(o));
      }
    }
    memo.set(v, last);
    return last;
  };

  const bufferOf = new Map<Value, number>();
  const sizes: number[] = [];
  const dtypes: DType[] = [];
  const free: number[] = [];
  const releaseAt = new Map<number, number[]>();
  let unplanned = 0;
  graph.nodes.forEach((node, i) => {
    if (plannable(node)) {
      for (const o of node.outputs) {
        const until = lastUse(o);
        if (!Number.isFinite(until)) continue;
        const need = sizeOf(o.shape);
        unplanned += need;
        const b = take(free, sizes, dtypes, o.dtype, need);
        bufferOf.set(o, b);
        const list = releaseAt.get(Math.max(until, i)) ?? [];
        list.push(b);
        releaseAt.set(Math.max(until, i), list);
      }
    }
    for (const b of releaseAt.get(i) ?? []) free.push(b);
  });
  return { bufferOf, sizes, dtypes, unplannedElements: unplanned };
}

/** Best-fit reuse of a free buffer of the same dtype (growing the largest if none fits). */
function take(free: number[], sizes: number[], dtypes: DType[], dtype: DType, need: number): number {
  let best = -1, largest = -1;
  for (let k = 0; k < free.length; k++) {
    const b = free[k];
    if (dtypes[b] !== dtype) continue;
    if (sizes[b] >= need && (best < 0 || sizes[b] < sizes[free[best]])) best = k;
    if (largest < 0 || sizes[b] > sizes[free[largest]]) largest = k;
  }
  const k = best >= 0 ? best : largest;
  if (k >= 0) {
    const b = free[k];
    free.splice(k, 1);
    sizes[b] = Math.max(sizes[b], need);
    return b;
  }
  sizes.push(need);
  dtypes.push(dtype);
  return sizes.length - 1;
}
