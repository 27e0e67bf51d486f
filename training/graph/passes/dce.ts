import type { Graph, Node } from '../ir.js';
import { isPinned } from './util.js';

/**
 * Dead-code elimination: removes nodes whose outputs nothing reads (keeping
 * side effects: assign, print, random draws), then unused constants and variables.
 * Returns the number of nodes removed.
 * @example dce(g); // drops `%3 = exp(%x)` when %3 is never used
 */
export function dce(g: Graph): number {
  const live = new Set(g.outputs);
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (hasEffect(n) || n.outputs.some((o) => live.has(o))) {
      kept.push(n);
      for (const v of n.inputs) live.add(v);
      if (n.subgraphs) for (const s of n.subgraphs) dce(s);
    }
  }
  const removed = g.nodes.length - kept.length;
  g.nodes = kept.reverse();
  g.constants = g.constants.filter((c) => live.has(c.value));
  g.variables = g.variables.filter((v) => live.has(v.value));
  return removed;
}

/** Side effects that keep a node alive even when its outputs are unused. */
function hasEffect(n: Node): boolean {
  if (!isPinned(n)) return false;
  // Random ops stay too: dropping one would shift the generator's stream for every later draw.
  if (!n.subgraphs) return true;
  return n.subgraphs.some((s) => s.nodes.some(hasEffect));
}
