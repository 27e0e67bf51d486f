// Int8 convolution kernels with TFLite's fp32 output requantization fused
// into the store (what XNNPACK, hence LiteRT, computes):
//   y = clamp(nearest(f32(acc + bias) * scale), lo - zp, hi - zp) + zp
// with nearest = round half to even. A requant block `rq` holds bias i32[n8]
// then scale f32[n8] (n8 = channels rounded up to 8, padding zero).

import { H, W, C, KH, KW, SH, SW, PT, PL, DH, DW, OH, OW } from './depthwise';

// 1.5 * 2^23: for |v| < 2^22, the float sum v + MAGIC is MAGIC + roundHalfEven(v) exactly,
// so its bits minus MAGIC's bits are that integer (cheaper than nearest + trunc_sat).
const MAGIC: f32 = 12582912.0;

// Four accumulators of channels c..c+3 to int32 outputs; zpm = bits(MAGIC) - zero point.
// pmin/pmax are plain minps/maxps (no NaN here); clamping first keeps |v| small.
@inline function rq4(acc: v128, bias: v128, scale: v128, lo: v128, hi: v128, zpm: v128): v128 {
  const v = f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(acc, bias)), scale);
  return i32x4.sub(f32x4.add(f32x4.pmin(f32x4.pmax(v, lo), hi), f32x4.splat(MAGIC)), zpm);
}

// One accumulator of channel c to its int32 output.
@inline function rq1(acc: i32, rq: usize, n8: i32, c: i32, lo: f32, hi: f32, zp: i32): i32 {
  const v = <f32>(acc + load<i32>(rq + (<usize>c << 2))) * load<f32>(rq + (<usize>(n8 + c) << 2));
  return <i32>nearest<f32>(min<f32>(max<f32>(v, lo), hi)) + zp;
}

// Four int32 lanes (already in int8 range) stored as four bytes.
@inline function store4(p: usize, v: v128): void {
  const h = i16x8.narrow_i32x4_s(v, v);
  v128.store32_lane(p, i8x16.narrow_i16x8_s(h, h), 0);
}

@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

@inline function dotAdd(s: v128, x: v128, w: v128): v128 {
  return i32x4.add(s, i32x4.dot_i16x8_s(x, w));
}

// Requantization constants of the current call.
let RQ: usize = 0, N8 = 0, ZP = 0, ZPM = 0, LO: f32 = 0, HI: f32 = 0;

/** Sets the requantization of the next qgemmRq / dwI8Rq call. */
export function rqSet(rq: usize, n8: i32, zp: i32, lo: f32, hi: f32): void {
  RQ = rq; N8 = n8; ZP = zp; ZPM = reinterpret<i32>(MAGIC) - zp; LO = lo; HI = hi;
}

