/**
 * Plain TypeScript GEMM: B packed into column blocks x K blocks (each block
 * row-major), then i-k-j loops over the packed blocks, four rows of A at once
 * so each B element loaded serves four multiply-adds. The fallback when
 * WebAssembly is unavailable, and the reference layout for `packBJs`.
 */

/** Columns per packed block (block = KB x NB floats, 256 KiB: fits L2). */
export const NB = 256;
/** K rows per packed block. */
export const KB = 256;

/**
 * Packs B ([k,n], or [n,k] when `transB`) into blocks: for each column block
 * j0 (width nc), for each K block p0 (height kc), kc x nc floats row-major,
 * at offset j0*k + p0*nc.
 */
export function packBJs(b: Float32Array, k: number, n: number, transB: boolean): Float32Array {
  const out = new Float32Array(k * n);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const nc = Math.min(NB, n - j0);
    for (let p0 = 0; p0 < k; p0 += KB) {
      const kc = Math.min(KB, k - p0);
      let o = j0 * k + p0 * nc;
      for (let p = p0; p < p0 + kc; p++) {
        if (transB) {
          for (let j = 0; j < nc; j++) out[o + j] = b[(j0 + j) * k + p];
        } else {
          out.set(b.subarray(p * n + j0, p * n + j0 + nc), o);
        }
        o += nc;
      }
    }
  }
  return out;
}

/**
 * C[m,n] += A[m,k] @ B, with A row-major (`lda` = k) and B from `packBJs`.
 * C must already hold the starting values (zeros, bias or the old C).
 */
export function gemmPackedJs(a: Float32Array, bp: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (let j0 = 0; j0 < n; j0 += NB) {
    const nc = Math.min(NB, n - j0);
    for (let p0 = 0; p0 < k; p0 += KB) {
      const kc = Math.min(KB, k - p0);
      const blk = j0 * k + p0 * nc;
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const c0 = i * n + j0, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        const a0o = i * k, a1o = a0o + k, a2o = a1o + k, a3o = a2o + k;
        for (let p = 0; p < kc; p++) {
          const a0 = a[a0o + p0 + p], a1 = a[a1o + p0 + p], a2 = a[a2o + p0 + p], a3 = a[a3o + p0 + p];
          const bo = blk + p * nc;
          for (let j = 0; j < nc; j++) {
            const bv = bp[bo + j];
            c[c0 + j] += a0 * bv;
            c[c1 + j] += a1 * bv;
            c[c2 + j] += a2 * bv;
            c[c3 + j] += a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = i * n + j0, ao = i * k + p0;
        for (let p = 0; p < kc; p++) {
          const a0 = a[ao + p];
          const bo = blk + p * nc;
          for (let j = 0; j < nc; j++) c[c0 + j] += a0 * bp[bo + j];
        }
      }
    }
  }
}

/** Row-major copy of a [rows, cols] matrix transposed to [cols, rows]. */
export function transposeJs(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let q = 0; q < cols; q++) out[q * rows + r] = x[o + q];
  }
  return out;
}

/** C = op(A) @ op(B) (+ C when `accumulate`), plain TS. */
export function matmulJs(
  a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate: boolean,
): void {
  const cv = c.subarray(0, m * n);
  if (!accumulate) cv.fill(0);
  if (m === 0 || n === 0 || k === 0) return;
  const ar = transA ? transposeJs(a, k, m) : a;
  gemmPackedJs(ar, packBJs(b, k, n, transB), cv, m, k, n);
}
