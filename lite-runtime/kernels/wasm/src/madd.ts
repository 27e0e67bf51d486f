// f32x4 multiply-add: a true FMA in the relaxed-SIMD build, mul+add otherwise.
// ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so one branch remains.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
