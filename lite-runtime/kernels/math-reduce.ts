import { stridedCopy, type NumArray } from './strided.js';

/*
 * Reductions shared by training and the lite runtime (SUM, MEAN, REDUCE_PROD) over an
 * [outer, n, inner] view. Training's others (max/min with PyTorch's NaN rule, arg max/min,
 * the gradients) are in training/kernels/math-reduce.ts; the lite REDUCE_MAX/MIN follow
 * TFLite instead (NaN ignored) in lite-runtime/ops/util/reduce.ts.
 */

/**
 * A reduction seen as [outer, n, inner]: element (o, j, i) sits at (o * n + j) * inner + i
 * and j runs over the reduced dims. Reduced dims that are not one contiguous range
 * are moved last (one strided copy), so every reduction kernel below is a plain axis loop.
 */
export interface AxisView {
  readonly data: NumArray;
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
  /** The permutation applied to reach this layout (null: none, `data` is the input). */
  readonly perm: readonly number[] | null;
}

/**
 * Views `a` (row-major, `shape`) as [outer, n, inner] with `dims` (sorted, unique) reduced.
 * @example axisView(a, [2, 3, 4], [1]) // { outer: 2, n: 3, inner: 4 }
 */
export function axisView(a: NumArray, shape: readonly number[], dims: readonly number[]): AxisView {
  const prod = (from: number, to: number) => { let p = 1; for (let i = from; i < to; i++) p *= shape[i]; return p; };
  if (dims.length === 0) return { data: a, outer: prod(0, shape.length), n: 1, inner: 1, perm: null };
  const lo = dims[0], hi = dims[dims.length - 1];
  if (hi - lo + 1 === dims.length) {
    return { data: a, outer: prod(0, lo), n: prod(lo, hi + 1), inner: prod(hi + 1, shape.length), perm: null };
  }
  const kept = shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const perm = [...kept, ...dims];
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = acc; acc *= shape[i]; }
  const data = new (a.constructor as new (n: number) => NumArray)(a.length);
  stridedCopy(a, 0, perm.map((d) => strides[d]), data, perm.map((d) => shape[d]));
  let outer = 1, n = 1;
  for (const d of kept) outer *= shape[d];
  for (const d of dims) n *= shape[d];
  return { data, outer, n, inner: 1, perm };
}

/**
 * out[o, i] = sum_j a[o, j, i] * scale, accumulated in float64 (mean uses scale = 1/n).
 * @example sumAxis(a, 2, 3, 1, out, 1 / 3)
 */
export function sumAxis(a: NumArray, outer: number, n: number, inner: number, out: NumArray, scale = 1): void {
  if (inner === 1 && a instanceof Float32Array) return sumRowsF32(a, outer, n, out, scale);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * n;
      for (let j = 0; j < n; j++) s += a[base + j];
      out[o] = s * scale;
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let j = 0; j < n; j++) {
      const base = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) acc[i] += a[base + i];
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i] * scale;
  }
}

/** sumAxis over float32 rows: a loop that sees one array type (4 float64 partial sums). */
function sumRowsF32(a: Float32Array, outer: number, n: number, out: NumArray, scale: number): void {
  for (let o = 0, b = 0; o < outer; o++, b += n) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = b;
    for (const e = b + n - 3; j < e; j += 4) { s0 += a[j]!; s1 += a[j + 1]!; s2 += a[j + 2]!; s3 += a[j + 3]!; }
    for (; j < b + n; j++) s0 += a[j]!;
    out[o] = (s0 + s1 + (s2 + s3)) * scale;
  }
}

/** out[o, i] = prod_j a[o, j, i] (float64 accumulation; 1 for n = 0). */
export function prodAxis(a: NumArray, outer: number, n: number, inner: number, out: NumArray): void {
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(1);
    for (let j = 0; j < n; j++) {
      const base = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) acc[i] *= a[base + i];
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
  }
}