// y row r (stride ldy bytes), channels j..j+3: rows a0 + r*lda, b rows b0..b0+3kp.
function qrq3x4(a0: usize, lda: usize, b0: usize, kp: i32, zs: i32, bs: usize, j: i32, y: usize, ldy: usize): void {
  const ku = <usize>kp;
  const a1 = a0 + lda, a2 = a1 + lda, b1 = b0 + ku, b2 = b1 + ku, b3 = b2 + ku;
  let s00 = i32x4.splat(0), s01 = s00, s02 = s00, s03 = s00;
  let s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  let s20 = s00, s21 = s00, s22 = s00, s23 = s00;
  let p: usize = 0;
  do {
    const x0 = v128.load8x8_s(a0 + p), x1 = v128.load8x8_s(a1 + p), x2 = v128.load8x8_s(a2 + p);
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
  const co = <usize>j << 2, bias = v128.load(RQ + co), scale = v128.load(RQ + (<usize>N8 << 2) + co);
  const lo = f32x4.splat(LO), hi = f32x4.splat(HI), zp = i32x4.splat(ZPM);
  const yj = y + <usize>j;
  store4(yj, rq4(i32x4.sub(hsum4(s00, s01, s02, s03), z), bias, scale, lo, hi, zp));
  store4(yj + ldy, rq4(i32x4.sub(hsum4(s10, s11, s12, s13), z), bias, scale, lo, hi, zp));
  store4(yj + 2 * ldy, rq4(i32x4.sub(hsum4(s20, s21, s22, s23), z), bias, scale, lo, hi, zp));
}

// One row, channels j..j+3.
function qrq1x4(a0: usize, b0: usize, kp: i32, zs: i32, bs: usize, j: i32, y: usize): void {
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
  const co = <usize>j << 2;
  const acc = i32x4.sub(hsum4(s0, s1, s2, s3), i32x4.mul(i32x4.splat(zs), v128.load(bs)));
  store4(y + <usize>j, rq4(acc, v128.load(RQ + co), v128.load(RQ + (<usize>N8 << 2) + co),
    f32x4.splat(LO), f32x4.splat(HI), i32x4.splat(ZPM)));
}

/**
 * y[m, n] (row stride ldy bytes) = requant(sum_k (a[m,k] - aZero) * b[n,k]) with the
 * requantization of rqSet. a rows are lda bytes apart and may end before kp: the
 * bytes read past k meet b's zero padding (the caller keeps 8 readable bytes after a).
 * b [n, kp] padded by padRows, bsum from rowSums.
 */
export function qgemmRq(a: usize, lda: i32, aZero: i32, b: usize, bsum: usize, y: usize, ldy: i32, m: i32, kp: i32, n: i32): void {
  const ku = <usize>kp, la = <usize>lda, ly = <usize>ldy;
  const n4 = n & ~3;
  let i = 0;
  while (i < m) {
    const rows = m - i >= 3 ? 3 : 1;
    const ai = a + <usize>i * la, yi = y + <usize>i * ly;
    for (let j = 0; j < n4; j += 4) {
      const bj = b + <usize>j * ku, bs = bsum + (<usize>j << 2);
      if (rows == 3) qrq3x4(ai, la, bj, kp, aZero, bs, j, yi, ly);
      else qrq1x4(ai, bj, kp, aZero, bs, j, yi);
    }
    for (let j = n4; j < n; j++) {
      const zb = aZero * load<i32>(bsum + (<usize>j << 2)), bj = b + <usize>j * ku;
      for (let r = 0; r < rows; r++) {
        const ar = ai + <usize>r * la;
        let s = i32x4.splat(0);
        let p: usize = 0;
        do { s = dotAdd(s, v128.load8x8_s(ar + p), v128.load8x8_s(bj + p)); p += 8; } while (p < ku);
        store<i8>(yi + <usize>r * ly + <usize>j, <i8>rq1(hsum(s) - zb, RQ, N8, j, LO, HI, ZP));
      }
    }
    i += rows;
  }
}

// Sixteen outputs of channels cb..cb+15 (accumulators a0..a3, bias included) stored at yp.
@inline function storeRq16(yp: usize, cb: i32, a0: v128, a1: v128, a2: v128, a3: v128, lo: v128, hi: v128, zp: v128): void {
  const so = RQ + (<usize>N8 << 2) + (<usize>cb << 2);
  const z = i32x4.splat(0);
  const r0 = rq4(a0, z, v128.load(so), lo, hi, zp);
  const r1 = rq4(a1, z, v128.load(so, 16), lo, hi, zp);
  const r2 = rq4(a2, z, v128.load(so, 32), lo, hi, zp);
  const r3 = rq4(a3, z, v128.load(so, 48), lo, hi, zp);
  v128.store(yp + <usize>cb, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(r0, r1), i16x8.narrow_i32x4_s(r2, r3)));
}

// Eight outputs of channels cb..cb+7 (bias included), of which `count` (1..8) are stored.
@inline function storeRq8(yp: usize, cb: i32, a0: v128, a1: v128, count: i32, lo: v128, hi: v128, zp: v128): void {
  const so = RQ + (<usize>N8 << 2) + (<usize>cb << 2);
  const z = i32x4.splat(0);
  const r0 = rq4(a0, z, v128.load(so), lo, hi, zp);
  const r1 = rq4(a1, z, v128.load(so, 16), lo, hi, zp);
  const h = i16x8.narrow_i32x4_s(r0, r1);
  const v = i8x16.narrow_i16x8_s(h, h);
  if (count == 8) { v128.store64_lane(yp + <usize>cb, v, 0); return; }
  let bits = i64x2.extract_lane(v, 0);
  for (let c = 0; c < count; c++) { store<i8>(yp + <usize>(cb + c), <i8>bits); bits >>= 8; }
}

