import type { Graph, Node } from '../../training/graph/ir.js';
import { soleReader } from '../../training/graph/passes/util.js';

/**
 * PAD folding: a zero constant pad of the spatial dims of an NCHW value read
 * only by a conv2d becomes the conv's padding (the lowering then picks SAME or
 * VALID, or one PAD where TFLite's modes do not fit). Returns the number folded.
 * @example foldPad(g); // conv2d(pad(%x) {pads=[0,0,1,1,0,0,1,1]}) -> conv2d(%x) {padding=[1, 1, 1, 1]}
 */
export function foldPad(g: Graph): number {
  const prod = g.producers();
  const only = soleReader(g);
  const drop = new Set<Node>();
  for (const conv of g.nodes) {
    if (conv.op !== 'conv2d') continue;
    const p = prod.get(conv.inputs[0]);
    if (!p || p.op !== 'pad' || p.attrs.mode !== 'constant' || p.attrs.value !== 0 || only(conv.inputs[0], 'conv2d') !== conv) continue;
    const pads = p.attrs.pads as readonly number[];
    if (pads.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5] || pads.some((v) => v < 0)) continue;
    const [t, l, b, r] = conv.attrs.padding as readonly number[];
    conv.attrs = { ...conv.attrs, padding: [t + pads[2], l + pads[3], b + pads[6], r + pads[7]] };
    conv.inputs = [p.inputs[0], ...conv.inputs.slice(1)];
    drop.add(p);
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n));
  return drop.size;
}
