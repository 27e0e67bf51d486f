import type { Graph } from '../ir.js';
import { canGenerateCode } from '../../jit/kernels/elementwise.js';
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
export { planMemory, type MemoryPlan } from './memory-plan.js';

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

/**
 * The jit's pipeline: cleanup, then fusions for its executor (matmul / conv +
 * bias + activation, elementwise chains). Fused nodes are executor ops: hand the
 * converter the graph after `cleanup` instead.
 */
export function optimize(g: Graph): Graph {
  cleanup(g);
  fuse(g);
  dce(g);
  return g;
}

/** The executor's fusions, in `g` and its subgraphs at every depth. */
function fuse(g: Graph): void {
  // gradients read relu outputs, so pre-activations have one reader and relus fuse
  reluGradFromOutput(g);
  // max pools of relus pool first (relu and its gradient mask then run on the pooled size)
  if (poolBeforeRelu(g)) dce(g);
  fuseLinear(g);
  fuseConv(g);
  if (canGenerateCode()) fuseElementwise(g, true);
  for (const n of g.nodes) n.subgraphs?.forEach(fuse);
}
