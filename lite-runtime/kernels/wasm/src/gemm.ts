// Float32 GEMM: C[m,n] += A @ B with B packed into K-block x 8 panels and A
// packed per (M-block, K-block) into 4-row interleaved panels. A 4x8 register
// micro-kernel (eight f32x4 accumulators, A broadcast with load32_splat) does
// the work; rows left over use a 1x32 / 1x8 kernel (the m = 1 inference path).
// All pointers are byte offsets in the imported memory; lengths in elements.
import { madd, mulAdd } from './madd';

/** K rows per packed block. */
export const KB: i32 = 256;

/** Packed size in floats of a [k, n] B: k * roundup(n, 8). */
export function packedSize(k: i32, n: i32): i32 {
  return k * ((n + 7) & ~7);
}

/**
 * Packs B ([k,n] row-major with row stride ldb, or [n,k] when transB) into
 * dst: for each K block p0 (height kc), for each 8-column panel jp, kc x 8
 * floats at float offset p0 * n8 + jp * kc * 8; columns past n are zero.
 */
export function packB(b: usize, ldb: i32, transB: i32, k: i32, n: i32, dst: usize): void {
  const n8 = (n + 7) & ~7;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const kc = min(KB, k - p0);
    for (let j0 = 0; j0 < n8; j0 += 8) {
      const nr = min(8, n - j0);
      if (transB && nr == 8) {
        packPanelT(b + (<usize>(j0 * ldb + p0) << 2), <usize>ldb << 2, kc, dst);
        dst += <usize>kc << 5;
        continue;
      }
      for (let p = p0; p < p0 + kc; p++) {
        if (!transB && nr == 8) {
          const s = b + (<usize>(p * ldb + j0) << 2);
          v128.store(dst, v128.load(s));
          v128.store(dst, v128.load(s, 16), 16);
        } else {
          for (let j = 0; j < 8; j++) {
            let v: f32 = 0;
            if (j < nr) {
              v = transB ? load<f32>(b + (<usize>((j0 + j) * ldb + p) << 2))
                         : load<f32>(b + (<usize>(p * ldb + j0 + j) << 2));
            }
            store<f32>(dst + (<usize>j << 2), v);
          }
        }
        dst += 32;
      }
    }
  }
}

// One full panel from B^T: eight rows (stride ld bytes) of kc floats from s,
// transposed 4x4 at a time into kc x 8 at dst.
function packPanelT(s: usize, ld: usize, kc: i32, dst: usize): void {
  const k4 = kc & ~3;
  let p = 0;
  for (; p < k4; p += 4) {
    const o = s + (<usize>p << 2);
    transpose4(o, ld, dst, 0);
    transpose4(o + 4 * ld, ld, dst, 16);
    dst += 128;
  }
  for (; p < kc; p++) {
    const o = s + (<usize>p << 2);
    for (let j = 0; j < 8; j++) store<f32>(dst + (<usize>j << 2), load<f32>(o + <usize>j * ld));
    dst += 32;
  }
}

