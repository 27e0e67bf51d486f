import type { Graph, Node, Value } from '../../training/graph/ir.js';

/**
 * GELU fusion: the erf form exporters spell out, `x * 0.5 * (1 + erf(x / sqrt(2)))`
 * (any operand order, the 0.5 applied first or last, x / sqrt(2) or x * sqrt(1/2)),
 * becomes one `gelu` node, which lowers to TFLite's GELU. Returns the number fused.
 * @example fuseGelu(g); // %y = mul(mul(%x, add(erf(div(%x, 1.414)), 1)), 0.5) -> %y = gelu(%x)
 */
export function fuseGelu(g: Graph): number {
  const data = new Map(g.constants.map((c) => [c.value, c.data]));
  const prod = g.producers();
  const consumers = g.consumers();
  const scalar = (v: Value, want: number, tol = 1e-3) => {
    const d = data.get(v);
    return !!d && d.length === 1 && Math.abs(d[0] - want) < tol;
  };
  const single = (v: Value) => (consumers.get(v)?.length ?? 0) === 1 && !g.outputs.includes(v);
  const other = (n: Node, v: Value) => (n.inputs[0] === v ? n.inputs[1] : n.inputs[0]);
  let fused = 0;
  const drop = new Set<Node>();
  for (const erf of g.nodes) {
    if (erf.op !== 'erf') continue;
    const scaled = prod.get(erf.inputs[0]);
    if (!scaled) continue;
    let x: Value | null = null;
    if (scaled.op === 'div' && scalar(scaled.inputs[1], Math.SQRT2)) x = scaled.inputs[0];
    if (scaled.op === 'mul') {
      if (scalar(scaled.inputs[1], Math.SQRT1_2)) x = scaled.inputs[0];
      else if (scalar(scaled.inputs[0], Math.SQRT1_2)) x = scaled.inputs[1];
    }
    if (!x || !single(erf.inputs[0]) || !single(erf.outputs[0])) continue;
    const add = consumers.get(erf.outputs[0])![0];
    if (add.op !== 'add' || !scalar(other(add, erf.outputs[0]), 1) || !single(add.outputs[0])) continue;
    const m1 = consumers.get(add.outputs[0])![0];
    if (m1.op !== 'mul') continue;
    const chain: Node[] = [scaled, erf, add, m1];
    let out: Value;
    const m1other = other(m1, add.outputs[0]);
    if (m1other === x) {
      // (x * (1 + erf)) * 0.5
      if (!single(m1.outputs[0])) continue;
      const m2 = consumers.get(m1.outputs[0])![0];
      if (m2.op !== 'mul' || !scalar(other(m2, m1.outputs[0]), 0.5)) continue;
      chain.push(m2);
      out = m2.outputs[0];
    } else {
      // (x * 0.5) * (1 + erf)
      const half = prod.get(m1other);
      if (!half || half.op !== 'mul' || !single(m1other) || !(half.inputs.includes(x) && scalar(other(half, x), 0.5))) continue;
      chain.push(half);
      out = m1.outputs[0];
    }
    if (out.shape.length !== x.shape.length || chain.some((n) => drop.has(n))) continue;
    for (const n of chain) drop.add(n);
    const last = chain.reduce((a, n) => (g.nodes.indexOf(n) > g.nodes.indexOf(a) ? n : a));
    last.op = 'gelu';
    last.inputs = [x];
    last.outputs = [out];
    last.attrs = { approximate: 'none' };
    drop.delete(last);
    fused++;
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n));
  return fused;
}
