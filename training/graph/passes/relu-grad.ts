import type { Graph, Value } from '../ir.js';

/**
 * `reluGrad(g, x)` reads `relu(x)` instead of `x` where the graph computes
 * both: `relu(x) > 0` exactly when `x > 0` (NaN and -Infinity included), so
 * the result is unchanged. When the relu was x's only other reader, the
 * pre-activation dies after the forward pass and the relu fuses into the
 * matmul / conv producing x (fuseLinear, fuseConv): the training graph then
 * runs `act="relu"` kernels as inference does. Returns the number of rewrites.
 * @example reluGradFromOutput(g); // reluGrad(%g, %5) -> reluGrad(%g, %6) where %6 = relu(%5)
 */
export function reluGradFromOutput(g: Graph): number {
  const reluOf = new Map<Value, Value>();
  let changed = 0;
  for (const n of g.nodes) {
    if (n.op === 'relu' && n.inputs[0].dtype === 'float32') {
      if (!reluOf.has(n.inputs[0])) reluOf.set(n.inputs[0], n.outputs[0]);
    } else if (n.op === 'reluGrad') {
      const y = reluOf.get(n.inputs[1]);
      if (y && y.dtype === n.inputs[1].dtype) { n.inputs = [n.inputs[0], y]; changed++; }
    }
  }
  return changed;
}
