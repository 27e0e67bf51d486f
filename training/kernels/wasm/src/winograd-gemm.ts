// The Winograd convolutions' GEMMs and helpers (winograd.ts has the transforms): per tile
// position ξ, M [O, tiles] = U [O, C] @ V [C, tiles] with U packed in 4-row groups and V's rows
// read in place (forward and input gradient), and S [C, O] += V [C][tiles] · Z [O][tiles]^T
// with both operands' rows read in place (weight gradient). Pointers are byte offsets.
import { KB } from '../../../../lite-runtime/kernels/wasm/src/gemm';
import { madd } from '../../../../lite-runtime/kernels/wasm/src/madd';

/**
 * dst [C][hp][wp] = the planes of src [C][h][w] placed at (pt, pl), zeros around (the caller
 * picks hp, wp covering every tile's patch).
 */
export function padPlanes(src: usize, C: i32, h: i32, w: i32, dst: usize, hp: i32, wp: i32, pt: i32, pl: i32): void {
  const plane = <usize>(hp * wp) << 2, w4 = w & ~3;
  memory.fill(dst, 0, plane * <usize>C);
  for (let c = 0; c < C; c++) {
    let d = dst + <usize>c * plane + (<usize>(pt * wp + pl) << 2);
    for (let y = 0; y < h; y++) {
      // rows are short: a SIMD loop beats memory.copy's call
      let x = 0;
      for (; x < w4; x += 4) v128.store(d + (<usize>x << 2), v128.load(src + (<usize>x << 2)));
      for (; x < w; x++) store<f32>(d + (<usize>x << 2), load<f32>(src + (<usize>x << 2)));
      src += <usize>w << 2;
      d += <usize>wp << 2;
    }
  }
}

// C[4,8] (rows ldc bytes apart) = (acc ? C : 0) + a packed A panel (kc x 4 at pa) @ eight columns
// of B read in place (kc rows ldb bytes apart, at b): gemm's 4x8 kernel with B unpacked.
function kernelB(pa: usize, b: usize, ldb: usize, c: usize, ldc: usize, kc: i32, acc: bool): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, z = f32x4.splat(0);
  let x00 = z, x01 = z, x10 = z, x11 = z, x20 = z, x21 = z, x30 = z, x31 = z;
  if (acc) {
    x00 = v128.load(c); x01 = v128.load(c, 16); x10 = v128.load(c1); x11 = v128.load(c1, 16);
    x20 = v128.load(c2); x21 = v128.load(c2, 16); x30 = v128.load(c3); x31 = v128.load(c3, 16);
  }
  let n = kc;
  do {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(pa);
    x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
    s = v128.load32_splat(pa, 4);
    x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
    s = v128.load32_splat(pa, 8);
    x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
    s = v128.load32_splat(pa, 12);
    x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
    pa += 16; b += ldb;
  } while (--n);
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

/**
 * m [O, n] = U @ V, overwriting m: U from winoWeights ([O/4][C][4], rows past O zero), V [C][n]
 * row-major (32 readable bytes after it). `tmp` holds a 4x8 edge tile (32 floats).
 */