// Requantizes eight accumulators with scales s0/s1 and the call's clamp / zero point
// vectors (hoisted by the caller), stores `count` (1..8) int8 at p.
@inline function rqStore8(p: usize, a0: v128, a1: v128, s0: v128, s1: v128, lo: v128, hi: v128, zpm: v128, count: i32): void {
  const z = i32x4.splat(0);
  const h = i16x8.narrow_i32x4_s(rq4(a0, z, s0, lo, hi, zpm), rq4(a1, z, s1, lo, hi, zpm));
  const v = i8x16.narrow_i16x8_s(h, h);
  if (count == 8) { v128.store64_lane(p, v, 0); return; }
  let bits = i64x2.extract_lane(v, 0);
  for (let c = 0; c < count; c++) { store<i8>(p + <usize>c, <i8>bits); bits >>= 8; }
}

// One output pixel whose window lies inside the image: x at xb (window origin), taps
// cs bytes apart along a row and rs bytes apart between rows; accumulators start at
// biasZ = bias - xZero * (sum of the channel's taps), so x needs no zero-point subtraction.
function dwInterior(xb: usize, cs: usize, rs: usize, w16: usize, wrow: usize, biasZ: usize, yp: usize, oc: i32, splat: bool): void {
  const vlo = f32x4.splat(LO), vhi = f32x4.splat(HI), vzp = i32x4.splat(ZPM);
  const oc16 = oc & ~15;
  let cb = 0;
  for (; cb < oc16; cb += 16) {
    const bo = biasZ + (<usize>cb << 2);
    let a0 = v128.load(bo), a1 = v128.load(bo, 16), a2 = v128.load(bo, 32), a3 = v128.load(bo, 48);
    let wp = w16 + (<usize>cb << 1);
    let xr = xb + (splat ? 0 : <usize>cb);
    for (let ky = 0; ky < KH; ky++, xr += rs) {
      let xp = xr;
      for (let kx = 0; kx < KW; kx++, xp += cs, wp += wrow) {
        let x0: v128, x1: v128;
        if (splat) { x0 = i16x8.splat(<i16>load<i8>(xp)); x1 = x0; }
        else { const xv = v128.load(xp); x0 = i16x8.extend_low_i8x16_s(xv); x1 = i16x8.extend_high_i8x16_s(xv); }
        const w0 = v128.load(wp), w1 = v128.load(wp, 16);
        a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(x0, w0));
        a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(x0, w0));
        a2 = i32x4.add(a2, i32x4.extmul_low_i16x8_s(x1, w1));
        a3 = i32x4.add(a3, i32x4.extmul_high_i16x8_s(x1, w1));
      }
    }
    storeRq16(yp, cb, a0, a1, a2, a3, vlo, vhi, vzp);
  }
  for (; cb < oc; cb += 8) {
    const bo = biasZ + (<usize>cb << 2);
    let a0 = v128.load(bo), a1 = v128.load(bo, 16);
    let wp = w16 + (<usize>cb << 1);
    let xr = xb + (splat ? 0 : <usize>cb);
    for (let ky = 0; ky < KH; ky++, xr += rs) {
      let xp = xr;
      for (let kx = 0; kx < KW; kx++, xp += cs, wp += wrow) {
        const x0 = splat ? i16x8.splat(<i16>load<i8>(xp)) : v128.load8x8_s(xp);
        const w0 = v128.load(wp);
        a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(x0, w0));
        a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(x0, w0));
      }
    }
    storeRq8(yp, cb, a0, a1, min(8, oc - cb), vlo, vhi, vzp);
  }
}