// Four rows (stride ld) of four floats at s, transposed into four 32-byte
// rows of dst at byte offset off.
@inline function transpose4(s: usize, ld: usize, dst: usize, off: usize): void {
  const r0 = v128.load(s), r1 = v128.load(s + ld), r2 = v128.load(s + 2 * ld), r3 = v128.load(s + 3 * ld);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst + off, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + off + 32, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + off + 64, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + off + 96, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

// Packs rows [i0, i0+mc) x cols [p0, p0+kc) of A (row stride lda; A^T when
// transA) into dst: groups of four rows interleaved (kc x 4), then each
// leftover row contiguous (kc).
function packA(a: usize, lda: i32, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  let r = 0;
  for (; r + 4 <= mc; r += 4) {
    const i = i0 + r;
    if (transA) {
      for (let p = p0; p < p0 + kc; p++) {
        v128.store(dst, v128.load(a + (<usize>(p * lda + i) << 2)));
        dst += 16;
      }
    } else {
      const a0 = a + (<usize>(i * lda + p0) << 2), st = <usize>lda << 2;
      for (let p = 0; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(dst, load<f32>(a0 + o));
        store<f32>(dst, load<f32>(a0 + st + o), 4);
        store<f32>(dst, load<f32>(a0 + 2 * st + o), 8);
        store<f32>(dst, load<f32>(a0 + 3 * st + o), 12);
        dst += 16;
      }
    }
  }
  for (; r < mc; r++) {
    const i = i0 + r;
    if (transA) {
      for (let p = p0; p < p0 + kc; p++) {
        store<f32>(dst, load<f32>(a + (<usize>(p * lda + i) << 2)));
        dst += 4;
      }
    } else {
      memory.copy(dst, a + (<usize>(i * lda + p0) << 2), <usize>kc << 2);
      dst += <usize>kc << 2;
    }
  }
}

// C[4,8] (row stride ldc bytes) += A panel (kc x 4) @ B panel (kc x 8).
function kernel4x8(pa: usize, pb: usize, c: usize, ldc: usize, kc: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x00 = v128.load(c), x01 = v128.load(c, 16);
  let x10 = v128.load(c1), x11 = v128.load(c1, 16);
  let x20 = v128.load(c2), x21 = v128.load(c2, 16);
  let x30 = v128.load(c3), x31 = v128.load(c3, 16);
  let n = kc;
  do {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    x00 = madd(a, b0, x00); x01 = madd(a, b1, x01);
    a = v128.load32_splat(pa, 4);
    x10 = madd(a, b0, x10); x11 = madd(a, b1, x11);
    a = v128.load32_splat(pa, 8);
    x20 = madd(a, b0, x20); x21 = madd(a, b1, x21);
    a = v128.load32_splat(pa, 12);
    x30 = madd(a, b0, x30); x31 = madd(a, b1, x31);
    pa += 16; pb += 32;
  } while (--n);
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

// C[1,32] += a (kc) @ four consecutive B panels (ps bytes apart).
function kernel1x32(pa: usize, pb: usize, ps: usize, c: usize, kc: i32): void {
  let x0 = v128.load(c), x1 = v128.load(c, 16), x2 = v128.load(c, 32), x3 = v128.load(c, 48);
  let x4 = v128.load(c, 64), x5 = v128.load(c, 80), x6 = v128.load(c, 96), x7 = v128.load(c, 112);
  let q1 = pb + ps, q2 = q1 + ps, q3 = q2 + ps;
  let n = kc;
  do {
    const a = v128.load32_splat(pa);
    x0 = mulAdd(a, v128.load(pb), x0); x1 = mulAdd(a, v128.load(pb, 16), x1);
    x2 = mulAdd(a, v128.load(q1), x2); x3 = mulAdd(a, v128.load(q1, 16), x3);
    x4 = mulAdd(a, v128.load(q2), x4); x5 = mulAdd(a, v128.load(q2, 16), x5);
    x6 = mulAdd(a, v128.load(q3), x6); x7 = mulAdd(a, v128.load(q3, 16), x7);
    pa += 4; pb += 32; q1 += 32; q2 += 32; q3 += 32;
  } while (--n);
  v128.store(c, x0); v128.store(c, x1, 16); v128.store(c, x2, 32); v128.store(c, x3, 48);
  v128.store(c, x4, 64); v128.store(c, x5, 80); v128.store(c, x6, 96); v128.store(c, x7, 112);
}

// C[1,8] += a (kc) @ one B panel.
function kernel1x8(pa: usize, pb: usize, c: usize, kc: i32): void {
  let x0 = v128.load(c), x1 = v128.load(c, 16);
  let n = kc;
  do {
    const a = v128.load32_splat(pa);
    x0 = mulAdd(a, v128.load(pb), x0); x1 = mulAdd(a, v128.load(pb, 16), x1);
    pa += 4; pb += 32;
  } while (--n);
  v128.store(c, x0); v128.store(c, x1, 16);
}

// C rows (nr valid columns, stride ldc bytes) += tmp rows (stride 32 bytes).
function addEdge(tmp: usize, rows: i32, c: usize, ldc: usize, nr: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nr; j++) {
      const o = c + <usize>r * ldc + (<usize>j << 2);
      store<f32>(o, load<f32>(o) + load<f32>(tmp + (<usize>(r * 8 + j) << 2)));
    }
  }
}

/**
 * C[m,n] (row stride ldc) += op(A) @ B, B from packB. `work` holds
 * mc * KB + 32 floats (packed A block, then a 4x8 edge tile).
 */
export function gemm(
  a: usize, lda: i32, transA: i32, pb: usize, c: usize, ldc: i32,
  m: i32, k: i32, n: i32, mcMax: i32, work: usize,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const n8 = (n + 7) & ~7, np = n8 >> 3, nfull = n >> 3;
  const ldcb = <usize>ldc << 2;
  const tmp = work + (<usize>(mcMax * KB) << 2);
  for (let p0 = 0; p0 < k; p0 += KB) {
    const kc = min(KB, k - p0);
    const pbBlock = pb + (<usize>(p0 * n8) << 2);
    const ps = <usize>kc << 5;
    for (let i0 = 0; i0 < m; i0 += mcMax) {
      const mc = min(mcMax, m - i0);
      packA(a, lda, transA, i0, mc, p0, kc, work);
      const m4 = mc & ~3;
      if (m4 > 0) {
        for (let jp = 0; jp < np; jp++) {
          const pB = pbBlock + <usize>jp * ps;
          for (let ir = 0; ir < m4; ir += 4) {
            const pA = work + (<usize>(ir * kc) << 2);
            const cp = c + <usize>(i0 + ir) * ldcb + (<usize>jp << 5);
            if (jp < nfull) {
              kernel4x8(pA, pB, cp, ldcb, kc);
            } else {
              memory.fill(tmp, 0, 128);
              kernel4x8(pA, pB, tmp, 32, kc);
              addEdge(tmp, 4, cp, ldcb, n - (jp << 3));
            }
          }
        }
      }
      for (let r = m4; r < mc; r++) {
        const pA = work + (<usize>(m4 * kc + (r - m4) * kc) << 2);
        const cp = c + <usize>(i0 + r) * ldcb;
        let jp = 0;
        for (; jp + 4 <= nfull; jp += 4) kernel1x32(pA, pbBlock + <usize>jp * ps, ps, cp + (<usize>jp << 5), kc);
        for (; jp < nfull; jp++) kernel1x8(pA, pbBlock + <usize>jp * ps, cp + (<usize>jp << 5), kc);
        if (jp < np) {
          memory.fill(tmp, 0, 32);
          kernel1x8(pA, pbBlock + <usize>jp * ps, tmp, kc);
          addEdge(tmp, 1, cp + (<usize>jp << 5), ldcb, n - (jp << 3));
        }
      }
    }
  }
}

