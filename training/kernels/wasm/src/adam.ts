// Adam / AdamW update over float32 arrays in this module's memory, in place and
// in float32 as PyTorch computes it (eps outside the square root):
//   gi = sign * g + l2 * p
//   m  = b1 * m + c1 * gi;  v = b2 * v + c2 * gi * gi
//   p  = p * decay - stepSize * m / (sqrt(v) * invBc2Sqrt + eps)
// sign = 1, l2 = 0, decay = 1 leave plain Adam's values exact (g + 0 = g, p * 1 = p).
// Pointers are byte offsets (16-byte aligned), n in elements.
export function adam(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  b1: f32, b2: f32, c1: f32, c2: f32, stepSize: f32, invBc2Sqrt: f32, eps: f32,
  decay: f32, l2: f32, sign: f32,
): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  const vss = f32x4.splat(stepSize), vinv = f32x4.splat(invBc2Sqrt), veps = f32x4.splat(eps);
  const vdecay = f32x4.splat(decay), vl2 = f32x4.splat(l2), vsign = f32x4.splat(sign);
  const n4 = n & ~3;
  let i = 0;
  if (n4 > 0) {
    do {
      const o = <usize>i << 2;
      const pi = v128.load(p + o);
      const gi = f32x4.add(f32x4.mul(vsign, v128.load(g + o)), f32x4.mul(vl2, pi));
      const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gi));
      const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(vc2, gi), gi));
      v128.store(m + o, mi);
      v128.store(v + o, vi);
      const den = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vinv), veps);
      v128.store(p + o, f32x4.sub(f32x4.mul(pi, vdecay), f32x4.div(f32x4.mul(vss, mi), den)));
      i += 4;
    } while (i < n4);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    const gi = sign * load<f32>(g + o) + l2 * pi;
    const mi = b1 * load<f32>(m + o) + c1 * gi;
    const vi = b2 * load<f32>(v + o) + c2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, pi * decay - stepSize * mi / (sqrt<f32>(vi) * invBc2Sqrt + eps));
  }
}