// Byte offsets of the interior taps from the window origin, in pairs (the last pair of an
// odd count repeats a tap whose paired weights are zero).
const TOFF = memory.data(2048);
// Addresses of one border window's taps: in-image taps point into x, padding taps at a
// row of xZero (so every pixel takes the paired path; padding then adds exactly zero).
const TB = memory.data(2048);
const MAX_TAPS = 256;

// Interleaves the low (lanes 0-7) or high (8-15) bytes of two taps: c0 of a, c0 of b, c1 of a, ...
@inline function zipLo(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
@inline function zipHi(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

// An interior pixel, taps two at a time: x of both taps interleaved per channel and widened,
// then i32x4.dot_i16x8_s against weights stored as (tap, tap') pairs per channel (wp2,
// [pair][n8][2] int16), the sum of both products per lane. Accumulators start at biasZ.
@inline function dwPairsImpl(xb0: usize, xstep: usize, tab: usize, wp2: usize, pairs: i32, biasZ: usize, yp0: usize, count: i32, oc: i32, splat: bool): void {
  const vlo = f32x4.splat(LO), vhi = f32x4.splat(HI), vzp = i32x4.splat(ZPM);
  const oc16 = oc & ~15, pstride = <usize>N8 << 2;
  for (let px = 0; px < count; px++) {
  const xb = xb0 + <usize>px * xstep, yp = yp0 + <usize>(px * oc);
  let cb = 0;
  for (; cb < oc16; cb += 16) {
    const bo = biasZ + (<usize>cb << 2);
    let a0 = v128.load(bo), a1 = v128.load(bo, 16), a2 = v128.load(bo, 32), a3 = v128.load(bo, 48);
    let wp = wp2 + (<usize>cb << 2);
    const xc = xb + (splat ? 0 : <usize>cb);
    for (let p = 0; p < pairs; p++, wp += pstride) {
      const t = tab + (<usize>p << 3);
      const o0 = <usize>load<i32>(t), o1 = <usize>load<i32>(t, 4);
      let x0: v128, x1: v128, x2: v128, x3: v128;
      if (splat) {
        x0 = i32x4.splat((<i32>load<i8>(xc + o0) & 0xffff) | (<i32>load<i8>(xc + o1) << 16));
        x1 = x0; x2 = x0; x3 = x0;
      } else {
        const xa = v128.load(xc + o0), xz = v128.load(xc + o1);
        const lo = zipLo(xa, xz), hi = zipHi(xa, xz);
        x0 = i16x8.extend_low_i8x16_s(lo); x1 = i16x8.extend_high_i8x16_s(lo);
        x2 = i16x8.extend_low_i8x16_s(hi); x3 = i16x8.extend_high_i8x16_s(hi);
      }
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v128.load(wp)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x1, v128.load(wp, 16)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x2, v128.load(wp, 32)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x3, v128.load(wp, 48)));
    }
    storeRq16(yp, cb, a0, a1, a2, a3, vlo, vhi, vzp);
  }
  for (; cb < oc; cb += 8) {
    const bo = biasZ + (<usize>cb << 2);
    let a0 = v128.load(bo), a1 = v128.load(bo, 16);
    let wp = wp2 + (<usize>cb << 2);
    const xc = xb + (splat ? 0 : <usize>cb);
    for (let p = 0; p < pairs; p++, wp += pstride) {
      const t = tab + (<usize>p << 3);
      const o0 = <usize>load<i32>(t), o1 = <usize>load<i32>(t, 4);
      let x0: v128, x1: v128;
      if (splat) {
        x0 = i32x4.splat((<i32>load<i8>(xc + o0) & 0xffff) | (<i32>load<i8>(xc + o1) << 16));
        x1 = x0;
      } else {
        const lo = zipLo(v128.load64_zero(xc + o0), v128.load64_zero(xc + o1));
        x0 = i16x8.extend_low_i8x16_s(lo); x1 = i16x8.extend_high_i8x16_s(lo);
      }
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v128.load(wp)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x1, v128.load(wp, 16)));
    }
    storeRq8(yp, cb, a0, a1, min(8, oc - cb), vlo, vhi, vzp);
  }
  }
}

