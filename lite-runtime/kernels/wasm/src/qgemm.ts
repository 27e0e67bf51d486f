// Int8 GEMM with int32 accumulators: acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k]
// = sum_k a[m,k] * b[n,k] - aZero * bsum[n], with bsum[n] = sum_k b[n,k]
// (`rowSums`). Rows are padded to kp (a multiple of 8) by `padRows`, b with 0.
// Eight k at a time are sign-extended to i16 and multiplied with
// i32x4.dot_i16x8_s. A 3x4 block of outputs (twelve accumulators) shares each
// load; leftover rows use 2x4 / 1x4 blocks, leftover columns a single dot.

// Horizontal sum of an i32x4.
@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// [sum(a), sum(b), sum(c), sum(d)] of four i32x4 (a transpose-and-add tree).
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

@inline function dotAdd(s: v128, x: v128, w: v128): v128 {
  return i32x4.add(s, i32x4.dot_i16x8_s(x, w));
}

/** Copies `rows` rows of k bytes (stride k) to rows of kp bytes at dst, filling k..kp with `fill`. */
export function padRows(src: usize, rows: i32, k: i32, kp: i32, fill: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>r * <usize>kp, src + <usize>r * <usize>k, <usize>k);
    memory.fill(dst + <usize>r * <usize>kp + <usize>k, <u8>fill, <usize>(kp - k));
  }
}

/** dst[r] = sum of the kp int8 values of row r, for rows of b. */
export function rowSums(b: usize, rows: i32, kp: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = b + <usize>r * <usize>kp;
    let s = i32x4.splat(0);
    for (let p: usize = 0; p < <usize>kp; p += 8) s = i32x4.add(s, i32x4.extadd_pairwise_i16x8_s(v128.load8x8_s(row + p)));
    store<i32>(dst + (<usize>r << 2), hsum(s));
  }
}

// acc[3,4] (row stride ldc bytes) for a rows a0, a0+kp, a0+2kp and b rows b0..b0+3kp.
function qkernel3x4(a0: usize, b0: usize, kp: i32, zs: i32, bs: usize, c: usize, ldc: usize): void {
  const ku = <usize>kp;
  const a1 = a0 + ku, a2 = a1 + ku, b1 = b0 + ku, b2 = b1 + ku, b3 = b2 + ku;
  let s00 = i32x4.splat(0), s01 = s00, s02 = s00, s03 = s00;
  let s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  let s20 = s00, s21 = s00, s22 = s00, s23 = s00;
  let p: usize = 0;
  do {
    const x0 = v128.load8x8_s(a0 + p);
    const x1 = v128.load8x8_s(a1 + p);
    const x2 = v128.load8x8_s(a2 + p);
    let w = v128.load8x8_s(b0 + p);
    s00 = dotAdd(s00, x0, w); s10 = dotAdd(s10, x1, w); s20 = dotAdd(s20, x2, w);
    w = v128.load8x8_s(b1 + p);
    s01 = dotAdd(s01, x0, w); s11 = dotAdd(s11, x1, w); s21 = dotAdd(s21, x2, w);
    w = v128.load8x8_s(b2 + p);
    s02 = dotAdd(s02, x0, w); s12 = dotAdd(s12, x1, w); s22 = dotAdd(s22, x2, w);
    w = v128.load8x8_s(b3 + p);
    s03 = dotAdd(s03, x0, w); s13 = dotAdd(s13, x1, w); s23 = dotAdd(s23, x2, w);
    p += 8;
  } while (p < ku);
  const z = i32x4.mul(i32x4.splat(zs), v128.load(bs));
  v128.store(c, i32x4.sub(hsum4(s00, s01, s02, s03), z));
  v128.store(c + ldc, i32x4.sub(hsum4(s10, s11, s12, s13), z));
  v128.store(c + 2 * ldc, i32x4.sub(hsum4(s20, s21, s22, s23), z));
}

// acc[2,4] for a rows a0, a0+kp and b rows b0..b0+3kp.
function qkernel2x4(a0: usize, b0: usize, kp: i32, zs: i32, bs: usize, c: usize, ldc: usize): void {
  const ku = <usize>kp;
  const a1 = a0 + ku, b1 = b0 + ku, b2 = b1 + ku, b3 = b2 + ku;
  let s00 = i32x4.splat(0), s01 = s00, s02 = s00, s03 = s00;
  let s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  let p: usize = 0;
  do {
    const x0 = v128.load8x8_s(a0 + p), x1 = v128.load8x8_s(a1 + p);
    let w = v128.load8x8_s(b0 + p);
    s00 = dotAdd(s00, x0, w); s10 = dotAdd(s10, x1, w);
    w = v128.load8x8_s(b1 + p);
    s01 = dotAdd(s01, x0, w); s11 = dotAdd(s11, x1, w);
    w = v128.load8x8_s(b2 + p);
    s02 = dotAdd(s02, x0, w); s12 = dotAdd(s12, x1, w);
    w = v128.load8x8_s(b3 + p);
    s03 = dotAdd(s03, x0, w); s13 = dotAdd(s13, x1, w);
    p += 8;
  } while (p < ku);
  const z = i32x4.mul(i32x4.splat(zs), v128.load(bs));
  v128.store(c, i32x4.sub(hsum4(s00, s01, s02, s03), z));
  v128.store(c + ldc, i32x4.sub(hsum4(s10, s11, s12, s13), z));
}

