import type { Graph, Value } from '../ir.js';
import { attrKey, isPinned } from './util.js';

/**
 * Common-subexpression elimination: nodes with the same op, attrs and inputs
 * (and equal small constants) compute once. Returns the number of values merged.
 * @example cse(g); // `%a = exp(%x)` and `%b = exp(%x)`: %b's uses read %a
 */
export function cse(g: Graph): number {
  let merged = 0;
  const rename = new Map<Value, Value>();
  const sub = (v: Value) => rename.get(v) ?? v;
  const consts = new Map<string, Value>();
  for (const c of g.constants) {
    if (c.data.length > 16) continue;
    const key = `${c.value.dtype}[${c.value.shape.join(',')}]${Array.from(c.data).join(',')}`;
    const prev = consts.get(key);
    if (prev) { rename.set(c.value, prev); merged++; } else consts.set(key, c.value);
  }
  const seen = new Map<string, Value[]>();
  const kept = [];
  for (const n of g.nodes) {
    n.inputs = n.inputs.map(sub);
    if (isPinned(n)) { kept.push(n); continue; }
    const key = `${n.op}(${n.inputs.map((v) => v.id).join(',')})${attrKey(n)}`;
    const prev = seen.get(key);
    if (prev) {
      n.outputs.forEach((o, i) => rename.set(o, prev[i]));
      merged += n.outputs.length;
    } else {
      seen.set(key, n.outputs);
      kept.push(n);
    }
  }
  g.nodes = kept;
  g.outputs = g.outputs.map(sub);
  g.constants = g.constants.filter((c) => !rename.has(c.value));
  return merged;
}
