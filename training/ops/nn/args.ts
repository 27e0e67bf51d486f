import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import type { TensorMeta } from '../registry.js';

/** A size given once for both spatial dims or as [h, w]. */
export type Size2 = number | readonly [number, number];

/** Conv padding: symmetric amounts, or 'same' (stride 1, as PyTorch) / 'valid' (none). */
export type ConvPadding = Size2 | 'same' | 'valid';

/** Expands `v` to [h, w], checking each is an integer >= `min`. */
export function pair(op: string, name: string, v: Size2, min: number): [number, number] {
  const p: readonly number[] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new ValueError(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

/**
 * Resolves conv padding to [top, left, bottom, right]. 'same' puts the odd
 * extra row/column at the bottom/right, as PyTorch does.
 */
export function convPads(op: string, padding: ConvPadding, kernel: readonly number[], dilation: readonly number[], stride: readonly number[]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError(`${op}: padding 'same' needs stride 1, got stride [${stride.join(', ')}]`);
    const th = dilation[0] * (kernel[0] - 1), tw = dilation[1] * (kernel[1] - 1);
    return [th >> 1, tw >> 1, th - (th >> 1), tw - (tw >> 1)];
  }
  if (typeof padding === 'string') throw new ValueError(`${op}: padding must be a number, a pair, 'same' or 'valid', got '${padding}'`);
  const [h, w] = pair(op, 'padding', padding, 0);
  return [h, w, h, w];
}

/** Throws unless `t` is float32 of rank `rank`, naming the op and argument. */
export function expectRank(op: string, what: string, t: TensorMeta, rank: number, layout: string): void {
  if (t.dtype !== 'float32') throw new DTypeError(`${op}: ${what} is ${t.dtype}${fmtShape(t.shape)}, expected float32`);
  if (t.shape.length !== rank) throw new ShapeError(`${op}: ${what} must be ${rank}-D ${layout}, got shape ${fmtShape(t.shape)}`);
}

/** Conv output length: floor((size + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1. */
export function convLength(size: number, k: number, stride: number, before: number, after: number, dilation: number): number {
  return Math.floor((size + before + after - dilation * (k - 1) - 1) / stride) + 1;
}
