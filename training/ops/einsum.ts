import { eye } from '../creation.js';
import { expectTensors } from '../dispatch.js';
import { ShapeError, ValueError } from '../errors.js';
import { fmtShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { expand } from './expand.js';
import { mm } from './matmul.js';
import { mul } from './binary.js';
import { permute } from './permute.js';
import { reshape } from './reshape.js';
import { defineComposite } from './registry.js';
import { sum } from './sum.js';
import { where } from './where.js';

/*
 * einsum, written in other ops (it traces, differentiates and exports through
 * them): each operand's repeated labels become a diagonal (a masked sum), labels
 * no one else needs are summed out, then operands are contracted left to right,
 * each pair as one batched matmul (a broadcast product when nothing is
 * contracted), and the result is permuted to the output order.
 */

/** Parsed equation: the labels of each operand and of the output (ellipsis dims as labels of their own). */
interface Parsed {
  inputs: string[][];
  output: string[];
}

/** Ellipsis dims get labels no equation can use: '…0', '…1', ... counted from the right. */
const ellipsisLabel = (i: number) => `…${i}`;

function fail(msg: string): never {
  throw new ValueError(`einsum: ${msg}`);
}

/** The labels of one term; `rank` resolves an ellipsis (null for the output). */
function parseTerm(term: string, rank: number | null, what: string, ellipsisRank: number): string[] {
  const parts = term.split('...');
  if (parts.length > 2) fail(`${what} '${term}' has more than one ellipsis`);
  for (const p of parts) {
    for (const ch of p) if (!/[a-zA-Z]/.test(ch)) fail(`${what} '${term}' has '${ch}'; labels are letters a-z, A-Z (and one '...')`);
  }
  if (parts.length === 1) {
    if (rank !== null && term.length !== rank) fail(`${what} '${term}' names ${term.length} dims, the operand has ${rank}`);
    return [...term];
  }
  const [head, tail] = parts;
  const n = rank === null ? ellipsisRank : rank - head.length - tail.length;
  if (n < 0) fail(`${what} '${term}' names ${head.length + tail.length} dims, the operand has ${rank}`);
  return [...head, ...Array.from({ length: n }, (_, i) => ellipsisLabel(n - 1 - i)), ...tail];
}

function parse(equation: string, operands: readonly Tensor[]): Parsed {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  if (arrow !== eq.lastIndexOf('->')) fail(`equation '${equation}' has more than one '->'`);
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(',');
  if (terms.length !== operands.length) fail(`equation '${equation}' has ${terms.length} operand terms, got ${operands.length} tensors`);
  const inputs = terms.map((t, i) => parseTerm(t, operands[i].ndim, `operand ${i}`, 0));
  const ellipsisRank = Math.max(0, ...inputs.map((ls) => ls.filter((l) => l.startsWith('…')).length));
  let output: string[];
  if (arrow >= 0) {
    const rhs = eq.slice(arrow + 2);
    if (rhs.includes('...') && !lhs.includes('...')) fail(`output '${rhs}' has an ellipsis that no operand has`);
    output = parseTerm(rhs, null, 'output', ellipsisRank);
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) fail(`output '${rhs}' repeats label '${l}'`);
      seen.add(l);
      if (!inputs.some((ls) => ls.includes(l))) fail(`output label '${l}' appears in no operand`);
    }
  } else {
    // implicit output: ellipsis dims, then the labels used once, in alphabetical order
    const count = new Map<string, number>();
    for (const ls of inputs) for (const l of ls) count.set(l, (count.get(l) ?? 0) + 1);
    const ell = Array.from({ length: ellipsisRank }, (_, i) => ellipsisLabel(ellipsisRank - 1 - i));
    output = [...ell, ...[...count].filter(([l, c]) => c === 1 && !l.startsWith('…')).map(([l]) => l).sort()];
  }
  return { inputs, output };
}

/** An operand during the contraction: its tensor and one label per dim (all distinct). */
interface Term { t: Tensor; labels: string[] }

function permuteTo(term: Term, order: readonly string[]): Tensor {
  const perm = order.map((l) => term.labels.indexOf(l));
  return perm.every((d, i) => d === i) ? term.t : permute(term.t, perm);
}

function reshapeTo(t: Tensor, shape: readonly number[]): Tensor {
  return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : reshape(t, shape);
}

/** Takes the diagonal of each repeated label: x[..i..i..] -> x[..i..] (a mask keeps it exact: where, then sum). */
function diagonals(t: Tensor, labels: readonly string[]): Term {
  let term: Term = { t, labels: [...labels] };
  for (;;) {
    const ls = term.labels;
    const q = ls.findIndex((l, i) => ls.indexOf(l) !== i);
    if (q < 0) return term;
    const p = ls.indexOf(ls[q]);
    const n = term.t.shape[p];
    if (term.t.shape[q] !== n) throw new ShapeError(`einsum: label '${ls[q]}' has sizes ${n} and ${term.t.shape[q]} in one operand`);
    // eye as a bool mask shaped to broadcast over dims p and q
    const shape = ls.map((_, i) => (i === p || i === q ? n : 1));
    const mask = reshape(eye(n, n, { dtype: 'bool' }), shape);
    const kept = where(mask, term.t, 0);
    term = { t: sum(kept, q), labels: ls.filter((_, i) => i !== q) };
  }
}

