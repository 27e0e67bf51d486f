import { sizeOf } from '../../shape.js';
import type { Graph, Node } from '../ir.js';
import { soleReader, spliceFusions, type Fusion } from './util.js';

/**
 * Convolution + bias + activation fusion: `conv2d(x, w)` followed by an add
 * of a per-channel bias ([C,1,1] or [1,C,1,1]) takes the bias as its own
 * input, and a following relu becomes the node's activation: one
 * `fused.conv2d` node whose kernel applies the activation in place on the
 * convolution's output. Returns the number of fused nodes.
 * @example fuseConv(g); // %y = fused.conv2d(%x, %w, %b) {stride=[1, 1], ..., act="relu"}
 */
export function fuseConv(g: Graph): number {
  const only = soleReader(g);
  const fusions: Fusion[] = [];
  for (const n of g.nodes) {
    if (n.op !== 'conv2d') continue;
    const out0 = n.outputs[0];
    const channels = out0.shape[1];
    let inputs = [...n.inputs];
    let out = out0;
    const chain: Node[] = [n];
    const add = inputs.length === 2 ? only(out, 'add') : null;
    if (add) {
      const bias = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
      const s = bias.shape;
      // [C, 1, 1] or [1, C, 1, 1] broadcast over NCHW (a [C] bias would align with W, not channels)
      const perChannel = bias.dtype === 'float32' && sizeOf(s) === channels && add.inputs[0] !== add.inputs[1]
        && s.length >= 3 && s[s.length - 3] === channels && sizeOf(add.outputs[0].shape) === sizeOf(out.shape);
      if (perChannel) { inputs = [...inputs, bias]; chain.push(add); out = add.outputs[0]; }
    }
    const relu = only(out, 'relu');
    if (relu) { chain.push(relu); out = relu.outputs[0]; }
    if (chain.length === 1) continue;
    fusions.push({ nodes: chain, fused: { op: 'fused.conv2d', inputs, outputs: [out], attrs: { ...n.attrs, act: relu ? 'relu' : 'none' } } });
  }
  spliceFusions(g, fusions);
  return fusions.length;
}
