/** NumPy-style broadcasting for the binary elementwise ops. */

import { fmtShape } from '../../format/errors.js';
import type { OpNode } from '../op.js';
import { fail, numElements } from './check.js';

/**
 * Broadcast shape of `a` and `b` (trailing dims aligned, 1 stretches), or a KernelError.
 * @example broadcastShape(op, node, [2, 1, 3], [4, 1]) // [2, 4, 3]
 */
export function broadcastShape(op: string, node: OpNode, a: ReadonlyArray<number>, b: ReadonlyArray<number>): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw fail(op, node, `shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (dim ${i}: ${da} vs ${db})`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * For each output element, the index of the input element it reads, or null when
 * the input already has the output's element count (no broadcast needed).
 * Built once at prepare; `run` indexes with it.
 */
export function broadcastIndex(shape: ReadonlyArray<number>, out: ReadonlyArray<number>): Int32Array | null {
  const n = numElements(out);
  if (numElements(shape) === n) return null;
  const r = out.length, strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) {
    const d = shape[shape.length - r + i] ?? 1;
    strides[i] = d === 1 ? 0 : s;
    s *= d;
  }
  const idx = new Int32Array(n), pos = new Array<number>(r).fill(0);
  let cur = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = cur;
    for (let d = r - 1; d >= 0; d--) {
      pos[d]++;
      cur += strides[d]!;
      if (pos[d]! < out[d]!) break;
      cur -= strides[d]! * out[d]!;
      pos[d] = 0;
    }
  }
  return idx;
}
