// relu and its gradient over float32 arrays in this module's memory, on the bits as
// training/kernels/arith.ts computes them (so both paths give the same values):
//   nan(x)    = all ones where x is a NaN of either sign
//   relu:     y = x & ~((x >> 31) & ~nan(x))      (sign bit set and not NaN, -0 included: +0)
//   gradient: d = g & (((~x & -x) >> 31) | nan(x)) (g where x is positive and not +0, or NaN; else +0)
// Pointers are byte offsets, n in elements; outputs may be the inputs.

@inline function nanMask(v: v128): v128 {
  return i32x4.shr_s(i32x4.sub(i32x4.splat(0x7f800000), v128.and(v, i32x4.splat(0x7fffffff))), 31);
}

@inline function nanMask1(v: i32): i32 {
  return (0x7f800000 - (v & 0x7fffffff)) >> 31;
}

export function relu(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  if (n4 > 0) {
    do {
      const o = <usize>i << 2;
      const v = v128.load(x + o);
      v128.store(y + o, v128.andnot(v, v128.andnot(i32x4.shr_s(v, 31), nanMask(v))));
      i += 4;
    } while (i < n4);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<i32>(x + o);
    store<i32>(y + o, v & ~((v >> 31) & ~nanMask1(v)));
  }
}

export function reluGrad(g: usize, x: usize, d: usize, n: i32): void {
  const n4 = n & ~3;
  const zero = i32x4.splat(0);
  let i = 0;
  if (n4 > 0) {
    do {
      const o = <usize>i << 2;
      const v = v128.load(x + o);
      const mask = v128.or(i32x4.shr_s(v128.andnot(i32x4.sub(zero, v), v), 31), nanMask(v));
      v128.store(d + o, v128.and(v128.load(g + o), mask));
      i += 4;
    } while (i < n4);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<i32>(x + o);
    store<i32>(d + o, load<i32>(g + o) & (((~v & -v) >> 31) | nanMask1(v)));
  }
}
