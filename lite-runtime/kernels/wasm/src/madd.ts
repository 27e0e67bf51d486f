// f32x4 multiply-add: a true FMA in the relaxed-SIMD build, mul+add otherwise.
// ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so one branch remains.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// Unfused multiply-add in both builds: the single-row kernels (load-bound,
// one accumulator chain per vector) measured ~15% faster with it than with
// relaxed_madd (m = 1, k = n = 256..1024, one thread).
@inline export function mulAdd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}
