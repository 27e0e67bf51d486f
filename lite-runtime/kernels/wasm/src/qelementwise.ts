// int8 ADD/SUB/MUL in XNNPACK's arithmetic (what LiteRT.js computes), 16 elements a step.
// `b` repeats every `bn` elements of `a` (bn == n: same shape; bn == 1: a scalar; else a
// trailing-dims broadcast, n a multiple of bn).
//   add/sub: y = clamp(((bias + ma*a + mb*b) >> shift) + zp, lo, hi)   (SUB: mb negated)
//   mul:     y = clamp(nearest(f32((a - za) * (b - zb)) * scale) + zp, lo, hi)
// The i16 and i8 narrowings saturate, which equals clamping the exact value into [lo, hi]
// (lo, hi within int8).

// @ts-ignore: decorator
@inline function addStep(pa: usize, vb: v128, py: usize, vma: v128, vmb: v128, vbias: v128, shift: i32, vzp: v128, vlo: v128, vhi: v128): void {
  const va = v128.load(pa);
  const a0 = i16x8.extend_low_i8x16_s(va), a1 = i16x8.extend_high_i8x16_s(va);
  const b0 = i16x8.extend_low_i8x16_s(vb), b1 = i16x8.extend_high_i8x16_s(vb);
  const s0 = i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_s(a0), vma), i32x4.mul(i32x4.extend_low_i16x8_s(b0), vmb))), shift);
  const s1 = i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_s(a0), vma), i32x4.mul(i32x4.extend_high_i16x8_s(b0), vmb))), shift);
  const s2 = i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_s(a1), vma), i32x4.mul(i32x4.extend_low_i16x8_s(b1), vmb))), shift);
  const s3 = i32x4.shr_s(i32x4.add(vbias, i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_s(a1), vma), i32x4.mul(i32x4.extend_high_i16x8_s(b1), vmb))), shift);
  const h0 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(s0, s1), vzp), h1 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(s2, s3), vzp);
  v128.store(py, i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(h0, h1), vlo), vhi));
}

/** int8 add (sub with mb negated) of n elements; see the file comment. */
export function qaddI8(a: usize, b: usize, y: usize, n: i32, bn: i32, ma: i32, mb: i32, bias: i32, shift: i32, zp: i32, lo: i32, hi: i32): void {
  const vma = i32x4.splat(ma), vmb = i32x4.splat(mb), vbias = i32x4.splat(bias);
  const vzp = i16x8.splat(<i16>zp), vlo = i8x16.splat(<i8>lo), vhi = i8x16.splat(<i8>hi);
  const rows = bn == 1 ? 1 : n / bn, len = bn == 1 ? n : bn, bStep: i32 = bn == 1 ? 0 : 1;
  const vb1 = i8x16.splat(load<i8>(b));
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>(r * len), yr = y + <usize>(r * len);
    let i = 0;
    for (; i + 16 <= len; i += 16) addStep(ar + <usize>i, bn == 1 ? vb1 : v128.load(b + <usize>i), yr + <usize>i, vma, vmb, vbias, shift, vzp, vlo, vhi);
    for (; i < len; i++) {
      const v = ((bias + ma * <i32>load<i8>(ar + <usize>i) + mb * <i32>load<i8>(b + <usize>(i * bStep))) >> shift) + zp;
      store<i8>(yr + <usize>i, <i8>min(max(v, lo), hi));
    }
  }
}

// @ts-ignore: decorator
@inline function mulQuad(p: v128, vscale: v128): v128 {
  return i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(p), vscale)));
}

// @ts-ignore: decorator
@inline function mulStep(pa: usize, vb: v128, py: usize, vza: v128, vzb: v128, vscale: v128, vzp: v128, vlo: v128, vhi: v128): void {
  const va = v128.load(pa);
  const a0 = i16x8.sub(i16x8.extend_low_i8x16_s(va), vza), a1 = i16x8.sub(i16x8.extend_high_i8x16_s(va), vza);
  const b0 = i16x8.sub(i16x8.extend_low_i8x16_s(vb), vzb), b1 = i16x8.sub(i16x8.extend_high_i8x16_s(vb), vzb);
  const q0 = mulQuad(i32x4.extmul_low_i16x8_s(a0, b0), vscale), q1 = mulQuad(i32x4.extmul_high_i16x8_s(a0, b0), vscale);
  const q2 = mulQuad(i32x4.extmul_low_i16x8_s(a1, b1), vscale), q3 = mulQuad(i32x4.extmul_high_i16x8_s(a1, b1), vscale);
  const h0 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(q0, q1), vzp), h1 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(q2, q3), vzp);
  v128.store(py, i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(h0, h1), vlo), vhi));
}

/** int8 mul of n elements; see the file comment. */
export function qmulI8(a: usize, b: usize, y: usize, n: i32, bn: i32, za: i32, zb: i32, scale: f32, zp: i32, lo: i32, hi: i32): void {
  const vza = i16x8.splat(<i16>za), vzb = i16x8.splat(<i16>zb), vscale = f32x4.splat(scale);
  const vzp = i16x8.splat(<i16>zp), vlo = i8x16.splat(<i8>lo), vhi = i8x16.splat(<i8>hi);
  const rows = bn == 1 ? 1 : n / bn, len = bn == 1 ? n : bn;
  const vb1 = i8x16.splat(load<i8>(b));
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>(r * len), yr = y + <usize>(r * len);
    let i = 0;
    for (; i + 16 <= len; i += 16) mulStep(ar + <usize>i, bn == 1 ? vb1 : v128.load(b + <usize>i), yr + <usize>i, vza, vzb, vscale, vzp, vlo, vhi);
    for (; i < len; i++) {
      const p = (<i32>load<i8>(ar + <usize>i) - za) * (<i32>load<i8>(b + <usize>(bn == 1 ? 0 : i)) - zb);
      const v = <i32>nearest<f32>(<f32>p * scale) + zp;
      store<i8>(yr + <usize>i, <i8>min(max(v, lo), hi));
    }
  }
}
