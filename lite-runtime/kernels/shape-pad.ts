import type { NumArray } from './strided.js';

/** Pad modes: ONNX Pad's constant / reflect / edge (torch 'replicate'). */
export type PadMode = 'constant' | 'reflect' | 'replicate';

/** For each output coordinate along one dim, the source coordinate, or -1 for the fill value. */
function sourceMap(n: number, before: number, outLen: number, mode: PadMode): Int32Array {
  const m = new Int32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    let c = o - before;
    if (c < 0 || c >= n) {
      if (mode === 'constant' || n === 0) c = -1;
      else if (mode === 'replicate') c = c < 0 ? 0 : n - 1;
      else c = c < 0 ? -c : 2 * (n - 1) - c;
    }
    m[o] = c;
  }
  return m;
}

/**
 * N-d padding: `before[d]` / `after[d]` elements are added before / after dim d (negative
 * values crop, constant mode). Reflect mirrors without repeating the edge (pads must be < the
 * dim's size); replicate repeats the edge. `out` has shape xShape[d] + before[d] + after[d].
 * @example pad(x, [2, 3], [0, 1], [0, 2], 'constant', 0, out) // out is [2, 6]
 */
export function pad(
  x: NumArray, xShape: readonly number[], before: readonly number[], after: readonly number[],
  mode: PadMode, value: number, out: NumArray,
): void {
  const rank = xShape.length;
  if (rank === 0) { out[0] = x[0]; return; }
  const outShape = xShape.map((n, d) => n + before[d] + after[d]);
  const maps = xShape.map((n, d) => sourceMap(n, before[d], outShape[d], mode));
  const xs = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) { xs[d] = acc; acc *= xShape[d]; }
  const inner = outShape[rank - 1];
  const last = maps[rank - 1];
  const total = out.length;
  if (total === 0) return;
  // output columns [lo, hi) of each row copy a contiguous run of the input row
  const b = before[rank - 1];
  const lo = Math.min(Math.max(b, 0), inner), hi = Math.max(lo, Math.min(inner, b + xShape[rank - 1]));
  const bulk = hi - lo >= 64 && x.constructor === out.constructor;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < total; o += inner) {
    let base = 0, valid = true;
    for (let d = 0; d < rank - 1; d++) {
      const m = maps[d][idx[d]];
      if (m < 0) { valid = false; break; }
      base += m * xs[d];
    }
    if (!valid) out.fill(value, o, o + inner);
    else {
      for (let j = 0; j < lo; j++) { const m = last[j]; out[o + j] = m < 0 ? value : x[base + m]; }
      const from = base + lo - b;
      if (bulk) (out as Float32Array).set((x as Float32Array).subarray(from, from + hi - lo), o + lo);
      else for (let j = lo; j < hi; j++) out[o + j] = x[from + j - lo];
      for (let j = hi; j < inner; j++) { const m = last[j]; out[o + j] = m < 0 ? value : x[base + m]; }
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
}
