/**
 * Plain TypeScript int8 GEMM with int32 accumulators:
 * acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k]. Both operands are k-contiguous,
 * so each output is a dot product; four rows of b share each load of a.
 * Rows of b are `ldb` apart (default k).
 */
export function qmatmulI8Js(
  a: Int8Array, aZero: number, b: Int8Array, acc: Int32Array, m: number, k: number, n: number, ldb = k,
): void {
  for (let i = 0; i < m; i++) {
    const ao = i * k, co = i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[ao + p] - aZero;
        s0 += av * b[b0 + p];
        s1 += av * b[b1 + p];
        s2 += av * b[b2 + p];
        s3 += av * b[b3 + p];
      }
      acc[co + j] = s0; acc[co + j + 1] = s1; acc[co + j + 2] = s2; acc[co + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bo = j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[ao + p] - aZero) * b[bo + p];
      acc[co + j] = s;
    }
  }
}
