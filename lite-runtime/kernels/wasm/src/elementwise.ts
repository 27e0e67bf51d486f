// Float32 ADD/SUB/MUL and SOFTMAX, 4 lanes a step.
import { mulAdd } from './madd';

/**
 * Over rows of len floats (len a multiple of 4): y[r, i] = a[r, i] op b[r * bRow + i * bStep],
 * clamped to [lo, hi] (NaN kept). op: 0 add, 1 sub (a - b), 2 reversed sub (b - a), 3 mul.
 * bStep 1: b runs along the row; 0: one b value per row (with bRow 0: a scalar). y may be a.
 */
export function binF32(a: usize, b: usize, y: usize, rows: i32, len: i32, bRow: i32, bStep: i32, op: i32, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), bytes = <usize>len << 2;
  // a - b is a + (-b) exactly: the subs are adds with one operand's sign flipped
  const sa = i32x4.splat(op == 2 ? 0x80000000 : 0), sb = i32x4.splat(op == 1 ? 0x80000000 : 0);
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>r * bytes, yr = y + <usize>r * bytes, br = b + (<usize>(r * bRow) << 2);
    const vb1 = v128.load32_splat(br);
    for (let o: usize = 0; o < bytes; o += 16) {
      const va = v128.load(ar + o), vb = bStep ? v128.load(br + o) : vb1;
      const v = op == 3 ? f32x4.mul(va, vb) : f32x4.add(v128.xor(va, sa), v128.xor(vb, sb));
      v128.store(yr + o, f32x4.pmin(f32x4.pmax(v, vlo), vhi));
    }
  }
}

// exp(z) for z <= 0 (XNNPACK's rr2-p5: z = n ln2 + t, exp(t) a degree-5 polynomial, 2^n
// from the exponent bits; 0 below the smallest normal result), within 2 ulp; unfused in
// both builds, so that they agree. Its constants are a table (broadcast loads: smaller and
// cheaper per step than vector constants).
const EXP = memory.data<f32>([
  12583039, 1.4426950216293335, -0.693145751953125, -0.000001428606765330187, // 1.5 * 2^23 + 127, log2 e, -ln 2 (hi, lo)
  0.008289290592074394, 0.04189782217144966, 0.16667652130126953, 0.4999915063381195, 0.9999997019767761, // c5 .. c1
  -87.33654022216797, // below: 0
]);
// @ts-ignore: decorator
@inline function expNeg(z: v128): v128 {
  const magic = v128.load32_splat(EXP);
  let n = mulAdd(z, v128.load32_splat(EXP, 4), magic);
  const s = i32x4.shl(n, 23);
  n = f32x4.sub(n, magic);
  let t = mulAdd(n, v128.load32_splat(EXP, 8), z);
  t = mulAdd(n, v128.load32_splat(EXP, 12), t);
  let p = mulAdd(v128.load32_splat(EXP, 16), t, v128.load32_splat(EXP, 20));
  p = mulAdd(p, t, v128.load32_splat(EXP, 24));
  p = mulAdd(p, t, v128.load32_splat(EXP, 28));
  p = mulAdd(p, t, v128.load32_splat(EXP, 32));
  const e = mulAdd(f32x4.mul(t, s), p, s);
  return v128.andnot(e, f32x4.lt(z, v128.load32_splat(EXP, 36)));
}

/**
 * Softmax of each of rows rows of len floats (len a multiple of 4): exp(beta (x - max)) / sum;
 * y may be x. A row holding a NaN, or only -Infinity, gives NaN.
 */
export function softmaxF32(x: usize, y: usize, rows: i32, len: i32, beta: f32): void {
  const vbeta = f32x4.splat(beta), bytes = <usize>len << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * bytes, yr = y + <usize>r * bytes;
    let vm = f32x4.splat(-Infinity), vs = f32x4.splat(0);
    for (let o: usize = 0; o < bytes; o += 16) vm = f32x4.max(vm, v128.load(xr + o));
    const vmb = f32x4.splat(beta * max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3))));
    for (let o: usize = 0; o < bytes; o += 16) {
      const e = expNeg(f32x4.sub(f32x4.mul(v128.load(xr + o), vbeta), vmb));
      v128.store(yr + o, e);
      vs = f32x4.add(vs, e);
    }
    const vr = f32x4.splat(<f32>1 / (f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1) + f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3)));
    for (let o: usize = 0; o < bytes; o += 16) v128.store(yr + o, f32x4.mul(v128.load(yr + o), vr));
  }
}
