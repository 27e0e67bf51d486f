import type { Storage } from '../dtype.js';
import { Graph, type Node, type Value } from '../graph/ir.js';
import { getOp, type AttrValue, type Attrs } from '../ops/registry.js';

/** A traced graph with the shapes of the tensor arguments it was traced for. */
export interface Sample {
  readonly graph: Graph;
  readonly traced: readonly (readonly number[])[];
}

type Shapes = readonly (readonly number[])[];

/**
 * Instantiates a graph for a new size from two traces at other sizes. The free
 * dims must all move together (one size n: n1, n2 -> n3). Every number that
 * differs between the two traces must be proportional to n (k n: reshape and
 * expand sizes, the count of a mean's gradient), checked exactly on both; it
 * is scaled to n3. Anything else that differs refuses (null: retrace).
 * One trace alone cannot show which numbers derive from a size (1/n, n - 1
 * look like any constant), so a single sample is never reused. The residual
 * risk: a number computed from a free dim that happens to be equal at both
 * traced sizes (min(n, 4) traced at 5 and 7).
 */
export function fromSamples(a: Sample, b: Sample, shapes: Shapes): Graph | null {
  const n = sizes(a.traced, b.traced, shapes);
  if (!n) return null;
  const [n1, n2, n3] = n;
  const ga = a.graph, gb = b.graph;
  if (ga.nodes.some((x) => x.subgraphs) || ga.nodes.length !== gb.nodes.length || ga.inputs.length !== gb.inputs.length
    || ga.variables.length !== gb.variables.length || ga.constants.length !== gb.constants.length || ga.outputs.length !== gb.outputs.length) return null;
  // Values correspond by position (variables by the storage they read, as state created inside
  // the first trace is bound in another order); the two graphs must be wired identically.
  const varId = new Map<unknown, number>(ga.variables.map((v, i) => [v.ref.read(), i]));
  const pos = (g: Graph) => {
    const m = new Map<Value, string>();
    g.inputs.forEach((v, i) => m.set(v, `i${i}`));
    g.variables.forEach((v) => m.set(v.value, `v${varId.get(v.ref.read()) ?? 'new'}`));
    g.constants.forEach((c, i) => m.set(c.value, `c${i}`));
    g.nodes.forEach((x, i) => x.outputs.forEach((o, j) => m.set(o, `n${i}.${j}`)));
    return m;
  };
  const pa = pos(ga), pb = pos(gb);
  const scale = (x: number, y: number): number | null => {
    if (Object.is(x, y)) return x; // NaN constants (a loss over no targets) are equal too
    if (x * n2 !== y * n1) return null;
    const v = (x / n1) * n3;
    return Number.isInteger(x) ? Math.round(v) : v;
  };
  const attrs: Attrs[] = [];
  for (let i = 0; i < ga.nodes.length; i++) {
    const x = ga.nodes[i], y = gb.nodes[i];
    if (x.op !== y.op || x.inputs.length !== y.inputs.length || x.inputs.some((v, k) => pa.get(v) !== pb.get(y.inputs[k]))) return null;
    const merged = mergeAttrs(x.attrs, y.attrs, scale);
    if (!merged) return null;
    attrs.push(merged);
  }
  if (ga.outputs.some((v, i) => pa.get(v) !== pb.get(gb.outputs[i]))) return null;
  if (gb.variables.some((v) => !varId.has(v.ref.read()))) return null;
  const constants = new Map<Value, Storage>();
  for (let i = 0; i < ga.constants.length; i++) {
    const x = ga.constants[i], y = gb.constants[i];
    if (x.value.dtype !== y.value.dtype || x.data.length !== y.data.length) return null;
    const data = x.data.slice();
    for (let k = 0; k < data.length; k++) {
      const v = scale(x.data[k], y.data[k]);
      if (v === null) return null;
      data[k] = v;
    }
    constants.set(x.value, data);
  }
  const index = new Map(ga.nodes.map((x, i) => [x, i]));
  return rebuild(ga, shapes, (x) => attrs[index.get(x)!], (c) => ({ value: c.value, data: constants.get(c.value)! }));
}

/** The one size the free dims move with across three signatures, as [n1, n2, n3]; null if not exactly one. */
function sizes(a: Shapes, b: Shapes, c: Shapes): [number, number, number] | null {
  let found: [number, number, number] | null = null;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length || a[i].length !== c[i].length) return null;
    for (let k = 0; k < a[i].length; k++) {
      const t: [number, number, number] = [a[i][k], b[i][k], c[i][k]];
      if (t[0] === t[1] && t[1] === t[2]) continue;
      if (t[0] === t[1] || t[0] === 0 || t[1] === 0) return null;
      if (found && (found[0] !== t[0] || found[1] !== t[1] || found[2] !== t[2])) return null;
      found = t;
    }
  }
  return found;
}

function mergeAttrs(x: Attrs, y: Attrs, scale: (p: number, q: number) => number | null): Attrs | null {
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return null;
  const out: Record<string, AttrValue | undefined> = {};
  for (const key of keys) {
    const p = x[key], q = y[key];
    if (typeof p === 'number' && typeof q === 'number') {
      const v = scale(p, q);
      if (v === null) return null;
      out[key] = v;
    } else if (Array.isArray(p) && Array.isArray(q)) {
      if (p.length !== q.length) return null;
      const arr: (number | string | null)[] = [];
      for (let i = 0; i < p.length; i++) {
        if (typeof p[i] === 'number' && typeof q[i] === 'number') {
          const v = scale(p[i] as number, q[i] as number);
          if (v === null) return null;
          arr.push(v);
        } else if (p[i] === q[i]) arr.push(p[i] as string | null);
        else return null;
      }
      out[key] = arr as AttrValue;
    } else if (p === q) {
      out[key] = p;
    } else return null;
  }
  return out;
}

/** The graph with new input shapes, attrs and constants, every output shape re-inferred (null if inference fails). */
function rebuild(g: Graph, shapes: Shapes, attrsOf: (n: Node) => Attrs, constOf: (c: Graph['constants'][number]) => Graph['constants'][number]): Graph | null {
  const out = new Graph();
  const map = new Map<Value, Value>();
  g.inputs.forEach((v, i) => map.set(v, out.addInput(shapes[i], v.dtype, v.name)));
  for (const v of g.variables) map.set(v.value, v.value);
  for (const c of g.constants) map.set(c.value, c.value);
  out.variables = [...g.variables];
  out.constants = g.constants.map(constOf);
  try {
    for (const n of g.nodes) {
      const def = getOp(n.op);
      if (!def) return null;
      const ins = n.inputs.map((v) => map.get(v)!);
      const attrs = attrsOf(n);
      const outs = out.addNode(n.op, ins, attrs, def.infer(ins, attrs));
      n.outputs.forEach((o, i) => map.set(o, outs[i]));
    }
  } catch {
    return null;
  }
  out.outputs = g.outputs.map((v) => map.get(v)!);
  return out;
}
