import { getOp, type Attrs } from '../../ops/registry.js';
import { shapesEqual } from '../../shape.js';
import type { Graph, Node, Value } from '../ir.js';
import { spliceFusions, type Fusion } from './util.js';

/**
 * Elementwise fusion: chains (trees) of elementwise ops producing the same
 * shape become one `fused.elementwise` node whose kernel evaluates the whole
 * chain per element (the `fuse` expressions of the ops' definitions), without
 * intermediate buffers. A value is fused into its
 * reader only when nothing else reads it. With `singles`, lone elementwise ops
 * become fused nodes as well (the jit does this: its kernels reuse planned
 * buffers). Returns the number of fused nodes made.
 * @example fuseElementwise(g); // relu(add(mul(x, s), b)) -> fused.elementwise(x, s, b)
 */
export function fuseElementwise(g: Graph, singles = false): number {
  const consumers = g.consumers();
  const outputs = new Set(g.outputs);
  // the nodes fused into each value so far (the group of its producer)
  const groupOf = new Map<Value, Node[]>();
  const fusible = (n: Node) => n.outputs.length === 1 && hasExpression(n);
  for (const n of g.nodes) {
    if (!fusible(n)) continue;
    const group: Node[] = [];
    for (const v of new Set(n.inputs)) {
      const src = groupOf.get(v);
      const readers = consumers.get(v) ?? [];
      if (!src || outputs.has(v) || readers.length !== 1 || !shapesEqual(v.shape, n.outputs[0].shape)) continue;
      group.push(...src);
      groupOf.delete(v);
    }
    group.push(n);
    groupOf.set(n.outputs[0], group);
  }
  const order = new Map(g.nodes.map((n, i) => [n, i]));
  const fusions: Fusion[] = [];
  for (const group of groupOf.values()) {
    // A lone op becomes a one-instruction fused node too: its generated loop writes into a planned buffer.
    if (group.length < 2 && !singles) continue;
    // graph order: the group's root, which reads the others, comes last
    group.sort((a, b) => order.get(a)! - order.get(b)!);
    fusions.push({ nodes: group, fused: buildFused(group) });
  }
  spliceFusions(g, fusions);
  return fusions.length;
}

/**
 * Whether the node's op has a fuse expression for its attrs as the fused node
 * keeps them (JSON: an attr that is not plain data cannot be fused).
 */
function hasExpression(n: Node): boolean {
  const rule = getOp(n.op)?.fuse;
  if (!rule || rule.arity !== n.inputs.length) return false;
  try {
    rule.expr(n.inputs.map((_, i) => `x${i}`), JSON.parse(JSON.stringify(n.attrs)) as Attrs);
    return true;
  } catch {
    return false;
  }
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
