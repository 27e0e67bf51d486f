import type { Graph } from '../../training/graph/ir.js';

/**
 * Removes no-op reshapes, transposes and expands (output equal to input in
 * shape and order), then composes chains (reshape of reshape, permute of
 * permute) with the IR's own `simplify`. Returns the number of nodes removed.
 * @example removeNoops(g); // %y = reshape(%x) {shape=[1, 8]} with %x: [1, 8] -> uses of %y read %x
 */
export function removeNoops(g: Graph): number {
  let removed = 0;
  const kept = [];
  for (const n of g.nodes) {
    const x = n.inputs[0], o = n.outputs[0];
    const sameShape = x && o && x.dtype === o.dtype && x.shape.length === o.shape.length && x.shape.every((d, i) => d === o.shape[i]);
    let noop = false;
    if ((n.op === 'reshape' || n.op === 'expand' || n.op === 'sumTo') && sameShape) noop = true;
    if (n.op === 'permute' && sameShape) {
      // a permutation that only moves size-1 dims keeps the memory order: a reshape at most, and here none
      const perm = n.attrs.perm as readonly number[];
      const moved = perm.filter((d) => x.shape[d] !== 1);
      noop = moved.every((d, i) => i === 0 || d > moved[i - 1]);
    }
    if (noop) { g.replaceUses(o, x); removed++; } else kept.push(n);
  }
  g.nodes = kept;
  return removed;
}
