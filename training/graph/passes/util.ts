import { getOp } from '../../ops/registry.js';
import type { Node } from '../ir.js';

/** Ops whose results vary between runs (never folded or merged). */
const RANDOM = /^(dropout|rand|randn|randint|bernoulli|multinomial|normal|uniform)$/i;

/** Whether a node must stay as written: side effects, randomness, control flow, assignment. */
export function isPinned(n: Node): boolean {
  if (n.op === 'assign' || n.op === 'print' || n.subgraphs) return true;
  if (RANDOM.test(n.op)) return true;
  const def = getOp(n.op) as ({ sideEffect?: boolean; random?: boolean } | undefined);
  return !!(def?.sideEffect || def?.random);
}

/** A stable text key of a node's attrs. */
export function attrKey(n: Node): string {
  return JSON.stringify(Object.keys(n.attrs).sort().map((k) => [k, n.attrs[k] ?? null]));
}
