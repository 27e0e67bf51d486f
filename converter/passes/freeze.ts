import type { Graph } from '../../training/graph/ir.js';

/** Ops that only matter in training: removed (their first input passes through). */
const TRAINING_ONLY = new Set(['dropout', 'print']);

/**
 * Freeze: variables become constants (their current values), training-only
 * nodes (dropout, print) pass their input through, and training batch norm is
 * refused by the lowering later. Returns the number of changes.
 * @example freeze(g); // `var %fc.weight` -> `const %fc.weight`, `dropout(%x)` -> %x
 */
export function freeze(g: Graph): number {
  let changed = 0;
  for (const v of g.variables) {
    g.constants.push({ value: v.value, data: v.ref.read().slice() });
    changed++;
  }
  g.variables = [];
  const kept = [];
  for (const n of g.nodes) {
    if (TRAINING_ONLY.has(n.op)) {
      g.replaceUses(n.outputs[0], n.inputs[0]);
      changed++;
    } else kept.push(n);
  }
  g.nodes = kept;
  return changed;
}
