import { getOp } from '../../ops/registry.js';
import { sizeOf } from '../../shape.js';
import type { Graph, Value } from '../ir.js';
import { isPinned } from './util.js';

/** Folded results larger than this stay computed at run time (keeps graphs small). */
const MAX_FOLD_ELEMENTS = 1 << 16;

/**
 * Constant folding: nodes whose inputs are all constants run once now, with
 * the op table's kernels, and become constants. Returns the number of nodes folded.
 * @example fold(g); // `%4 = mul(%c2, %c3)` becomes `const %4 = [6]`
 */
export function fold(g: Graph): number {
  const data = new Map(g.constants.map((c) => [c.value, c.data]));
  let folded = 0;
  const kept = [];
  for (const n of g.nodes) {
    const def = getOp(n.op);
    const ok = def && !isPinned(n) && n.inputs.every((v) => data.has(v))
      && n.outputs.every((o) => sizeOf(o.shape) <= MAX_FOLD_ELEMENTS);
    if (!ok) { kept.push(n); continue; }
    const res = def.forward(n.inputs.map((v: Value) => ({ shape: v.shape, dtype: v.dtype, data: data.get(v)! })), n.attrs, n.outputs);
    n.outputs.forEach((o, i) => {
      data.set(o, res[i]);
      g.constants.push({ value: o, data: res[i] });
    });
    folded++;
  }
  g.nodes = kept;
  return folded;
}
