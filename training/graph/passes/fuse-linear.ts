import { sizeOf } from '../../shape.js';
import type { Graph, Node, Value } from '../ir.js';
import { soleReader, spliceFusions, type Fusion } from './util.js';

/**
 * Matmul + bias + activation fusion: `relu(add(matmul(x, w), b))` (bias over
 * the last dim, relu optional, w a matrix) becomes one `fused.linear` node, run
 * as a single GEMM with the bias and activation applied in the kernel.
 * `tg.linear` / nn.Linear trace to exactly this (matmul with transB, then add;
 * leading dims are reshaped around the matmul), so they fuse here too.
 * Returns the number of fused nodes.
 * @example fuseLinear(g); // %y = fused.linear(%x, %w, %b) {transB=false, act="relu"}
 */
export function fuseLinear(g: Graph): number {
  const only = soleReader(g);
  const fusions: Fusion[] = [];
  for (const n of g.nodes) {
    if (n.op !== 'matmul' || n.attrs.transA === true || n.inputs[1].shape.length !== 2 || n.inputs[0].shape.length < 2) continue;
    const [x, w] = n.inputs;
    const transB = n.attrs.transB === true;
    let bias: Value | null = null;
    if (x.dtype !== 'float32' || w.dtype !== 'float32') continue;
    const nOut = n.outputs[0].shape[n.outputs[0].shape.length - 1];
    let out = n.outputs[0];
    const chain: Node[] = [n];
    const add = only(out, 'add');
    if (add) {
      const other = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
      const ok = add.inputs[0] !== add.inputs[1] && other.dtype === 'float32' && sizeOf(other.shape) === nOut
        && other.shape[other.shape.length - 1] === nOut && sizeOf(add.outputs[0].shape) === sizeOf(out.shape);
      if (ok) { bias = other; chain.push(add); out = add.outputs[0]; }
    }
    const relu = only(out, 'relu');
    if (relu) { chain.push(relu); out = relu.outputs[0]; }
    if (chain.length === 1) continue;
    const inputs = bias ? [x, w, bias] : [x, w];
    fusions.push({ nodes: chain, fused: { op: 'fused.linear', inputs, outputs: [out], attrs: { transB, act: relu ? 'relu' : 'none' } } });
  }
  spliceFusions(g, fusions);
  return fusions.length;
}
