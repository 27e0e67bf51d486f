import type { Graph } from '../ir.js';
import { cse } from './cse.js';
import { dce } from './dce.js';
import { fold } from './fold.js';
import { fuseElementwise } from './fuse-elementwise.js';
import { fuseConv } from './fuse-conv.js';
import { fuseLinear } from './fuse-linear.js';
import { poolBeforeRelu } from './pool-relu.js';
import { reluGradFromOutput } from './relu-grad.js';
import { simplify } from './simplify.js';

export { cse, dce, fold, fuseConv, fuseElementwise, fuseLinear, poolBeforeRelu, reluGradFromOutput, simplify };
export { aliasesInput, planMemory, type MemoryPlan } from './memory-plan.js';

/**
 * Portable clean-up (any consumer of the IR can run it): simplify, fold, CSE
 * and DCE until nothing changes. Mutates `g` and returns it.
 * @example cleanup(graph.clone())
 */
export function cleanup(g: Graph): Graph {
  for (let round = 0; round < 8; round++) {
    const changed = simplify(g) + fold(g) + cse(g) + dce(g);
    if (!changed) break;
  }
  for (const n of g.nodes) n.subgraphs?.forEach((s) => cleanup(s));
  return g;
}
