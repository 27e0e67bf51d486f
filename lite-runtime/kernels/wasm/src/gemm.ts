// Float32 GEMM: C[m,n] += A @ B with B packed into K-block x 8 panels and A
// packed per (M-block, K-block) into 4-row interleaved panels. A 4x8 register
// micro-kernel (eight f32x4 accumulators, A broadcast with load32_splat) does
// the work; rows left over use a 1x32 / 1x8 kernel (the m = 1 inference path).
// The kernels start from C, or from a bias row (then C is only written), and may
// clamp what they store (relu, relu6), so C is written once per K block.
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

// Accumulators of a row of 8 at c: from C, or from the bias row when there is one.
// @ts-ignore: decorator
@inline function start(c: usize, bias: usize, off: usize): v128 {
  return v128.load((bias ? bias : c) + off);
}

// The clamp of act (1 relu, 2 relu6; none: +-Infinity): v clamped to [lo, hi] keeps NaN.
// @ts-ignore: decorator
@inline function lo(act: i32): v128 { return f32x4.splat(act ? 0 : -Infinity); }
// @ts-ignore: decorator
@inline function hi(act: i32): v128 { return f32x4.splat(act == 2 ? 6 : Infinity); }
// @ts-ignore: decorator
@inline function clamp(v: v128, l: v128, h: v128): v128 { return f32x4.pmin(f32x4.pmax(v, l), h); }

// C[4,8] (row stride ldc bytes) = act(C or bias + A panel (kc x 4) @ B panel (kc x 8)).
function kernel4x8(pa: usize, pb: usize, c: usize, ldc: usize, kc: i32, bias: usize, act: i32): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x00 = start(c, bias, 0), x01 = start(c, bias, 16);
  let x10 = start(c1, bias, 0), x11 = start(c1, bias, 16);
  let x20 = start(c2, bias, 0), x21 = start(c2, bias, 16);
  let x30 = start(c3, bias, 0), x31 = start(c3, bias, 16);
  const l = lo(act), h = hi(act);
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
  v128.store(c, clamp(x00, l, h)); v128.store(c, clamp(x01, l, h), 16);
  v128.store(c1, clamp(x10, l, h)); v128.store(c1, clamp(x11, l, h), 16);
  v128.store(c2, clamp(x20, l, h)); v128.store(c2, clamp(x21, l, h), 16);
  v128.store(c3, clamp(x30, l, h)); v128.store(c3, clamp(x31, l, h), 16);
}

// C[1,32] = act(C or bias + a (kc) @ four consecutive B panels (ps bytes apart)).
function kernel1x32(pa: usize, pb: usize, ps: usize, c: usize, kc: i32, bias: usize, act: i32): void {
  let x0 = start(c, bias, 0), x1 = start(c, bias, 16), x2 = start(c, bias, 32), x3 = start(c, bias, 48);
  let x4 = start(c, bias, 64), x5 = start(c, bias, 80), x6 = start(c, bias, 96), x7 = start(c, bias, 112);
  let q1 = pb + ps, q2 = q1 + ps, q3 = q2 + ps;
  const l = lo(act), h = hi(act);
  let n = kc;
  do {
    const a = v128.load32_splat(pa);
    x0 = mulAdd(a, v128.load(pb), x0); x1 = mulAdd(a, v128.load(pb, 16), x1);
    x2 = mulAdd(a, v128.load(q1), x2); x3 = mulAdd(a, v128.load(q1, 16), x3);
    x4 = mulAdd(a, v128.load(q2), x4); x5 = mulAdd(a, v128.load(q2, 16), x5);
    x6 = mulAdd(a, v128.load(q3), x6); x7 = mulAdd(a, v128.load(q3, 16), x7);
    pa += 4; pb += 32; q1 += 32; q2 += 32; q3 += 32;
  } while (--n);
  v128.store(c, clamp(x0, l, h)); v128.store(c, clamp(x1, l, h), 16); v128.store(c, clamp(x2, l, h), 32); v128.store(c, clamp(x3, l, h), 48);
  v128.store(c, clamp(x4, l, h), 64); v128.store(c, clamp(x5, l, h), 80); v128.store(c, clamp(x6, l, h), 96); v128.store(c, clamp(x7, l, h), 112);
}