// The paired path specialized for splat (one input channel) and multiplier-1 inputs,
// so the inner loops carry no branch on it.
function dwPairsSplat(xb0: usize, xstep: usize, tab: usize, wp2: usize, pairs: i32, biasZ: usize, yp0: usize, count: i32, oc: i32): void {
  dwPairsImpl(xb0, xstep, tab, wp2, pairs, biasZ, yp0, count, oc, true);
}
function dwPairsVec(xb0: usize, xstep: usize, tab: usize, wp2: usize, pairs: i32, biasZ: usize, yp0: usize, count: i32, oc: i32): void {
  dwPairsImpl(xb0, xstep, tab, wp2, pairs, biasZ, yp0, count, oc, false);
}
function dwInteriorPairs(xb0: usize, xstep: usize, tab: usize, wp2: usize, pairs: i32, biasZ: usize, yp0: usize, count: i32, oc: i32, splat: bool): void {
  if (splat) dwPairsSplat(xb0, xstep, tab, wp2, pairs, biasZ, yp0, count, oc);
  else dwPairsVec(xb0, xstep, tab, wp2, pairs, biasZ, yp0, count, oc);
}

// One output pixel at the border: only the in-image taps [ky0, ky1) x [kx0, kx1), x - xZero.
function dwBorder(x: usize, xZero: i32, w16: usize, wrow: usize, yp: usize, oc: i32, splat: bool,
  iy0: i32, ix0: i32, ky0: i32, ky1: i32, kx0: i32, kx1: i32): void {
  const vlo = f32x4.splat(LO), vhi = f32x4.splat(HI), vzp = i32x4.splat(ZPM);
  const zx = i16x8.splat(<i16>xZero), oc16 = oc & ~15;
  let cb = 0;
  for (; cb < oc16; cb += 16) {
    const bo = RQ + (<usize>cb << 2);
    let a0 = v128.load(bo), a1 = v128.load(bo, 16), a2 = v128.load(bo, 32), a3 = v128.load(bo, 48);
    for (let ky = ky0; ky < ky1; ky++) {
      const iy = iy0 + ky * DH;
      for (let kx = kx0; kx < kx1; kx++) {
        const ix = ix0 + kx * DW;
        const xp = x + <usize>((iy * W + ix) * C), wp = w16 + <usize>(ky * KW + kx) * wrow + (<usize>cb << 1);
        let x0: v128, x1: v128;
        if (splat) { x0 = i16x8.splat(<i16>(<i32>load<i8>(xp) - xZero)); x1 = x0; }
        else {
          const xv = v128.load(xp + <usize>cb);
          x0 = i16x8.sub(i16x8.extend_low_i8x16_s(xv), zx);
          x1 = i16x8.sub(i16x8.extend_high_i8x16_s(xv), zx);
        }
        const w0 = v128.load(wp), w1 = v128.load(wp, 16);
        a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(x0, w0));
        a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(x0, w0));
        a2 = i32x4.add(a2, i32x4.extmul_low_i16x8_s(x1, w1));
        a3 = i32x4.add(a3, i32x4.extmul_high_i16x8_s(x1, w1));
      }
    }
    storeRq16(yp, cb, a0, a1, a2, a3, vlo, vhi, vzp);
  }
  for (; cb < oc; cb += 8) {
    const bo = RQ + (<usize>cb << 2);
    let a0 = v128.load(bo), a1 = v128.load(bo, 16);
    for (let ky = ky0; ky < ky1; ky++) {
      const iy = iy0 + ky * DH;
      for (let kx = kx0; kx < kx1; kx++) {
        const ix = ix0 + kx * DW;
        const xp = x + <usize>((iy * W + ix) * C), wp = w16 + <usize>(ky * KW + kx) * wrow + (<usize>cb << 1);
        const x0 = splat ? i16x8.splat(<i16>(<i32>load<i8>(xp) - xZero)) : i16x8.sub(v128.load8x8_s(xp + <usize>cb), zx);
        const w0 = v128.load(wp);
        a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(x0, w0));
        a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(x0, w0));
      }
    }
    storeRq8(yp, cb, a0, a1, min(8, oc - cb), vlo, vhi, vzp);
  }
}

