import type { NumArray } from './broadcast.js';

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
  // before(p, q): whether candidate p ranks ahead of q
  const before = (p: number, q: number): boolean => {
    const x = vals[p], y = vals[q];
    if (x !== y) {
      if (x !== x) return largest;
      if (y !== y) return !largest;
      return largest ? x > y : x < y;
    }
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
        for (let j = 0; j < n; j++) order[j] = j;
        order.sort((p, q) => (before(p, q) ? -1 : before(q, p) ? 1 : 0));
        m = k;
      }
      for (let r = 0; r < k && r < m; r++) {
        const at = (o * k + r) * inner + i;
        outVal[at] = vals[order[r]];
        outIdx[at] = order[r];
      }
    }
  }
}