// C[1,8] = act(C or bias + a (kc) @ one B panel).
function kernel1x8(pa: usize, pb: usize, c: usize, kc: i32, bias: usize, act: i32): void {
  let x0 = start(c, bias, 0), x1 = start(c, bias, 16);
  const l = lo(act), h = hi(act);
  let n = kc;
  do {
    const a = v128.load32_splat(pa);
    x0 = mulAdd(a, v128.load(pb), x0); x1 = mulAdd(a, v128.load(pb, 16), x1);
    pa += 4; pb += 32;
  } while (--n);
  v128.store(c, clamp(x0, l, h)); v128.store(c, clamp(x1, l, h), 16);
}

// C rows (nr valid columns, stride ldc bytes) = act(tmp rows (stride 32 bytes) + the bias row,
// or + C when there is none).
function edge(tmp: usize, rows: i32, c: usize, ldc: usize, nr: i32, bias: usize, act: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nr; j++) {
      const o = c + <usize>r * ldc + (<usize>j << 2);
      let v = load<f32>(tmp + (<usize>(r * 8 + j) << 2)) + load<f32>(bias ? bias + (<usize>j << 2) : o);
      if (act && v < 0) v = 0;
      if (act == 2 && v > 6) v = 6;
      store<f32>(o, v);
    }
  }
}

/**
 * C[m,n] (row stride ldc) += op(A) @ B, B from packB; with a bias (n8 floats) C =
 * act(bias + op(A) @ B) instead (act 1 relu, 2 relu6), C only written. `work` holds
 * mc * KB + 32 floats (packed A block, then a 4x8 edge tile).
 */
export function gemm(
  a: usize, lda: i32, transA: i32, pb: usize, c: usize, ldc: i32,
  m: i32, k: i32, n: i32, mcMax: i32, work: usize, bias: usize, act: i32,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const n8 = (n + 7) & ~7, np = n8 >> 3, nfull = n >> 3;
  const ldcb = <usize>ldc << 2;
  const tmp = work + (<usize>(mcMax * KB) << 2);
  for (let p0 = 0; p0 < k; p0 += KB) {
    const kc = min(KB, k - p0);
    const pbBlock = pb + (<usize>(p0 * n8) << 2);
    const ps = <usize>kc << 5;
    // the bias starts the first K block, the clamp ends the last
    const bb = p0 ? 0 : bias, ba = p0 + kc < k ? 0 : act;
    for (let i0 = 0; i0 < m; i0 += mcMax) {
      const mc = min(mcMax, m - i0);
      packA(a, lda, transA, i0, mc, p0, kc, work);
      const m4 = mc & ~3;
      if (m4 > 0) {
        for (let jp = 0; jp < np; jp++) {
          const pB = pbBlock + <usize>jp * ps, pbias = bb ? bb + (<usize>jp << 5) : 0;
          for (let ir = 0; ir < m4; ir += 4) {
            const pA = work + (<usize>(ir * kc) << 2);
            const cp = c + <usize>(i0 + ir) * ldcb + (<usize>jp << 5);
            if (jp < nfull) {
              kernel4x8(pA, pB, cp, ldcb, kc, pbias, ba);
            } else {
              memory.fill(tmp, 0, 128);
              kernel4x8(pA, pB, tmp, 32, kc, 0, 0);
              edge(tmp, 4, cp, ldcb, n - (jp << 3), pbias, ba);
            }
          }
        }
      }
      for (let r = m4; r < mc; r++) {
        const pA = work + (<usize>(m4 * kc + (r - m4) * kc) << 2);
        const cp = c + <usize>(i0 + r) * ldcb;
        let jp = 0;
        for (; jp + 4 <= nfull; jp += 4) kernel1x32(pA, pbBlock + <usize>jp * ps, ps, cp + (<usize>jp << 5), kc, bb ? bb + (<usize>jp << 5) : 0, ba);
        for (; jp < nfull; jp++) kernel1x8(pA, pbBlock + <usize>jp * ps, cp + (<usize>jp << 5), kc, bb ? bb + (<usize>jp << 5) : 0, ba);
        if (jp < np) {
          memory.fill(tmp, 0, 32);
          kernel1x8(pA, pbBlock + <usize>jp * ps, tmp, kc, 0, 0);
          edge(tmp, 1, cp + (<usize>jp << 5), ldcb, n - (jp << 3), bb ? bb + (<usize>jp << 5) : 0, ba);
        }
      }
    }
  }
}

