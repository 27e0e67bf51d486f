import { newValue, type Graph, type Node, type Value } from '../ir.js';
import { attrKey } from './util.js';

/**
 * `maxPool2d(relu(z))` becomes `relu(maxPool2d(z))`: the same values (relu is
 * monotone, so it commutes with max; NaN, -0 and -Infinity included), with
 * the relu on the pooled tensor (4x smaller for 2x2 windows). The backward
 * pair `reluGrad(maxPool2dBackward(h, gy), h)` becomes
 * `maxPool2dBackward(z, reluGrad(gy, relu(maxPool2d(z))))`: where the window's
 * maximum is positive both route gy to the same first maximum; elsewhere both
 * give zeros. Applies when every reader of `h = relu(z)` is that pool or such
 * a backward pair (as reverse mode builds them). Returns the number of rewrites.
 * @example poolBeforeRelu(g); // %h = relu(%z); %p = maxPool2d(%h) -> %q = maxPool2d(%z); %p = relu(%q)
 */
export function poolBeforeRelu(g: Graph): number {
  const consumers = g.consumers();
  const outputs = new Set(g.outputs);
  const insertBefore = new Map<Node, Node[]>();
  const removed = new Set<Node>();
  let count = 0;
  for (const relu of [...g.nodes]) {
    if (relu.op !== 'relu') continue;
    const z = relu.inputs[0], h = relu.outputs[0];
    if (h.dtype !== 'float32' || outputs.has(h)) continue;
    const readers = consumers.get(h) ?? [];
    const pools = readers.filter((n) => n.op === 'maxPool2d');
    if (pools.length !== 1) continue;
    const pool = pools[0];
    const pairs = backwardPairs(readers.filter((n) => n !== pool), relu, pool, consumers, outputs);
    if (!pairs) continue;
    // forward: q = maxPool2d(z); the pool node now computes relu(q) into its old output
    const p = pool.outputs[0];
    const q = newValue(p.shape, 'float32');
    const poolZ: Node = { op: 'maxPool2d', inputs: [z], outputs: [q], attrs: pool.attrs };
    pool.op = 'relu';
    pool.inputs = [q];
    pool.attrs = {};
    insertBefore.set(pool, [poolZ]);
    // backward: gy masked where the pooled maximum is not positive, then routed to z's maxima
    for (const { back, mask } of pairs) {
      const gy = back.inputs[1];
      const masked = newValue(gy.shape, 'float32');
      const maskNode: Node = { op: 'reluGrad', inputs: [gy, p], outputs: [masked], attrs: {} };
      back.inputs = [z, masked];
      insertBefore.set(back, [...(insertBefore.get(back) ?? []), maskNode]);
      g.replaceUses(mask.outputs[0], back.outputs[0]);
      removed.add(mask);
    }
    count++;
  }
  if (count) {
    g.nodes = g.nodes.flatMap((n) => (removed.has(n) ? [] : [...(insertBefore.get(n) ?? []), n]));
    // the old relu's output has no readers left; DCE removes it
  }
  return count;
}

interface Pair { back: Node; mask: Node }

/**
 * The readers of h = relu(z) other than the pool, as backward pairs of that pool
 * (the mask may read h or z), or null when any reader is something else.
 */
function backwardPairs(readers: Node[], relu: Node, pool: Node, consumers: Map<Value, Node[]>, outputs: Set<Value>): Pair[] | null {
  const z = relu.inputs[0], h = relu.outputs[0];
  const key = attrKey(pool);
  const pairs: Pair[] = [];
  for (const back of readers.filter((n) => n.op === 'maxPool2dBackward')) {
    const d = back.outputs[0];
    const rd = consumers.get(d) ?? [];
    const mask = rd[0];
    if (back.inputs[0] !== h || back.inputs[1] === h || attrKey(back) !== key || outputs.has(d) || rd.length !== 1
      || mask.op !== 'reluGrad' || mask.inputs[0] !== d || (mask.inputs[1] !== h && mask.inputs[1] !== z)) return null;
    pairs.push({ back, mask });
  }
  const paired = new Set(pairs.flatMap((x) => [x.back, x.mask]));
  return readers.every((n) => paired.has(n)) ? pairs : null;
}
