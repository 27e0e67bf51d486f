/**
 * Plain TypeScript GEMM, the fallback where WebAssembly is unavailable.
 * B is packed into K blocks (256) x 4-column panels, A per (64-row, K) block
 * into 4-row panels; a 4x4 register-blocked kernel keeps sixteen sums in
 * locals (8 loads per 16 multiply-adds). Leftover rows use a 1x4 kernel.
 */

/** K rows per packed block. */
export const KB = 256;
/** A rows packed per block. */
const MC = 64;

/**
 * Packs B ([k,n], or [n,k] when `transB`) for `gemmPackedJs`: for each K
 * block p0 (height kc), for each 4-column panel jp, kc x 4 floats at offset
 * p0 * n4 + jp * kc * 4 (n4 = n rounded up to 4; missing columns are zero).
 */
export function packBJs(b: Float32Array, k: number, n: number, transB: boolean): Float32Array {
  const n4 = (n + 3) & ~3;
  const out = new Float32Array(k * n4);
  let o = 0;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const kc = Math.min(KB, k - p0);
    for (let j0 = 0; j0 < n4; j0 += 4) {
      const nr = Math.min(4, n - j0);
      if (transB) {
        // Row j of the stored [n,k] B is contiguous in p: read it in order.
        for (let j = 0; j < nr; j++) {
          const s = (j0 + j) * k + p0;
          for (let p = 0; p < kc; p++) out[o + p * 4 + j] = b[s + p];
        }
      } else if (nr === 4) {
        for (let p = 0, s = p0 * n + j0; p < kc; p++, s += n) {
          const d = o + p * 4;
          out[d] = b[s]; out[d + 1] = b[s + 1]; out[d + 2] = b[s + 2]; out[d + 3] = b[s + 3];
        }
      } else {
        for (let p = 0; p < kc; p++) for (let j = 0; j < nr; j++) out[o + p * 4 + j] = b[(p0 + p) * n + j0 + j];
      }
      o += kc * 4;
    }
  }
  return out;
}

/** Rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into 4-row panels (kc x 4), zero-padded rows. */
function packA(a: Float32Array, transA: boolean, m: number, k: number, i0: number, mc: number, p0: number, kc: number, dst: Float32Array): void {
  let o = 0;
  for (let r = 0; r < mc; r += 4) {
    const rows = Math.min(4, mc - r);
    for (let p = p0; p < p0 + kc; p++) {
      for (let q = 0; q < 4; q++) {
        const i = i0 + r + q;
        dst[o + q] = q < rows ? (transA ? a[p * m + i] : a[i * k + p]) : 0;
      }
      o += 4;
    }
  }
}

/**
 * C[m,n] += op(A) @ B with B from `packBJs`; A is [m,k] ([k,m] when transA).
 * C must already hold the starting values (zeros, bias or the old C).
 */
export function gemmPackedJs(a: Float32Array, transA: boolean, bp: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  const n4 = (n + 3) & ~3;
  const pa = new Float32Array(Math.min(MC, (m + 3) & ~3) * Math.min(KB, k));
  for (let p0 = 0; p0 < k; p0 += KB) {
    const kc = Math.min(KB, k - p0);
    const blk = p0 * n4;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = Math.min(MC, m - i0);
      if (mc === 1 && !transA) {
        // One row: read A in place.
        for (let j0 = 0; j0 < n4; j0 += 4) kernel1x4(a, i0 * k + p0, bp, blk + j0 * kc, kc, c, i0 * n + j0, n - j0);
        continue;
      }
      packA(a, transA, m, k, i0, mc, p0, kc, pa);
      for (let j0 = 0; j0 < n4; j0 += 4) {
        const bo = blk + j0 * kc;
        for (let r = 0; r < mc; r += 4) {
          kernel4x4(pa, r * kc, bp, bo, kc, c, (i0 + r) * n + j0, n, Math.min(4, mc - r), Math.min(4, n - j0));
        }
      }
    }
  }
}

/** C[rows<=4, cols<=4] (row stride ldc) += A panel (kc x 4) @ B panel (kc x 4). */
function kernel4x4(pa: Float32Array, ao: number, pb: Float32Array, bo: number, kc: number,
  c: Float32Array, co: number, ldc: number, rows: number, cols: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ao], a1 = pa[ao + 1], a2 = pa[ao + 2], a3 = pa[ao + 3];
    const b0 = pb[bo], b1 = pb[bo + 1], b2 = pb[bo + 2], b3 = pb[bo + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ao += 4; bo += 4;
  }
  if (rows === 4 && cols === 4) {
    c[co] += c00; c[co + 1] += c01; c[co + 2] += c02; c[co + 3] += c03; co += ldc;
    c[co] += c10; c[co + 1] += c11; c[co + 2] += c12; c[co + 3] += c13; co += ldc;
    c[co] += c20; c[co + 1] += c21; c[co + 2] += c22; c[co + 3] += c23; co += ldc;
    c[co] += c30; c[co + 1] += c31; c[co + 2] += c32; c[co + 3] += c33;
    return;
  }
  const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) c[co + r * ldc + j] += t[r * 4 + j];
}

/** C[1, min(4, cols)] += a[ao .. ao+kc) @ B panel (kc x 4). */
function kernel1x4(a: Float32Array, ao: number, pb: Float32Array, bo: number, kc: number,
  c: Float32Array, co: number, cols: number): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let p = 0; p < kc; p++) {
    const av = a[ao + p];
    c0 += av * pb[bo]; c1 += av * pb[bo + 1]; c2 += av * pb[bo + 2]; c3 += av * pb[bo + 3];
    bo += 4;
  }
  c[co] += c0;
  if (cols > 1) c[co + 1] += c1;
  if (cols > 2) c[co + 2] += c2;
  if (cols > 3) c[co + 3] += c3;
}

/** C = op(A) @ op(B) (+ C when `accumulate`), plain TS. */
export function matmulJs(
  a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate: boolean,
): void {
  const cv = c.subarray(0, m * n);
  if (!accumulate) cv.fill(0);
  if (m === 0 || n === 0 || k === 0) return;
  gemmPackedJs(a, transA, packBJs(b, k, n, transB), cv, m, k, n);
}