// C[4,8] = act(C or bias + A rows a0, a0+lda, a0+2lda, a0+3lda (kc floats each, unpacked) @ B panel (kc x 8)).
function kernel4x8rows(a0: usize, lda: usize, pb: usize, c: usize, ldc: usize, kc: i32, bias: usize, act: i32): void {
  const a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  let x00 = start(c, bias, 0), x01 = start(c, bias, 16);
  let x10 = start(c1, bias, 0), x11 = start(c1, bias, 16);
  let x20 = start(c2, bias, 0), x21 = start(c2, bias, 16);
  let x30 = start(c3, bias, 0), x31 = start(c3, bias, 16);
  const l = lo(act), h = hi(act);
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
  v128.store(c, clamp(x00, l, h)); v128.store(c, clamp(x01, l, h), 16);
  v128.store(c1, clamp(x10, l, h)); v128.store(c1, clamp(x11, l, h), 16);
  v128.store(c2, clamp(x20, l, h)); v128.store(c2, clamp(x21, l, h), 16);
  v128.store(c3, clamp(x30, l, h)); v128.store(c3, clamp(x31, l, h), 16);
}

/**
 * gemm for k <= KB reading A's rows in place (no packing): C[m,n] (row stride ldc)
 * += A[m,k] (row stride lda) @ B from packB, or with a bias C = act(bias + A @ B) as gemm.
 * `work` holds a 4x8 edge tile (32 floats).
 */
export function gemmRows(a: usize, lda: i32, pb: usize, c: usize, ldc: i32, m: i32, k: i32, n: i32, work: usize, bias: usize, act: i32): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const np = ((n + 7) & ~7) >> 3, nfull = n >> 3, ldcb = <usize>ldc << 2, ldab = <usize>lda << 2;
  const ps = <usize>k << 5, m4 = m & ~3;
  for (let jp = 0; jp < np; jp++) {
    const pB = pb + <usize>jp * ps, pbias = bias ? bias + (<usize>jp << 5) : 0;
    for (let i = 0; i < m4; i += 4) {
      const pA = a + <usize>i * ldab, cp = c + <usize>i * ldcb + (<usize>jp << 5);
      if (jp < nfull) kernel4x8rows(pA, ldab, pB, cp, ldcb, k, pbias, act);
      else {
        memory.fill(work, 0, 128);
        kernel4x8rows(pA, ldab, pB, work, 32, k, 0, 0);
        edge(work, 4, cp, ldcb, n - (jp << 3), pbias, act);
      }
    }
    // Rows past a multiple of four: the 4-row kernel on the row repeated (lda 0) into the
    // edge tile, one row stored (keeps gemm's single-row kernels to gemm alone).
    for (let r = m4; r < m; r++) {
      memory.fill(work, 0, 128);
      kernel4x8rows(a + <usize>r * ldab, 0, pB, work, 32, k, 0, 0);
      edge(work, 1, c + <usize>r * ldcb + (<usize>jp << 5), ldcb, min(8, n - (jp << 3)), pbias, act);
    }
  }
}
