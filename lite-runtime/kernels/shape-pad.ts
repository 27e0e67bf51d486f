import type { NumArray } from './strided.js';

/** Pad modes: ONNX Pad's constant / reflect / edge (torch 'replicate'). */
export type PadMode = 'constant' | 'reflect' | 'replicate';

/** The kernel's modes: PadMode and TFLite MIRROR_PAD's SYMMETRIC (reflect repeating the edge). */
export type PadKernelMode = PadMode | 'symmetric';

/** For each output coordinate along one dim, the source coordinate, or -1 for the fill value. */
function sourceMap(n: number, before: number, outLen: number, mode: PadKernelMode): Int32Array {
  const m = new Int32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    let c = o - before;
    if (c < 0 || c >= n) {
      if (mode === 'constant' || n === 0) c = -1;
      else if (mode === 'replicate') c = c < 0 ? 0 : n - 1;
      else if (mode === 'reflect') c = c < 0 ? -c : 2 * (n - 1) - c;
      else c = c < 0 ? -c - 1 : 2 * n - 1 - c;
    }
    m[o] = c;
  }
  return m;
}

/**
 * N-d padding: `before[d]` / `after[d]` elements are added before / after dim d (negative
 * values crop, constant mode). Reflect mirrors without repeating the edge (pads must be < the
 * dim's size), symmetric repeating it (pads <= the size); replicate repeats the edge. `out` has
 * shape xShape[d] + before[d] + after[d]. Trailing dims without padding move as contiguous
 * blocks (NHWC padded in H and W copies whole pixels, and whole rows when the mode is
 * constant); runs of 64 or more elements of the same type are block copies. `value` is a
 * bigint for BigInt64Array data.
 * @example pad(x, [2, 3], [0, 1], [0, 2], 'constant', 0, out) // out is [2, 6]
 */
export function pad(
  x: NumArray, xShape: readonly number[], before: readonly number[], after: readonly number[],
  mode: PadKernelMode, value: number, out: NumArray,
): void {
  let rank = xShape.length;
  if (rank === 0) { out[0] = x[0]; return; }
  const total = out.length;
  if (total === 0) return;
  // u: elements per unit, the product of the trailing dims without padding
  let u = 1;
  while (rank > 1 && before[rank - 1] === 0 && after[rank - 1] === 0) u *= xShape[--rank];
  const xs = xShape.slice(0, rank), bs = before.slice(0, rank), as = after.slice(0, rank);
  if (mode === 'constant' && u > 1) { xs[rank - 1] *= u; bs[rank - 1] *= u; as[rank - 1] *= u; u = 1; }
  const os = xs.map((n, d) => n + bs[d] + as[d]);
  // the last dim's map is read only for the edges of the other modes (constant edges are fills)
  const maps = xs.map((n, d) => (d < rank - 1 || mode !== 'constant' ? sourceMap(n, bs[d], os[d], mode) : new Int32Array(0)));
  const st = new Array<number>(rank);
  for (let d = rank - 1, acc = u; d >= 0; d--) { st[d] = acc; acc *= xs[d]; }
  const inner = os[rank - 1], row = inner * u, last = maps[rank - 1];
  // output units [lo, hi) of each row copy a contiguous run of the input row
  const b = bs[rank - 1];
  const lo = Math.min(Math.max(b, 0), inner), hi = Math.max(lo, Math.min(inner, b + xs[rank - 1]));
  const run = (hi - lo) * u, bulk = run >= 64 && x.constructor === out.constructor;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < total; o += row) {
    let base = 0, valid = true;
    for (let d = 0; d < rank - 1; d++) {
      const m = maps[d][idx[d]];
      if (m < 0) { valid = false; break; }
      base += m * st[d];
    }
    if (!valid) out.fill(value, o, o + row);
    else {
      const from = base + (lo - b) * u, to = o + lo * u;
      if (bulk) (out as Float32Array).set((x as Float32Array).subarray(from, from + run), to);
      else for (let j = 0; j < run; j++) out[to + j] = x[from + j];
      // the padded units at both ends of the row
      if (mode === 'constant') {
        out.fill(value, o, o + lo);
        out.fill(value, o + hi, o + inner);
      } else if (u === 1) {
        for (let j = 0; j < lo; j++) { const m = last[j]; out[o + j] = m < 0 ? value : x[base + m]; }
        for (let j = hi; j < inner; j++) { const m = last[j]; out[o + j] = m < 0 ? value : x[base + m]; }
      } else {
        for (let j = 0; j < inner; j++) {
          if (j === lo) j = hi;
          if (j >= inner) break;
          const m = last[j], t = o + j * u;
          if (m < 0) out.fill(value, t, t + u); // an empty dim: nothing to repeat
          else for (let k = 0, f = base + m * u; k < u; k++) out[t + k] = x[f + k];
        }
      }
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < os[d]) break;
      idx[d] = 0;
    }
  }
}
