import { getOp } from '../../ops/registry.js';
import type { Node } from '../ir.js';

/**
 * Whether a node must stay as written (never folded, merged or, unless its subgraphs
 * have no effect, removed): control flow, and ops the table marks `sideEffect`
 * (assign, print, and random draws such as dropout, whose removal would shift the generator's stream).
 */
export function isPinned(n: Node): boolean {
  return n.subgraphs !== undefined || getOp(n.op)?.sideEffect === true;
}

/** A stable text key of a node's attrs. */
export function attrKey(n: Node): string {
  return JSON.stringify(Object.keys(n.attrs).sort().map((k) => [k, n.attrs[k] ?? null]));
}
