import type { NumArray } from '../../lite-runtime/kernels/strided.js';

/**
 * The k largest (or smallest) values along the axis of an [outer, n, inner] layout and
 * their indices, ordered best first. NaN counts as larger than every number (as in
 * PyTorch); equal values keep their index order. Outputs are [outer, k, inner].
 * @example topkAxis([1, 5, 2], 1, 3, 1, 2, true, vals, idx) // vals [5, 2], idx [1, 2]
 */
export function topkAxis(a: NumArray, outer: number, n: number, inner: number, k: number, largest: boolean,
  outVal: NumArray, outIdx: Int32Array): void {
  if (k === 0) return;
  const vals = new Float64Array(n);
  const order = new Int32Array(n);
  const sorted = new Float64Array(n);
  // before(p, q): whether candidate p ranks ahead of q
  const before = (p: number, q: number): boolean => {
    const x = vals[p], y = vals[q];
    const xNaN = x !== x, yNaN = y !== y;
    if (xNaN || yNaN) return xNaN && yNaN ? p < q : xNaN === largest;
    if (x !== y) return largest ? x > y : x < y;
    return p < q;
  };
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const first = o * n * inner + i;
      for (let j = 0; j < n; j++) vals[j] = a[first + j * inner];
      let m: number;
      if (k <= 16) {
        // insertion into a sorted buffer of the best k: O(n k) worst, ~O(n) typical
        m = 0;
        for (let j = 0; j < n; j++) {
          if (m === k && !before(j, order[m - 1])) continue;
          let pos = m < k ? m++ : k - 1;
          while (pos > 0 && before(j, order[pos - 1])) { order[pos] = order[pos - 1]; pos--; }
          order[pos] = j;
        }
      } else {
        m = selectBest(vals, n, k, largest, sorted, order);
        order.subarray(0, m).sort((p, q) => (before(p, q) ? -1 : before(q, p) ? 1 : 0));
      }
      for (let r = 0; r < k && r < m; r++) {
        const at = (o * k + r) * inner + i;
        outVal[at] = vals[order[r]];
        outIdx[at] = order[r];
      }
    }
  }
}

/**
 * Writes into `order` the indices of the k best of vals[0..n) (in index order; ties at the
 * threshold resolved by lower index) and returns k. The threshold comes from one native
 * numeric sort of a copy (NaN sorts last there), so no comparator runs over all n.
 */
function selectBest(vals: Float64Array, n: number, k: number, largest: boolean, sorted: Float64Array, order: Int32Array): number {
  sorted.set(vals.subarray(0, n));
  sorted.subarray(0, n).sort();
  let nan = 0;
  while (nan < n && sorted[n - 1 - nan] !== sorted[n - 1 - nan]) nan++;
  const real = n - nan;
  // how many NaN and how many numbers make the top k, and the worst selected number
  const takeNaN = largest ? Math.min(nan, k) : Math.max(0, k - real);
  const takeReal = k - takeNaN;
  const threshold = takeReal === 0 ? NaN : largest ? sorted[real - takeReal] : sorted[takeReal - 1];
  let strictly = 0;
  for (let j = 0; j < real; j++) if (largest ? sorted[j] > threshold : sorted[j] < threshold) strictly++;
  let ties = takeReal - strictly, nans = takeNaN, m = 0;
  for (let j = 0; j < n && m < k; j++) {
    const v = vals[j];
    if (v !== v) { if (nans > 0) { nans--; order[m++] = j; } } else if (largest ? v > threshold : v < threshold) order[m++] = j;
    else if (v === threshold && ties > 0) { ties--; order[m++] = j; }
  }
  return m;
}