/**
 * Lays out int8 depthwise taps w8 [taps][oc] for dwI8Rq (n8 = oc rounded up to 8, zero
 * padded): w16 [taps][n8] int16, wp2 [ceil(taps/2)][n8][2] int16 (taps 2p and 2p + 1 of a
 * channel side by side), biasZ [n8] int32 = bias - xZero * (sum of the channel's taps)
 * (bias 0: none; bias [oc] int32).
 */
export function dwPack(w8: usize, taps: i32, oc: i32, n8: i32, w16: usize, wp2: usize, biasZ: usize, bias: usize, xZero: i32): void {
  for (let o = 0; o < n8; o++) {
    let s = 0;
    for (let t = 0; t < taps + (taps & 1); t++) {
      const v = o < oc && t < taps ? <i32>load<i8>(w8 + <usize>(t * oc + o)) : 0;
      if (t < taps) store<i16>(w16 + (<usize>(t * n8 + o) << 1), <i16>v);
      store<i16>(wp2 + (<usize>(((t >> 1) * n8 + o) * 2 + (t & 1)) << 1), <i16>v);
      s += v;
    }
    store<i32>(biasZ + (<usize>o << 2), (o < oc && bias ? load<i32>(bias + (<usize>o << 2)) : 0) - xZero * s);
  }
}

/**
 * Depthwise convolution, NHWC, int8 in and out, with the geometry of dwSetGeometry
 * (C input channels) and oc output channels: oc == C (multiplier 1) or C == 1 (every
 * output channel reads the one input channel). w16 holds the taps widened to i16,
 * [kh*kw][n8]; padding taps count as x = xZero. Requantization from rqSet; biasZ =
 * bias - xZero * (sum of taps) per channel; wp2 the taps in pairs; zrow C bytes of xZero
 * (+16 readable). x may be read up to 16 bytes past its end (the caller keeps them readable).
 */
export function dwI8Rq(x: usize, xZero: i32, w16: usize, biasZ: usize, wp2: usize, zrow: usize, y: usize, oc: i32): void {
  const splat = C == 1 && oc > 1;
  const wrow = <usize>N8 << 1, cs = <usize>(DW * C), rs = <usize>(DH * W * C);
  const taps = KH * KW, pairs = taps <= MAX_TAPS ? (taps + 1) >> 1 : 0;
  if (pairs > 0) {
    for (let t = 0; t < 2 * pairs; t++) {
      const u = t < taps ? t : taps - 1;
      store<i32>(TOFF + (<usize>t << 2), (u / KW) * <i32>rs + (u % KW) * <i32>cs);
    }
  }
  // output columns [ox0, ox1) have windows inside the image horizontally
  const effW = (KW - 1) * DW;
  const ox0 = min(OW, (PL + SW - 1) / SW), ox1 = max(ox0, min(OW, (W - 1 - effW + PL) >= 0 ? (W - 1 - effW + PL) / SW + 1 : 0));
  const xstep = <usize>(SW * C);
  for (let oy = 0; oy < OH; oy++) {
    const iy0 = oy * SH - PT;
    const ry = H - 1 - iy0, ky0 = iy0 >= 0 ? 0 : (-iy0 + DH - 1) / DH, ky1 = ry < 0 ? 0 : min(KH, ry / DH + 1);
    const rowInside = ky0 == 0 && ky1 == KH;
    for (let ox = 0; ox < OW; ox++) {
      const ix0 = ox * SW - PL;
      const yp = y + <usize>((oy * OW + ox) * oc);
      if (rowInside && ox == ox0 && ox1 > ox0) {
        const xb = x + <usize>((iy0 * W + ix0) * C), n = ox1 - ox0;
        if (pairs > 0) dwInteriorPairs(xb, xstep, TOFF, wp2, pairs, biasZ, yp, n, oc, splat);
        else for (let i = 0; i < n; i++) dwInterior(xb + <usize>i * xstep, cs, rs, w16, wrow, biasZ, yp + <usize>(i * oc), oc, splat);
        ox = ox1 - 1;
        continue;
      }
      if (pairs > 0) {
        let t: usize = TB;
        for (let ky = 0; ky < KH; ky++) {
          const iy = iy0 + ky * DH;
          for (let kx = 0; kx < KW; kx++, t += 4) {
            const ix = ix0 + kx * DW;
            store<i32>(t, <u32>iy < <u32>H && <u32>ix < <u32>W ? <i32>(x + <usize>((iy * W + ix) * C)) : <i32>zrow);
          }
        }
        if (taps & 1) store<i32>(t, load<i32>(t - 4));
        dwInteriorPairs(0, 0, TB, wp2, pairs, biasZ, yp, 1, oc, splat);
        continue;
      }
      const rx = W - 1 - ix0, kx0 = ix0 >= 0 ? 0 : (-ix0 + DW - 1) / DW, kx1 = rx < 0 ? 0 : min(KW, rx / DW + 1);
      dwBorder(x, xZero, w16, wrow, yp, oc, splat, iy0, ix0, ky0, ky1, kx0, kx1);
    }
  }
}

