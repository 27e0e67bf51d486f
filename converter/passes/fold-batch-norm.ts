import type { Graph, Node, Value } from '../../training/graph/ir.js';
import { soleReader } from '../../training/graph/passes/util.js';

/**
 * Batch-norm folding: `batchNorm(conv2d(x, w, b?))` with constant weights and
 * statistics becomes `conv2d(x, w', b')` (w' = w * scale per output channel,
 * b' = (b - mean) * scale + beta); the same for `batchNorm` over the last dim
 * of `matmul(x, W)` with a constant W (a linear layer). Returns the number folded.
 * @example foldBatchNorm(g); // %y = batchNorm(%c, ...) where %c = conv2d(%x, %w) -> %y = conv2d(%x, %w', %b')
 */
export function foldBatchNorm(g: Graph): number {
  const data = new Map(g.constants.map((c) => [c.value, c.data]));
  const producers = g.producers();
  const only = soleReader(g);
  let folded = 0;
  const drop = new Set<Node>();
  for (const bn of g.nodes) {
    if (bn.op !== 'batchNorm') continue;
    const [x, mean, variance, gamma, beta] = bn.inputs;
    const stats = [mean, variance, gamma, beta].map((v) => data.get(v) as Float32Array | undefined);
    if (stats.some((s) => !s)) continue;
    const p = producers.get(x);
    if (!p || only(x, 'batchNorm') !== bn) continue;
    const [m, vr, ga, be] = stats as Float32Array[];
    const eps = bn.attrs.eps as number;
    const c = m.length;
    const scale = Float32Array.from({ length: c }, (_, i) => ga[i] / Math.sqrt(vr[i] + eps));
    let w: Value, wData: Float32Array | undefined, perOut: number;
    if (p.op === 'conv2d') {
      w = p.inputs[1];
      wData = data.get(w) as Float32Array | undefined;
      perOut = wData ? wData.length / w.shape[0] : 0;
      if (!wData || w.shape[0] !== c) continue;
      const nw = new Float32Array(wData.length);
      for (let o = 0; o < c; o++) for (let k = 0; k < perOut; k++) nw[o * perOut + k] = wData[o * perOut + k] * scale[o];
      replaceW(p, nw);
    } else if (p.op === 'matmul' && x.shape.length === 2 && p.attrs.transA !== true && p.inputs.length === 2) {
      w = p.inputs[1];
      wData = data.get(w) as Float32Array | undefined;
      if (!wData || w.shape.length !== 2) continue;
      const transB = p.attrs.transB === true;
      const [r, k] = w.shape;
      if ((transB ? r : k) !== c) continue;
      const nw = Float32Array.from(wData, (v, i) => v * scale[transB ? Math.floor(i / k) : i % k]);
      replaceW(p, nw);
    } else continue;
    const oldB = p.inputs[2] ? (data.get(p.inputs[2]) as Float32Array | undefined) : undefined;
    if (p.inputs[2] && !oldB) continue;
    const nb = Float32Array.from({ length: c }, (_, i) => ((oldB ? oldB[i] : 0) - m[i]) * scale[i] + be[i]);
    const b = g.addConstant([c], 'float32', nb);
    data.set(b, nb);
    if (p.op === 'conv2d') {
      p.inputs = [p.inputs[0], p.inputs[1], b];
      p.outputs = bn.outputs;
    } else {
      // matmul then a bias add: the add takes batch norm's output value
      const add: Node = { op: 'add', inputs: [p.outputs[0], b], outputs: bn.outputs, attrs: {} };
      g.nodes.splice(g.nodes.indexOf(bn), 0, add);
    }
    drop.add(bn);
    folded++;

    function replaceW(node: Node, nw: Float32Array): void {
      const nv = g.addConstant(w.shape, 'float32', nw);
      data.set(nv, nw);
      node.inputs = [node.inputs[0], nv, ...node.inputs.slice(2)];
    }
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n));
  return folded;
}