// acc[1,4] for a row a0 and b rows b0..b0+3kp.
function qkernel1x4(a0: usize, b0: usize, kp: i32, zs: i32, bs: usize, c: usize): void {
  const ku = <usize>kp;
  const b1 = b0 + ku, b2 = b1 + ku, b3 = b2 + ku;
  let s0 = i32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let p: usize = 0;
  do {
    const x = v128.load8x8_s(a0 + p);
    s0 = dotAdd(s0, x, v128.load8x8_s(b0 + p));
    s1 = dotAdd(s1, x, v128.load8x8_s(b1 + p));
    s2 = dotAdd(s2, x, v128.load8x8_s(b2 + p));
    s3 = dotAdd(s3, x, v128.load8x8_s(b3 + p));
    p += 8;
  } while (p < ku);
  v128.store(c, i32x4.sub(hsum4(s0, s1, s2, s3), i32x4.mul(i32x4.splat(zs), v128.load(bs))));
}

// One output: dot of row a0 with row b0.
function qdot(a0: usize, b0: usize, kp: i32): i32 {
  let s = i32x4.splat(0);
  let p: usize = 0;
  do {
    s = dotAdd(s, v128.load8x8_s(a0 + p), v128.load8x8_s(b0 + p));
    p += 8;
  } while (p < <usize>kp);
  return hsum(s);
}

/**
 * acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k]: a [m,kp] and b [n,kp] int8 rows
 * padded by padRows (b with zeros; kp a positive multiple of 8), bsum [n] from
 * rowSums(b), acc [m,n] int32.
 */
export function qgemm(a: usize, aZero: i32, b: usize, bsum: usize, acc: usize, m: i32, kp: i32, n: i32): void {
  const ldc = <usize>n << 2, ku = <usize>kp;
  const n4 = n & ~3;
  let i = 0;
  while (i < m) {
    const rows = min(3, m - i);
    const ai = a + <usize>i * ku, ci = acc + <usize>i * ldc;
    for (let j = 0; j < n4; j += 4) {
      const bj = b + <usize>j * ku, cj = ci + (<usize>j << 2), bs = bsum + (<usize>j << 2);
      if (rows == 3) qkernel3x4(ai, bj, kp, aZero, bs, cj, ldc);
      else if (rows == 2) qkernel2x4(ai, bj, kp, aZero, bs, cj, ldc);
      else qkernel1x4(ai, bj, kp, aZero, bs, cj);
    }
    for (let j = n4; j < n; j++) {
      const zb = aZero * load<i32>(bsum + (<usize>j << 2));
      for (let r = 0; r < rows; r++) {
        store<i32>(ci + <usize>r * ldc + (<usize>j << 2), qdot(ai + <usize>r * ku, b + <usize>j * ku, kp) - zb);
      }
    }
    i += rows;
  }
}

/**
 * The rows of b ([n][kp], padded by padRows) in pairs, int8, for the broadcast GEMM
 * (which widens them in registers): dst [ceil(n/8)][kp/2][8][2], dst[jb][q][j] =
 * (b[jb*8+j][2q], b[jb*8+j][2q+1]), zero for rows past n.
 */
export function packPairs(b: usize, n: i32, kp: i32, dst: usize): void {
  const ku = <usize>kp;
  // rows past n in the last block of 8 are zero
  if (n & 7) memory.fill(dst + <usize>(n & ~7) * ku, 0, ku << 3);
  for (let r = 0; r < n; r++) {
    // row r's pair q goes to dst + (r & ~7) * kp + q * 16 + (r & 7) * 2: eight pairs per 16-byte load
    const src = b + <usize>r * ku, o = dst + <usize>(r & ~7) * ku + (<usize>(r & 7) << 1);
    let q: usize = 0;
    for (; q + 16 <= ku; q += 16) {
      const v = v128.load(src + q), d = o + (q << 3);
      v128.store16_lane(d, v, 0); v128.store16_lane(d, v, 1, 16); v128.store16_lane(d, v, 2, 32); v128.store16_lane(d, v, 3, 48);
      v128.store16_lane(d, v, 4, 64); v128.store16_lane(d, v, 5, 80); v128.store16_lane(d, v, 6, 96); v128.store16_lane(d, v, 7, 112);
    }
    for (; q < ku; q += 2) store<u16>(o + (q << 3), load<u16>(src + q));
  }
}
