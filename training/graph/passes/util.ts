import { getOp } from '../../ops/registry.js';
import type { Graph, Node, Value } from '../ir.js';

/**
 * Whether a node must stay as written (never folded, merged or, unless its subgraphs
 * have no effect, removed): control flow, and ops the table marks `sideEffect`
 * (assign, print, and random draws such as dropout, whose removal would shift the generator's stream).
 */
export function isPinned(n: Node): boolean {
  return n.subgraphs !== undefined || getOp(n.op)?.sideEffect === true;
}

/** A stable text key of a node's attrs. */
export function attrKey(n: Node): string {
  return JSON.stringify(Object.keys(n.attrs).sort().map((k) => [k, n.attrs[k] ?? null]));
}

/**
 * For fusion: `reader(v, op)` is the node of kind `op` reading `v` when it is v's only
 * reader and v is not a graph output (so v's producer can be folded into it), else null.
 */
export function soleReader(g: Graph): (v: Value, op: string) => Node | null {
  const consumers = g.consumers();
  const outputs = new Set(g.outputs);
  return (v, op) => {
    const c = consumers.get(v) ?? [];
    return !outputs.has(v) && c.length === 1 && c[0].op === op ? c[0] : null;
  };
}

/** A chain of nodes (in graph order) and the one node replacing it. */
export interface Fusion { readonly nodes: readonly Node[]; readonly fused: Node }

/** Replaces each fusion's nodes by its fused node, placed where the chain's last node stood. */
export function spliceFusions(g: Graph, fusions: readonly Fusion[]): void {
  if (fusions.length === 0) return;
  const replace = new Map<Node, Node | null>();
  for (const { nodes, fused } of fusions) {
    for (const n of nodes) replace.set(n, null);
    replace.set(nodes[nodes.length - 1], fused);
  }
  g.nodes = g.nodes.flatMap((n) => {
    const r = replace.get(n);
    return r === undefined ? [n] : r === null ? [] : [r];
  });
}