// Broadcast int8 GEMM: four rows of a against eight outputs. Weights come in pairs
// (packed by the host, widened to int16: for each block of 8 outputs and each pair of k,
// 32 bytes w[j,2q], w[j,2q+1] for j = 0..7); a pair of a values is broadcast to all lanes and
// i32x4.dot_i16x8_s adds both products. No horizontal sums: accumulators are outputs.
function qbc4x8(a0: usize, lda: usize, wb: usize, kp: i32, i0: v128, i1: v128, y: usize, ldy: usize, j: i32, count: i32): void {
  const a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  let c00 = i0, c01 = i1, c10 = i0, c11 = i1, c20 = i0, c21 = i1, c30 = i0, c31 = i1;
  let wp = wb;
  let p: usize = 0;
  do {
    const x0 = v128.load8x8_s(a0 + p), x1 = v128.load8x8_s(a1 + p), x2 = v128.load8x8_s(a2 + p), x3 = v128.load8x8_s(a3 + p);
    let wv = v128.load(wp), w0 = i16x8.extend_low_i8x16_s(wv), w1 = i16x8.extend_high_i8x16_s(wv);
    let s = i32x4.shuffle(x0, x0, 0, 0, 0, 0);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(s, w0)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x1, x1, 0, 0, 0, 0);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(s, w0)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x2, x2, 0, 0, 0, 0);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(s, w0)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x3, x3, 0, 0, 0, 0);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(s, w0)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(s, w1));
    wv = v128.load(wp, 16); w0 = i16x8.extend_low_i8x16_s(wv); w1 = i16x8.extend_high_i8x16_s(wv);
    s = i32x4.shuffle(x0, x0, 1, 1, 1, 1);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(s, w0)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x1, x1, 1, 1, 1, 1);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(s, w0)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x2, x2, 1, 1, 1, 1);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(s, w0)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x3, x3, 1, 1, 1, 1);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(s, w0)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(s, w1));
    wv = v128.load(wp, 32); w0 = i16x8.extend_low_i8x16_s(wv); w1 = i16x8.extend_high_i8x16_s(wv);
    s = i32x4.shuffle(x0, x0, 2, 2, 2, 2);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(s, w0)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x1, x1, 2, 2, 2, 2);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(s, w0)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x2, x2, 2, 2, 2, 2);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(s, w0)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x3, x3, 2, 2, 2, 2);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(s, w0)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(s, w1));
    wv = v128.load(wp, 48); w0 = i16x8.extend_low_i8x16_s(wv); w1 = i16x8.extend_high_i8x16_s(wv);
    s = i32x4.shuffle(x0, x0, 3, 3, 3, 3);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(s, w0)); c01 = i32x4.add(c01, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x1, x1, 3, 3, 3, 3);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(s, w0)); c11 = i32x4.add(c11, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x2, x2, 3, 3, 3, 3);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(s, w0)); c21 = i32x4.add(c21, i32x4.dot_i16x8_s(s, w1));
    s = i32x4.shuffle(x3, x3, 3, 3, 3, 3);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(s, w0)); c31 = i32x4.add(c31, i32x4.dot_i16x8_s(s, w1));
    wp += 64;
    p += 8;
  } while (p < <usize>kp);
  const so = RQ + (<usize>N8 << 2) + (<usize>j << 2), s0 = v128.load(so), s1 = v128.load(so, 16);
  const lo = f32x4.splat(LO), hi = f32x4.splat(HI), zpm = i32x4.splat(ZPM), yj = y + <usize>j;
  rqStore8(yj, c00, c01, s0, s1, lo, hi, zpm, count);
  rqStore8(yj + ldy, c10, c11, s0, s1, lo, hi, zpm, count);
  rqStore8(yj + 2 * ldy, c20, c21, s0, s1, lo, hi, zpm, count);
  rqStore8(yj + 3 * ldy, c30, c31, s0, s1, lo, hi, zpm, count);
}

