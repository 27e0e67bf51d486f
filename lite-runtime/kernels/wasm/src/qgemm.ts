// Int8 GEMM with int32 accumulators: acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k].
// Both operands are k-contiguous: 8 k at a time are sign-extended to i16
// (a - aZero fits i16) and multiplied with i32x4.dot_i16x8_s; a 2x4 block of
// outputs shares each load. The k % 8 tail is scalar.

// Horizontal sum of an i32x4.
@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// acc[2,4] (row stride ldc bytes) for rows a0, a0+k and b rows b0..b0+3k.
function qkernel2x4(a0: usize, b0: usize, k: i32, za: v128, zs: i32, c: usize, ldc: usize): void {
  const ku = <usize>k;
  const a1 = a0 + ku, b1 = b0 + ku, b2 = b1 + ku, b3 = b2 + ku;
  let s00 = i32x4.splat(0), s01 = s00, s02 = s00, s03 = s00;
  let s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  const k8 = k & ~7;
  let p: usize = 0;
  for (; p < <usize>k8; p += 8) {
    const x0 = i16x8.sub(v128.load8x8_s(a0 + p), za), x1 = i16x8.sub(v128.load8x8_s(a1 + p), za);
    let w = v128.load8x8_s(b0 + p);
    s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x0, w)); s10 = i32x4.add(s10, i32x4.dot_i16x8_s(x1, w));
    w = v128.load8x8_s(b1 + p);
    s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x0, w)); s11 = i32x4.add(s11, i32x4.dot_i16x8_s(x1, w));
    w = v128.load8x8_s(b2 + p);
    s02 = i32x4.add(s02, i32x4.dot_i16x8_s(x0, w)); s12 = i32x4.add(s12, i32x4.dot_i16x8_s(x1, w));
    w = v128.load8x8_s(b3 + p);
    s03 = i32x4.add(s03, i32x4.dot_i16x8_s(x0, w)); s13 = i32x4.add(s13, i32x4.dot_i16x8_s(x1, w));
  }
  let t00 = hsum(s00), t01 = hsum(s01), t02 = hsum(s02), t03 = hsum(s03);
  let t10 = hsum(s10), t11 = hsum(s11), t12 = hsum(s12), t13 = hsum(s13);
  for (; p < ku; p++) {
    const x0 = <i32>load<i8>(a0 + p) - zs, x1 = <i32>load<i8>(a1 + p) - zs;
    const w0 = <i32>load<i8>(b0 + p), w1 = <i32>load<i8>(b1 + p), w2 = <i32>load<i8>(b2 + p), w3 = <i32>load<i8>(b3 + p);
    t00 += x0 * w0; t01 += x0 * w1; t02 += x0 * w2; t03 += x0 * w3;
    t10 += x1 * w0; t11 += x1 * w1; t12 += x1 * w2; t13 += x1 * w3;
  }
  store<i32>(c, t00); store<i32>(c, t01, 4); store<i32>(c, t02, 8); store<i32>(c, t03, 12);
  const c1 = c + ldc;
  store<i32>(c1, t10); store<i32>(c1, t11, 4); store<i32>(c1, t12, 8); store<i32>(c1, t13, 12);
}

// One output: dot of row a0 with row b0 over k.
function qdot(a0: usize, b0: usize, k: i32, za: v128, zs: i32): i32 {
  let s = i32x4.splat(0);
  const k8 = k & ~7;
  let p: usize = 0;
  for (; p < <usize>k8; p += 8) {
    s = i32x4.add(s, i32x4.dot_i16x8_s(i16x8.sub(v128.load8x8_s(a0 + p), za), v128.load8x8_s(b0 + p)));
  }
  let t = hsum(s);
  for (; p < <usize>k; p++) t += (<i32>load<i8>(a0 + p) - zs) * <i32>load<i8>(b0 + p);
  return t;
}

/** acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k]; a, b int8, acc int32, all row-major. */
export function qgemm(a: usize, aZero: i32, b: usize, acc: usize, m: i32, k: i32, n: i32): void {
  const za = i16x8.splat(<i16>aZero);
  const ldc = <usize>n << 2, ku = <usize>k;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const ai = a + <usize>i * ku, ci = acc + <usize>i * ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) qkernel2x4(ai, b + <usize>j * ku, k, za, aZero, ci + (<usize>j << 2), ldc);
    for (; j < n; j++) {
      store<i32>(ci + (<usize>j << 2), qdot(ai, b + <usize>j * ku, k, za, aZero));
      store<i32>(ci + ldc + (<usize>j << 2), qdot(ai + ku, b + <usize>j * ku, k, za, aZero));
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * ku, ci = acc + <usize>i * ldc;
    for (let j = 0; j < n; j++) store<i32>(ci + (<usize>j << 2), qdot(ai, b + <usize>j * ku, k, za, aZero));
  }
}
