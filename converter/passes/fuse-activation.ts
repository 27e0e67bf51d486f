import type { Graph, Node, Value } from '../../training/graph/ir.js';
import { getOp } from '../../training/ops/registry.js';
import { soleReader } from '../../training/graph/passes/util.js';

/** Activations TFLite can fuse into the op before them, by IR node. */
function activationOf(n: Node): string | null {
  if (n.op === 'relu') return 'RELU';
  if (n.op === 'clamp' || n.op === 'hardtanh') {
    const lo = n.attrs.min, hi = n.attrs.max;
    if (lo === 0 && hi === 6) return 'RELU6';
    if (lo === -1 && hi === 1) return 'RELU_N1_TO_1';
    if (lo === 0 && (hi === null || hi === undefined)) return 'RELU';
  }
  return null;
}

/**
 * Bias and activation fusion into TFLite's fused activations. `matmul(x, W)`
 * followed by an add of a constant bias over the last dim takes the bias as a
 * third input (FULLY_CONNECTED's bias); a relu / relu6 / clamp(-1, 1) (TFLite kernels clamp to these ranges; TANH is not fused)
 * whose input is only read by it becomes the producer's `fusedActivation` when
 * the producer's lowering takes one (conv, pools, FC, add, sub, mul, div,
 * concat). Run last: after it, nodes carry attrs only the TFLite lowering reads.
 * @example fuseBiasActivation(g); // %y = relu(%a), %a = conv2d(...) -> %y = conv2d(...) {fusedActivation="RELU"}
 */
export function fuseBiasActivation(g: Graph): number {
  const data = new Map(g.constants.map((c) => [c.value, c.data]));
  let fused = 0;
  let only = soleReader(g);
  // bias: matmul(x, W const) + b const [N]
  const dropped = new Set<Node>();
  const producers = g.producers();
  for (const add of g.nodes) {
    if (add.op !== 'add') continue;
    for (const [mi, bi] of [[0, 1], [1, 0]]) {
      const mm = producers.get(add.inputs[mi]);
      const b = add.inputs[bi];
      if (!mm || mm.op !== 'matmul' || mm.inputs.length !== 2 || mm.attrs.fusedActivation || !data.has(mm.inputs[1])) continue;
      if (mm.inputs[1].shape.length !== 2 || mm.attrs.transA === true || only(mm.outputs[0], 'add') !== add) continue;
      const nOut = mm.outputs[0].shape[mm.outputs[0].shape.length - 1];
      if (!data.has(b) || b.shape.reduce((x, y) => x * y, 1) !== nOut || b.shape[b.shape.length - 1] !== nOut) continue;
      if (add.outputs[0].shape.length !== mm.outputs[0].shape.length) continue;
      let bias: Value = b;
      if (b.shape.length !== 1) bias = g.addConstant([nOut], 'float32', data.get(b)!);
      mm.inputs = [...mm.inputs, bias];
      mm.outputs = add.outputs;
      dropped.add(add);
      fused++;
      break;
    }
  }
  g.nodes = g.nodes.filter((n) => !dropped.has(n));
  only = soleReader(g);
  const prod = g.producers();
  const drop = new Set<Node>();
  for (const n of g.nodes) {
    const act = activationOf(n);
    if (!act) continue;
    const p = prod.get(n.inputs[0]);
    if (!p || p.attrs.fusedActivation || drop.has(p) || only(n.inputs[0], n.op) !== n) continue;
    if (getOp(p.op)?.tflite?.fusesActivation !== true || p.outputs.length !== 1 || p.outputs[0].dtype !== 'float32') continue;
    p.attrs = { ...p.attrs, fusedActivation: act };
    p.outputs = n.outputs;
    drop.add(n);
    fused++;
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n));
  return fused;
}