// One row against eight outputs (the rows left after blocks of four).
function qbc1x8(a0: usize, wb: usize, kp: i32, i0: v128, i1: v128, y: usize, j: i32, count: i32): void {
  let c0 = i0, c1 = i1;
  let wp = wb;
  let p: usize = 0;
  do {
    const x = v128.load8x8_s(a0 + p);
    let wv: v128;
    let s = i32x4.shuffle(x, x, 0, 0, 0, 0);
    wv = v128.load(wp);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(s, i16x8.extend_low_i8x16_s(wv))); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(s, i16x8.extend_high_i8x16_s(wv)));
    s = i32x4.shuffle(x, x, 1, 1, 1, 1);
    wv = v128.load(wp, 16);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(s, i16x8.extend_low_i8x16_s(wv))); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(s, i16x8.extend_high_i8x16_s(wv)));
    s = i32x4.shuffle(x, x, 2, 2, 2, 2);
    wv = v128.load(wp, 32);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(s, i16x8.extend_low_i8x16_s(wv))); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(s, i16x8.extend_high_i8x16_s(wv)));
    s = i32x4.shuffle(x, x, 3, 3, 3, 3);
    wv = v128.load(wp, 48);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(s, i16x8.extend_low_i8x16_s(wv))); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(s, i16x8.extend_high_i8x16_s(wv)));
    wp += 64;
    p += 8;
  } while (p < <usize>kp);
  storeRq8(y, j, c0, c1, count, f32x4.splat(LO), f32x4.splat(HI), i32x4.splat(ZPM));
}

/**
 * qgemmRq with weights in pairs (`wpairs`: [ceil(n/8)][kp/2][8][2] int8, zero-padded, widened in registers),
 * for small k where horizontal sums would dominate: y[m, n] = requant(sum_k (a - aZero) * w).
 * bsum as for qgemmRq (n values; lanes past n are never stored).
 */
export function qgemmBc(a: usize, lda: i32, aZero: i32, wpairs: usize, bsum: usize, y: usize, ldy: i32, m: i32, kp: i32, n: i32): void {
  const la = <usize>lda, ly = <usize>ldy, za = i32x4.splat(aZero);
  for (let j = 0; j < n; j += 8) {
    const count = min(8, n - j), co = <usize>j << 2;
    const i0 = i32x4.sub(v128.load(RQ + co), i32x4.mul(za, v128.load(bsum + co)));
    const i1 = i32x4.sub(v128.load(RQ + co, 16), i32x4.mul(za, v128.load(bsum + co, 16)));
    const wb = wpairs + <usize>j * <usize>kp;
    let i = 0;
    for (; i + 4 <= m; i += 4) qbc4x8(a + <usize>i * la, la, wb, kp, i0, i1, y + <usize>i * ly, ly, j, count);
    for (; i < m; i++) qbc1x8(a + <usize>i * la, wb, kp, i0, i1, y + <usize>i * ly, j, count);
  }
}
