import { getOp } from '../../ops/registry.js';
import { shapesEqual } from '../../shape.js';
import { SCALAR_OPS } from '../../jit/kernels/scalar.js';
import type { Graph, Node, Value } from '../ir.js';

interface Group { nodes: Node[]; root: Node }

/**
 * Elementwise fusion: chains (trees) of elementwise ops producing the same
 * shape become one `fused.elementwise` node whose kernel evaluates the whole
 * chain per element, without intermediate buffers. A value is fused into its
 * reader only when nothing else reads it. With `singles`, lone elementwise ops
 * become fused nodes as well (the jit does this: its kernels reuse planned
 * buffers). Returns the number of fused nodes made.
 * @example fuseElementwise(g); // relu(add(mul(x, s), b)) -> fused.elementwise(x, s, b)
 */
export function fuseElementwise(g: Graph, singles = false): number {
  const consumers = g.consumers();
  const outputs = new Set(g.outputs);
  const groupOf = new Map<Value, Group>();
  const fusible = (n: Node) => n.outputs.length === 1 && SCALAR_OPS[n.op] !== undefined && getOp(n.op)?.elementwise === true;
  for (const n of g.nodes) {
    if (!fusible(n)) continue;
    const group: Group = { nodes: [], root: n };
    for (const v of new Set(n.inputs)) {
      const src = groupOf.get(v);
      const readers = consumers.get(v) ?? [];
      if (!src || outputs.has(v) || readers.length !== 1 || !shapesEqual(v.shape, n.outputs[0].shape)) continue;
      group.nodes.push(...src.nodes);
      groupOf.delete(v);
    }
    group.nodes.push(n);
    groupOf.set(n.outputs[0], group);
  }
  const replace = new Map<Node, Node | null>();
  let made = 0;
  for (const group of groupOf.values()) {
    // A lone op becomes a one-instruction fused node too: its generated loop writes into a planned buffer.
    if (group.nodes.length < 2 && !singles) continue;
    const order = new Map(g.nodes.map((n, i) => [n, i]));
    group.nodes.sort((a, b) => order.get(a)! - order.get(b)!);
    for (const n of group.nodes) replace.set(n, null);
    replace.set(group.root, buildFused(group.nodes));
    made++;
  }
  if (made) g.nodes = g.nodes.flatMap((n) => (replace.has(n) ? (replace.get(n) ? [replace.get(n)!] : []) : [n]));
  return made;
}

/** One fused node computing `nodes` (in order; the last is the result). */
function buildFused(nodes: Node[]): Node {
  const inside = new Map<Value, number>();
  const externals: Value[] = [];
  const ops: string[] = [], args: number[] = [], dtypes: string[] = [], opAttrs: string[] = [];
  const exprs: string[] = [];
  const refs: (number | Value)[][] = [];
  nodes.forEach((n, i) => {
    const r = n.inputs.map((v) => {
      if (inside.has(v)) return inside.get(v)!;
      if (!externals.includes(v)) externals.push(v);
      return v;
    });
    refs.push(r);
    inside.set(n.outputs[0], i);
  });
  const k = externals.length;
  nodes.forEach((n, i) => {
    ops.push(n.op);
    dtypes.push(n.outputs[0].dtype);
    opAttrs.push(JSON.stringify(n.attrs));
    const operands = refs[i].map((r) => (typeof r === 'number' ? k + r : externals.indexOf(r)));
    args.push(...operands);
    exprs.push(`${n.op}(${operands.map((o) => (o < k ? `in${o}` : exprs[o - k])).join(', ')})`);
  });
  const out = nodes[nodes.length - 1].outputs[0];
  return { op: 'fused.elementwise', inputs: externals, outputs: [out], attrs: { expr: exprs[exprs.length - 1], ops, args, dtypes, opAttrs } };
}