export function winoGemm(u: usize, O: i32, C: i32, v: usize, n: i32, m: usize, tmp: usize): void {
  const ld = <usize>n << 2;
  // panels outer: a panel of V (C short rows) stays in L1 across U's row groups (all of U fits there too)
  for (let j = 0; j < n; j += 8) {
    const nr = min(8, n - j), b = v + (<usize>j << 2);
    for (let i = 0; i < O; i += 4) {
      const mr = min(4, O - i), c = m + <usize>i * ld + (<usize>j << 2);
      for (let p0 = 0; p0 < C; p0 += KB) {
        const kc = min(KB, C - p0), acc = p0 > 0, pa = u + (<usize>(i * C + p0 * 4) << 2), bp = b + <usize>p0 * ld;
        if (mr == 4 && nr == 8) { kernelB(pa, bp, ld, c, ld, kc, acc); continue; }
        // an edge: through the tile, only its mr x nr corner kept
        for (let r = 0; r < 4; r++) for (let q = 0; q < 8; q++) {
          store<f32>(tmp + (<usize>(r * 8 + q) << 2), acc && r < mr && q < nr ? load<f32>(c + <usize>r * ld + (<usize>q << 2)) : 0);
        }
        kernelB(pa, bp, ld, tmp, 32, kc, true);
        for (let r = 0; r < mr; r++) for (let q = 0; q < nr; q++) {
          store<f32>(c + <usize>r * ld + (<usize>q << 2), load<f32>(tmp + (<usize>(r * 8 + q) << 2)));
        }
      }
    }
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// s[r][q] += a_r · b_q (k floats each, k % 4 == 0) for the first `rows` of four rows a0..a3 and
// `cols` of two rows b0, b1 (rows ldc bytes apart in s).
function kernelNT(a0: usize, a1: usize, a2: usize, a3: usize, b0: usize, b1: usize, k: i32, s: usize, ldc: usize, rows: i32, cols: i32): void {
  const z = f32x4.splat(0);
  let x00 = z, x01 = z, x10 = z, x11 = z, x20 = z, x21 = z, x30 = z, x31 = z;
  const end = <usize>k << 2;
  let p: usize = 0;
  do {
    const u = v128.load(b0 + p), w = v128.load(b1 + p);
    let a = v128.load(a0 + p);
    x00 = madd(a, u, x00); x01 = madd(a, w, x01);
    a = v128.load(a1 + p);
    x10 = madd(a, u, x10); x11 = madd(a, w, x11);
    a = v128.load(a2 + p);
    x20 = madd(a, u, x20); x21 = madd(a, w, x21);
    a = v128.load(a3 + p);
    x30 = madd(a, u, x30); x31 = madd(a, w, x31);
    p += 16;
  } while (p < end);
  const two = cols > 1;
  store<f32>(s, load<f32>(s) + hsum(x00)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x01), 4);
  if (rows > 1) { s += ldc; store<f32>(s, load<f32>(s) + hsum(x10)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x11), 4); }
  if (rows > 2) { s += ldc; store<f32>(s, load<f32>(s) + hsum(x20)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x21), 4); }
  if (rows > 3) { s += ldc; store<f32>(s, load<f32>(s) + hsum(x30)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x31), 4); }
}

/**
 * s [I, O] += v [I][k] · z [O][k]^T (row-major, rows k floats, k a positive multiple of 4): the
 * weight gradient's sum over tiles, both operands read in place.
 */
export function winoGemmNT(v: usize, I: i32, z: usize, O: i32, k: i32, s: usize): void {
  const rb = <usize>k << 2, ldc = <usize>O << 2;
  for (let i = 0; i < I; i += 4) {
    // rows past I repeat the last one (read, not stored)
    const a0 = v + <usize>i * rb, a1 = v + <usize>min(i + 1, I - 1) * rb;
    const a2 = v + <usize>min(i + 2, I - 1) * rb, a3 = v + <usize>min(i + 3, I - 1) * rb;
    for (let o = 0; o < O; o += 2) {
      const b0 = z + <usize>o * rb, b1 = z + <usize>min(o + 1, O - 1) * rb;
      kernelNT(a0, a1, a2, a3, b0, b1, k, s + <usize>i * ldc + (<usize>o << 2), ldc, I - i, O - o);
    }
  }
}

/**
 * s [I, O] += a [I][k] · B [O][k]^T (a's rows lda floats apart, B's row o at b + offs[o], offs i32
 * byte offsets; k a positive multiple of 4): a first layer's weight gradient over wide rows, the
 * im2col rows read straight from the image planes.
 */
export function gemmNTRows(a: usize, I: i32, lda: i32, b: usize, offs: usize, O: i32, k: i32, s: usize): void {
  const rb = <usize>lda << 2, ldc = <usize>O << 2;
  for (let i = 0; i < I; i += 4) {
    const a0 = a + <usize>i * rb, a1 = a + <usize>min(i + 1, I - 1) * rb;
    const a2 = a + <usize>min(i + 2, I - 1) * rb, a3 = a + <usize>min(i + 3, I - 1) * rb;
    for (let o = 0; o < O; o += 2) {
      const b0 = b + <usize>load<i32>(offs + (<usize>o << 2)), b1 = b + <usize>load<i32>(offs + (<usize>min(o + 1, O - 1) << 2));
      kernelNT(a0, a1, a2, a3, b0, b1, k, s + <usize>i * ldc + (<usize>o << 2), ldc, I - i, O - o);
    }
  }
}

/** 1 when the n floats at p are all finite, else 0. */
export function allFinite(p: usize, n: i32): i32 {
  let acc = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(p + (<usize>i << 2)), zero));
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) s += load<f32>(p + (<usize>i << 2)) * 0;
  return s == 0 ? 1 : 0;
}
