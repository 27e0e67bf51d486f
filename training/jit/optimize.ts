import type { Graph } from '../graph/ir.js';
import { cleanup, dce, fuseConv, fuseElementwise, fuseLinear, poolBeforeRelu, reluGradFromOutput } from '../graph/passes/index.js';
import { canGenerateCode } from './steps/elementwise.js';

/**
 * The jit's pipeline: cleanup, then fusions for its executor (matmul / conv +
 * bias + activation, elementwise chains). Fused nodes are executor ops: hand the
 * converter the graph after `cleanup` instead.
 * @example const g = optimize(graph.clone());
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
