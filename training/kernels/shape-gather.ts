import type { NumArray } from '../../lite-runtime/kernels/strided.js';

/** Row-major strides of `shape`. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/**
 * Walks every position of `indexShape` in row-major order. For each row of the
 * last dim it hands `visit` the flat index position of the row start and the
 * row offsets into two other tensors (their strides given; `dim` contributes 0
 * to the first). Returns the first bad index position reported by `visit`, or -1.
 */
function walkRows(
  indexShape: readonly number[], dim: number, aStrides: readonly number[], bStrides: readonly number[],
  visit: (pos: number, aOff: number, bOff: number) => number,
): number {
  const rank = indexShape.length;
  let n = 1;
  for (const d of indexShape) n *= d;
  if (n === 0) return -1;
  const inner = indexShape[rank - 1];
  const sa = aStrides.map((s, d) => (d === dim ? 0 : s));
  const idx = new Array<number>(rank).fill(0);
  let offA = 0, offB = 0;
  for (let o = 0; o < n; o += inner) {
    const bad = visit(o, offA, offB);
    if (bad >= 0) return bad;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      offA += sa[d]; offB += bStrides[d];
      if (idx[d] < indexShape[d]) break;
      offA -= sa[d] * indexShape[d]; offB -= bStrides[d] * indexShape[d];
      idx[d] = 0;
    }
  }
  return -1;
}

/**
 * torch.gather / ONNX GatherElements: out[p] = x[p with p[dim] = index[p]].
 * `out` has `index`'s shape. Indices must lie in [0, xShape[dim]).
 * Returns -1, or the flat position in `index` of the first out-of-range index
 * (then `out` is partly written).
 * @example gatherElements(x, [2, 3], idx, [2, 1], 1, out)
 */
export function gatherElements(
  x: NumArray, xShape: readonly number[], index: ArrayLike<number>, indexShape: readonly number[], dim: number, out: NumArray,
): number {
  if (indexShape.length === 0) return gatherElements(x, [1], index, [1], 0, out);
  const rank = indexShape.length;
  const xs = strides(xShape);
  const size = xShape[dim], sd = xs[dim];
  const inner = indexShape[rank - 1];
  const step = rank - 1 === dim ? 0 : xs[rank - 1];
  return walkRows(indexShape, dim, xs, xs, (o, base) => {
    let p = base;
    for (let j = 0; j < inner; j++, p += step) {
      const v = index[o + j];
      if (!(v >= 0 && v < size)) return o + j;
      out[o + j] = x[p + v * sd];
    }
    return -1;
  });
}

/**
 * torch.scatter / scatter_add (ONNX ScatterElements, reduction none / add), in place on `out`
 * (a copy of the input, shape `outShape`): out[p with p[dim] = index[p]] (+)= src[p] for every
 * position p of `index`. `src` (shape `srcShape`) is at least as large as `index` in every dim.
 * Returns -1, or the flat position of the first out-of-range index (`out` is then partly written).
 * @example scatterElements(out, [3, 3], idx, [1, 3], src, [1, 3], 0, true)
 */
export function scatterElements(
  out: NumArray, outShape: readonly number[], index: ArrayLike<number>, indexShape: readonly number[],
  src: NumArray, srcShape: readonly number[], dim: number, add: boolean,
): number {
  if (indexShape.length === 0) return scatterElements(out, [1], index, [1], src, [1], 0, add);
  const rank = indexShape.length;
  const os = strides(outShape), ss = strides(srcShape);
  const size = outShape[dim], sd = os[dim];
  const inner = indexShape[rank - 1];
  const oStep = rank - 1 === dim ? 0 : os[rank - 1];
  const sStep = ss[rank - 1];
  const bad = walkRows(indexShape, dim, os, ss, (o, base, sBase) => {
    for (let j = 0; j < inner; j++) {
      const v = index[o + j];
      if (!(v >= 0 && v < size)) return o + j;
    }
    let p = base, q = sBase;
    if (add) for (let j = 0; j < inner; j++, p += oStep, q += sStep) out[p + index[o + j] * sd] += src[q];
    else for (let j = 0; j < inner; j++, p += oStep, q += sStep) out[p + index[o + j] * sd] = src[q];
    return -1;
  });
  return bad;
}
