import type { Tensor } from './tensor.js';

const EDGE = 3;
const SUMMARIZE_OVER = 1000;

/** PyTorch-style text for an eager tensor. */
export function formatTensor(t: Tensor): string {
  const values = t._storage!;
  const fmt = elementFormatter(t.dtype, values);
  const summarize = values.length > SUMMARIZE_OVER;
  const indent = 'tensor('.length;
  const width = Math.max(1, ...sample(values, summarize).map((v) => fmt(v).length));
  const body = t.ndim === 0 ? fmt(values[0]) : formatDim(t.shape, values, 0, 0, fmt, width, indent + 1, summarize);
  const extras: string[] = [];
  if (t.dtype === 'int32') extras.push('dtype=int32');
  if (t._gradFn) extras.push(`grad_fn=<${t._gradFn.op.name}Backward>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}

function sample(values: ArrayLike<number>, summarize: boolean): number[] {
  if (!summarize) return Array.from(values);
  const n = values.length;
  return [...Array.from({ length: 100 }, (_, i) => values[i]), ...Array.from({ length: 100 }, (_, i) => values[n - 1 - i])];
}

function elementFormatter(dtype: string, values: ArrayLike<number>): (v: number) => string {
  if (dtype === 'bool') return (v) => (v ? 'True' : 'False');
  if (dtype === 'int32') return (v) => String(v);
  let maxAbs = 0, minAbs = Infinity, allInt = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allInt = false;
  }
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || (maxAbs / minAbs > 1000 && !allInt && minAbs < 0.1);
  if (allInt && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  if (sci) return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

function formatDim(shape: readonly number[], values: ArrayLike<number>, dim: number, offset: number,
  fmt: (v: number) => string, width: number, indent: number, summarize: boolean): string {
  const n = shape[dim];
  let stride = 1;
  for (let i = dim + 1; i < shape.length; i++) stride *= shape[i];
  const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
  if (dim === shape.length - 1) {
    return '[' + idx.map((i) => (i < 0 ? '...' : fmt(values[offset + i]).padStart(width))).join(', ') + ']';
  }
  const sep = ',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(indent);
  const parts = idx.map((i) => (i < 0 ? '...' : formatDim(shape, values, dim + 1, offset + i * stride, fmt, width, indent + 1, summarize)));
  return '[' + parts.join(sep) + ']';
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