/** Sets each of m rows of C (stride ldc) to bias[0..n), or to zero when bias is 0. */
export function initRows(c: usize, ldc: i32, m: i32, n: i32, bias: usize): void {
  const rb = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>(i * ldc) << 2);
    if (bias) memory.copy(row, bias, rb);
    else memory.fill(row, 0, rb);
  }
}

/** In place over len floats: act 1 = relu, 2 = relu6 (clamp to [0, 6]); NaN stays NaN. */
export function activate(c: usize, len: i32, act: i32): void {
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const p = c + (<usize>i << 2);
    // pmax(v, 0) = v < 0 ? 0 : v and pmin(v, 6) = 6 < v ? 6 : v keep NaN.
    let v = f32x4.pmax(v128.load(p), zero);
    if (act == 2) v = f32x4.pmin(v, six);
    v128.store(p, v);
  }
  for (; i < len; i++) {
    const p = c + (<usize>i << 2);
    let v = load<f32>(p);
    if (v < 0) v = 0;
    if (act == 2 && v > 6) v = 6;
    store<f32>(p, v);
  }
}

// C[4,8] += A rows a0, a0+lda, a0+2lda, a0+3lda (kc floats each, unpacked) @ B panel (kc x 8).
function kernel4x8rows(a0: usize, lda: usize, pb: usize, c: usize, ldc: usize, kc: i32): void {
  const a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x00 = v128.load(c), x01 = v128.load(c, 16);
  let x10 = v128.load(c1), x11 = v128.load(c1, 16);
  let x20 = v128.load(c2), x21 = v128.load(c2, 16);
  let x30 = v128.load(c3), x31 = v128.load(c3, 16);
  let p: usize = 0;
  const end = <usize>kc << 2;
  do {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(a0 + p);
    x00 = madd(a, b0, x00); x01 = madd(a, b1, x01);
    a = v128.load32_splat(a1 + p);
    x10 = madd(a, b0, x10); x11 = madd(a, b1, x11);
    a = v128.load32_splat(a2 + p);
    x20 = madd(a, b0, x20); x21 = madd(a, b1, x21);
    a = v128.load32_splat(a3 + p);
    x30 = madd(a, b0, x30); x31 = madd(a, b1, x31);
    p += 4; pb += 32;
  } while (p < end);
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

/**
 * gemm for k <= KB reading A's rows in place (no packing): C[m,n] (row stride ldc)
 * += A[m,k] (row stride lda) @ B from packB. `work` holds a 4x8 edge tile (32 floats).
 */
export function gemmRows(a: usize, lda: i32, pb: usize, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const np = ((n + 7) & ~7) >> 3, nfull = n >> 3, ldcb = <usize>ldc << 2, ldab = <usize>lda << 2;
  const ps = <usize>k << 5, m4 = m & ~3;
  for (let jp = 0; jp < np; jp++) {
    const pB = pb + <usize>jp * ps;
    for (let i = 0; i < m4; i += 4) {
      const pA = a + <usize>i * ldab, cp = c + <usize>i * ldcb + (<usize>jp << 5);
      if (jp < nfull) kernel4x8rows(pA, ldab, pB, cp, ldcb, k);
      else {
        memory.fill(work, 0, 128);
        kernel4x8rows(pA, ldab, pB, work, 32, k);
        addEdge(work, 4, cp, ldcb, n - (jp << 3));
      }
    }
  }
  // Rows past a multiple of four: the 4-row kernel on the row repeated (lda 0) into the
  // edge tile, one row added back (keeps gemm's single-row kernels to gemm alone).
  for (let r = m4; r < m; r++) {
    const pA = a + <usize>r * ldab, cp = c + <usize>r * ldcb;
    for (let jp = 0; jp < np; jp++) {
      memory.fill(work, 0, 128);
      kernel4x8rows(pA, 0, pb + <usize>jp * ps, work, 32, k);
      addEdge(work, 1, cp + (<usize>jp << 5), ldcb, min(8, n - (jp << 3)));
    }
  }
}
