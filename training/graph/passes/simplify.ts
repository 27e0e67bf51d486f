import { shapesEqual } from '../../shape.js';
import type { Graph, Node, Value } from '../ir.js';

/**
 * Algebraic simplification: x*1, 1*x, x/1, x+0, 0+x, x-0 become x (when that
 * keeps the shape and dtype); reshape of reshape becomes one reshape; permute
 * of permute composes (and vanishes when it is the identity); reshape, expand
 * and sumTo to the same shape vanish. Returns the number of rewrites.
 * @example simplify(g); // `%3 = mul(%x, %one)` is dropped, uses of %3 read %x
 */
export function simplify(g: Graph): number {
  const consts = new Map(g.constants.map((c) => [c.value, c.data]));
  const producers = g.producers();
  const isScalar = (v: Value, x: number) => {
    const d = consts.get(v);
    if (!d || d.length === 0) return false;
    for (let i = 0; i < d.length; i++) if (d[i] !== x) return false;
    return true;
  };
  const same = (a: Value, b: Value) => a.dtype === b.dtype && shapesEqual(a.shape, b.shape);
  let count = 0;
  const kept: Node[] = [];
  for (const n of g.nodes) {
    const out = n.outputs[0];
    let repl: Value | null = null;
    const [a, b] = n.inputs;
    switch (n.op) {
      case 'mul':
        if (isScalar(b, 1) && same(a, out)) repl = a;
        else if (isScalar(a, 1) && same(b, out)) repl = b;
        break;
      case 'add':
        if (isScalar(b, 0) && same(a, out)) repl = a;
        else if (isScalar(a, 0) && same(b, out)) repl = b;
        break;
      case 'sub':
        if (isScalar(b, 0) && same(a, out)) repl = a;
        break;
      case 'div':
        if (isScalar(b, 1) && same(a, out)) repl = a;
        break;
      case 'reshape': case 'expand': case 'sumTo': {
        if (same(a, out)) { repl = a; break; }
        const p = producers.get(a);
        if (n.op === 'reshape' && p?.op === 'reshape') {
          n.inputs = [p.inputs[0]];
          n.attrs = { shape: [...out.shape] };
          count++;
        }
        break;
      }
      case 'permute': {
        const perm = n.attrs.perm as readonly number[];
        const p = producers.get(a);
        if (perm.every((d, i) => d === i)) { repl = a; break; }
        if (p?.op === 'permute') {
          const inner = p.attrs.perm as readonly number[];
          const composed = perm.map((d) => inner[d]);
          count++;
          if (composed.every((d, i) => d === i)) { repl = p.inputs[0]; break; }
          n.inputs = [p.inputs[0]];
          n.attrs = { perm: composed };
        }
        break;
      }
    }
    if (repl !== null) {
      g.replaceUses(out, repl);
      count++;
    } else {
      kept.push(n);
    }
  }
  g.nodes = kept;
  return count;
}
