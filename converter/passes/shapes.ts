import type { Graph } from '../../training/graph/ir.js';
import { getOp } from '../../training/ops/registry.js';
import { ConvertError } from '../errors.js';

/**
 * Static shape inference check: every node's output shapes and dtypes are
 * inferred again from its inputs with the op table's `infer` (the import fixed
 * dynamic dims from `inputShapes`), and must agree with the graph. Returns the
 * number of nodes checked; a ConvertError names the first node that disagrees.
 * @example inferShapes(g);
 */
export function inferShapes(g: Graph): number {
  let checked = 0;
  for (const n of g.nodes) {
    const def = getOp(n.op);
    if (!def || n.attrs.fusedActivation !== undefined) continue;
    const metas = def.infer(n.inputs.slice(0, n.op === 'matmul' ? 2 : undefined).map((v) => ({ shape: v.shape, dtype: v.dtype })), n.attrs);
    metas.forEach((m, i) => {
      const o = n.outputs[i];
      if (!o) return;
      if (m.dtype !== o.dtype || m.shape.length !== o.shape.length || m.shape.some((d, k) => d !== o.shape[k])) {
        throw new ConvertError(`shape inference: ${n.op} gives ${m.dtype}[${m.shape.join(', ')}] but the graph holds ${o.dtype}[${o.shape.join(', ')}] (%${o.id})`);
      }
    });
    checked++;
  }
  return checked;
}
