/** Training's broadcasting kernels: binary and select over NumPy broadcast shapes, reductions to a shape. */
import { alignedStrides, type NumArray } from '../../lite-runtime/kernels/strided.js';

/**
 * out[i] = f(a[ia], b[ib]) over the broadcast shape `shape`.
 * @example binaryBroadcast(a, [2, 1], b, [3], out, [2, 3], (x, y) => x + y)
 */
export function binaryBroadcast(
  a: NumArray, aShape: readonly number[], b: NumArray, bShape: readonly number[],
  out: NumArray, shape: readonly number[], f: (x: number, y: number) => number,
): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (b.length === 1 && a.length === n) {
    const y = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], y);
    return;
  }
  if (a.length === 1 && b.length === n) {
    const x = a[0];
    for (let i = 0; i < n; i++) out[i] = f(x, b[i]);
    return;
  }
  if (n === 0) return;
  const rank = shape.length;
  const sa = alignedStrides(aShape, shape);
  const sb = alignedStrides(bShape, shape);
  const inner = shape[rank - 1];
  const ia = sa[rank - 1], ib = sb[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let offA = 0, offB = 0;
  for (let o = 0; o < n; o += inner) {
    let pa = offA, pb = offB;
    for (let j = 0; j < inner; j++) { out[o + j] = f(a[pa], b[pb]); pa += ia; pb += ib; }
    // advance the odometer over the outer dims
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      offA += sa[d]; offB += sb[d];
      if (idx[d] < shape[d]) break;
      offA -= sa[d] * shape[d]; offB -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** out[i] = f(a[i]) */
export function unaryMap(a: NumArray, out: NumArray, f: (x: number) => number): void {
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
}

/**
 * Merges neighbouring dims that a reduction treats alike (both reduced or both
 * kept; size-1 dims join either), so kernels loop over few, long dims.
 * @example collapseDims([32, 64, 26, 26], [1, 64, 1, 1]) // [[32, 64, 676], [1, 64, 1]]
 */
export function collapseDims(shape: readonly number[], keepShape: readonly number[]): [number[], number[]] {
  const s: number[] = [], k: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const reduced = keepShape[i] === 1;
    const last = s.length - 1;
    if (last >= 0 && (k[last] === 1) === reduced) { s[last] *= shape[i]; k[last] *= keepShape[i]; }
    else { s.push(shape[i]); k.push(keepShape[i]); }
  }
  return [s, k];
}

/**
 * Sums `a` (shape `shape`) over the dims where `outShape` (same rank) is 1.
 * @example reduceSumTo(a, [2, 3], out, [1, 3])
 */
export function reduceSumTo(a: NumArray, fullShape: readonly number[], out: NumArray, fullOutShape: readonly number[]): void {
  out.fill(0);
  const [shape, outShape] = collapseDims(fullShape, fullOutShape);
  const rank = shape.length;
  if (rank === 0) { if (a.length) out[0] = a[0]; return; }
  const so = alignedStrides(outShape, shape);
  const inner = shape[rank - 1];
  const io = so[rank - 1];
  if (rank === 2 && so[0] === 0 && io === 1 && a instanceof Float32Array && out instanceof Float32Array) return sumRowsF32(a, out, inner);
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < a.length; i += inner) {
    let p = off;
    if (io === 0) {
      let s = 0;
      for (let j = 0; j < inner; j++) s += a[i + j];
      out[p] += s;
    } else {
      for (let j = 0; j < inner; j++) { out[p] += a[i + j]; p += io; }
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      off += so[d];
      if (idx[d] < shape[d]) break;
      off -= so[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * out[j] += a[i * inner + j] over the rows of float32 `a` (a bias gradient: [N, C] -> [C]); the
 * sums of reduceSumTo's loop, in a loop that only sees Float32Array (that one sees every dtype,
 * and runs ~4x slower).
 */
function sumRowsF32(a: Float32Array, out: Float32Array, inner: number): void {
  // four columns at a time, each summed down the rows in float32 as `out[j] += a[i + j]` row by
  // row would (the same roundings): four independent chains instead of a store and a reload per add
  const n = a.length;
  let j = 0;
  for (; j + 4 <= inner; j += 4) {
    let s0 = out[j], s1 = out[j + 1], s2 = out[j + 2], s3 = out[j + 3];
    for (let p = j; p < n; p += inner) {
      s0 = Math.fround(s0 + a[p]); s1 = Math.fround(s1 + a[p + 1]);
      s2 = Math.fround(s2 + a[p + 2]); s3 = Math.fround(s3 + a[p + 3]);
    }
    out[j] = s0; out[j + 1] = s1; out[j + 2] = s2; out[j + 3] = s3;
  }
  for (; j < inner; j++) {
    let s = out[j];
    for (let p = j; p < n; p += inner) s = Math.fround(s + a[p]);
    out[j] = s;
  }
}

/**
 * out[i] = c[ic] ? a[ia] : b[ib] over the broadcast shape `shape` (where / SELECT_V2).
 * @example selectBroadcast(mask, [2, 3], x, [2, 3], zero, [], out, [2, 3])
 */
export function selectBroadcast(
  c: NumArray, cShape: readonly number[], a: NumArray, aShape: readonly number[],
  b: NumArray, bShape: readonly number[], out: NumArray, shape: readonly number[],
): void {
  const n = out.length;
  if (n === 0) return;
  if (c.length === n && a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = c[i] ? a[i] : b[i];
    return;
  }
  const rank = shape.length;
  if (rank === 0) { out[0] = c[0] ? a[0] : b[0]; return; }
  const sc = alignedStrides(cShape, shape), sa = alignedStrides(aShape, shape), sb = alignedStrides(bShape, shape);
  const inner = shape[rank - 1];
  const ic = sc[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let oc = 0, oa = 0, ob = 0;
  for (let o = 0; o < n; o += inner) {
    let pc = oc, pa = oa, pb = ob;
    for (let j = 0; j < inner; j++) { out[o + j] = c[pc] ? a[pa] : b[pb]; pc += ic; pa += ia; pb += ib; }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      oc += sc[d]; oa += sa[d]; ob += sb[d];
      if (idx[d] < shape[d]) break;
      oc -= sc[d] * shape[d]; oa -= sa[d] * shape[d]; ob -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}