/** Sums out the dims whose labels are in `drop`. */
function sumOut(term: Term, drop: (l: string) => boolean): Term {
  const dims = term.labels.map((l, i) => (drop(l) ? i : -1)).filter((i) => i >= 0);
  if (dims.length === 0) return term;
  return { t: sum(term.t, dims), labels: term.labels.filter((l) => !drop(l)) };
}

/** The contraction of two terms over labels not in `keep`, as one batched matmul. */
function contract(a: Term, b: Term, keep: ReadonlySet<string>, size: ReadonlyMap<string, number>): Term {
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !a.labels.includes(l));
  const dims = (ls: readonly string[]) => ls.map((l) => size.get(l)!);
  const nb = sizeOf(dims(batch)), m = sizeOf(dims(aOnly)), k = sizeOf(dims(summed)), n = sizeOf(dims(bOnly));
  const labels = [...batch, ...aOnly, ...bOnly];
  const outShape = dims(labels);
  if (k === 1 && summed.length === 0) {
    // nothing contracted: a broadcast product [batch, aOnly, 1...] * [batch, 1..., bOnly]
    const ta = reshapeTo(permuteTo(a, [...batch, ...aOnly]), [...dims(batch), ...dims(aOnly), ...bOnly.map(() => 1)]);
    const tb = reshapeTo(permuteTo(b, [...batch, ...bOnly]), [...dims(batch), ...aOnly.map(() => 1), ...dims(bOnly)]);
    return { t: mul(ta, tb), labels };
  }
  const ta = reshapeTo(permuteTo(a, [...batch, ...aOnly, ...summed]), [nb, m, k]);
  const tb = reshapeTo(permuteTo(b, [...batch, ...summed, ...bOnly]), [nb, k, n]);
  return { t: reshapeTo(mm(ta, tb), outShape), labels };
}

/**
 * Einstein summation over the operands (torch.einsum): labels are letters, one
 * '...' per term stands for the remaining dims (right-aligned and broadcast across
 * operands), a label repeated in one operand takes its diagonal, and without '->'
 * the output is the ellipsis dims then the labels used once, alphabetically.
 * Size-1 dims broadcast against the same label elsewhere. Bad equations are a
 * ValueError, mismatched sizes a ShapeError.
 * @example tg.einsum('bij,bjk->bik', a, b) // bmm
 * @example tg.einsum('bhqd,bhkd->bhqk', q, k) // attention scores
 * @example tg.einsum('ii', m) // trace
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== 'string') fail(`the first argument must be the equation string, got ${typeof equation}`);
  expectTensors('einsum', ...operands);
  if (operands.length === 0) fail('needs at least one operand');
  const { inputs, output } = parse(equation, operands);
  // the size of each label: equal everywhere, or 1 (broadcast)
  const size = new Map<string, number>();
  inputs.forEach((ls, i) => ls.forEach((l, d) => {
    const s = operands[i].shape[d], prev = size.get(l);
    if (prev === undefined || prev === 1) size.set(l, s);
    else if (s !== prev && s !== 1) {
      const name = l.startsWith('…') ? 'an ellipsis dim' : `label '${l}'`;
      throw new ShapeError(`einsum: ${name} has size ${prev} and ${s} (operand ${i} ${fmtShape(operands[i].shape)}) in '${equation}'`);
    }
  }));
  // each operand: diagonals, size-1 dims broadcast, labels needed by no one else summed
  const terms = operands.map((t, i) => {
    const term = diagonals(t, inputs[i]);
    const want = term.labels.map((l) => size.get(l)!);
    return want.every((s, d) => s === term.t.shape[d]) ? term : { t: expand(term.t, want), labels: term.labels };
  });
  const used = (l: string, from: number) => output.includes(l) || terms.some((t, j) => j >= from && t.labels.includes(l));
  let acc = sumOut(terms[0], (l) => !used(l, 1));
  for (let i = 1; i < terms.length; i++) {
    const next = sumOut(terms[i], (l) => !acc.labels.includes(l) && !used(l, i + 1));
    const keep = new Set([...acc.labels, ...next.labels].filter((l) => used(l, i + 1)));
    acc = sumOut(contract(acc, next, keep, size), (l) => !keep.has(l));
  }
  acc = sumOut(acc, (l) => !output.includes(l));
  return permuteTo(acc, output);
}

defineComposite('einsum', ['permute', 'reshape', 'expand', 'matmul', 'mul', 'sum', 'where']);
