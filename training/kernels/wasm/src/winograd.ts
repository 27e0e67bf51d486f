// Winograd F(4x4, 3x3) for stride-1 3x3 convolutions (NCHW): each 4x4 output tile is
// A^T [(G g G^T) ⊙ (B^T d B)] A over its 6x6 input patch d, so per tile position ξ (36 of them)
// the channel sum is one GEMM (winograd-gemm.ts), 4x fewer multiplies than im2col. The weight
// gradient uses the transposes: dg = G^T [(B^T d B) ⊙ (A dy A^T)] G, summed over tiles.
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// Tiles are numbered t = ty*tW + tx (t0 + t among several images); four consecutive tiles go
// through the SIMD lanes (their rows loaded one by one and transposed 4x4); `tmp` is a 1 KiB scratch for the
// half-transformed tiles. The 36 blocks of a transform lie a stride apart that is not a multiple
// of 4 KiB (the caller's choice): streams 4 KiB apart would share one L1 set. Pointers are byte
// offsets; sizes in elements. training/kernels/nn-conv-winograd.ts drives them.

// G v of a 3-vector: its six values `step` bytes apart from `at`.
@inline function g6(a: f32, b: f32, c: f32, at: usize, step: usize): void {
  const e = (a + c) * (-1.0 / 6.0), f = b * (1.0 / 6.0), h = a * (1.0 / 24.0) + c * (1.0 / 6.0), k = b * (1.0 / 12.0);
  store<f32>(at, a * 0.25);
  store<f32>(at + step, e - f);
  store<f32>(at + 2 * step, e + f);
  store<f32>(at + 3 * step, h + k);
  store<f32>(at + 4 * step, h - k);
  store<f32>(at + 5 * step, c);
}

// Tap k of the 3x3 filter at g (rotated by 180° when flip).
@inline function tap(g: usize, flip: i32, k: i32): f32 {
  return load<f32>(g + (<usize>(flip ? 8 - k : k) << 2));
}

/**
 * U [36] blocks (`stride` floats apart) of G g G^T for each 3x3 filter g(o, i) at w + (o*so + i*si)*9
 * floats (rotated by 180° when flip: the input gradient's filters), each block [O/4][I][4]: groups
 * of four rows o interleaved (the GEMM's packed A; rows past O are left as they are: the caller
 * zeroes them). `tmp` holds G g (18 floats).
 */
export function winoWeights(w: usize, O: i32, I: i32, so: i32, si: i32, flip: i32, dst: usize, stride: i32, tmp: usize): void {
  const xi = <usize>stride << 2;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const g = w + (<usize>((o * so + i * si) * 9) << 2);
      const at = dst + (<usize>(((o >> 2) * I + i) * 4 + (o & 3)) << 2);
      // G g column by column into tmp [6][3], then each of its rows times G^T
      g6(tap(g, flip, 0), tap(g, flip, 3), tap(g, flip, 6), tmp, 12);
      g6(tap(g, flip, 1), tap(g, flip, 4), tap(g, flip, 7), tmp + 4, 12);
      g6(tap(g, flip, 2), tap(g, flip, 5), tap(g, flip, 8), tmp + 8, 12);
      for (let r = 0; r < 6; r++) {
        const q = tmp + <usize>r * 12;
        g6(load<f32>(q), load<f32>(q, 4), load<f32>(q, 8), at + <usize>(r * 6) * xi, xi);
      }
    }
  }
}

// Float offset of tile t's first element (tile rows 4 rows of `ld` floats apart; t past T - 1: the last tile).
@inline function tileAt(t: i32, T: i32, tW: i32, ld: i32): usize {
  const u = min(t, T - 1), ty = u / tW;
  return <usize>(4 * ty * ld + 4 * (u - ty * tW)) << 2;
}

// Lane k of a 4x4 transpose of rows r0..r3 (element j of row k becomes lane k of column j).
@inline function tr(r0: v128, r1: v128, r2: v128, r3: v128, j: i32): v128 {
  const lo = j < 2;
  const t0 = lo ? i32x4.shuffle(r0, r1, 0, 4, 1, 5) : i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t1 = lo ? i32x4.shuffle(r2, r3, 0, 4, 1, 5) : i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  return (j & 1) == 0 ? i32x4.shuffle(t0, t1, 0, 1, 4, 5) : i32x4.shuffle(t0, t1, 2, 3, 6, 7);
}

// B^T d of six vectors, the outputs `step` bytes apart from `at` (first `valid` lanes when valid < 4).
@inline function bt(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, at: usize, step: usize, valid: i32): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const s12 = f32x4.add(d1, d2), s34 = f32x4.add(d3, d4), d12 = f32x4.sub(d1, d2), d43 = f32x4.sub(d4, d3);
  const d42 = f32x4.sub(d4, d2), d31 = f32x4.sub(d3, d1);
  put(f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4), at, valid);
  put(f32x4.sub(s34, f32x4.mul(four, s12)), at + step, valid);
  put(f32x4.add(d43, f32x4.mul(four, d12)), at + 2 * step, valid);
  put(f32x4.add(d42, f32x4.mul(two, d31)), at + 3 * step, valid);
  put(f32x4.sub(d42, f32x4.mul(two, d31)), at + 4 * step, valid);
  put(f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5), at + 5 * step, valid);
}

@inline function put(v: v128, at: usize, valid: i32): void {
  if (valid >= 4) { v128.store(at, v); return; }
  store<f32>(at, f32x4.extract_lane(v, 0));
  if (valid > 1) store<f32>(at, f32x4.extract_lane(v, 1), 4);
  if (valid > 2) store<f32>(at, f32x4.extract_lane(v, 2), 8);
}

/**
 * V [36][C][n] (blocks `stride` floats apart): (B^T d B)[ξ] of tile t's 6x6 patch of plane c at
 * row c, column t0 + t, for the tH*tW tiles t = ty*tW + tx (the patch of (ty, tx) starts at
 * (4ty, 4tx); 128 readable bytes follow the planes). Four consecutive tiles go through the lanes.
 */
export function winoInput(x: usize, C: i32, wp: i32, plane: i32, tH: i32, tW: i32, t0: i32, n: i32, dst: usize, stride: i32, tmp: usize): void {
  const blk = <usize>stride << 2, T = tH * tW, rs = <usize>wp << 2;
  for (let c = 0; c < C; c++) {
    const xc = x + (<usize>(c * plane) << 2);
    for (let t = 0; t < T; t += 4) {
      const p0 = xc + tileAt(t, T, tW, wp), p1 = xc + tileAt(t + 1, T, tW, wp);
      const p2 = xc + tileAt(t + 2, T, tW, wp), p3 = xc + tileAt(t + 3, T, tW, wp);
      // B^T along each patch row into tmp [6][6]: the four tiles' columns 0..3, then 4 and 5
      for (let r = 0; r < 6; r++) {
        const q = <usize>r * rs;
        const a0 = v128.load(p0 + q), a1 = v128.load(p1 + q), a2 = v128.load(p2 + q), a3 = v128.load(p3 + q);
        const b0 = v128.load(p0 + q, 16), b1 = v128.load(p1 + q, 16), b2 = v128.load(p2 + q, 16), b3 = v128.load(p3 + q, 16);
        bt(tr(a0, a1, a2, a3, 0), tr(a0, a1, a2, a3, 1), tr(a0, a1, a2, a3, 2), tr(a0, a1, a2, a3, 3),
          tr(b0, b1, b2, b3, 0), tr(b0, b1, b2, b3, 1), tmp + <usize>r * 96, 16, 4);
      }
      // then down each column j: output ξ = i*6 + j
      const valid = min(4, T - t), at = dst + (<usize>(c * n + t0 + t) << 2);
      for (let j = 0; j < 6; j++) {
        const q = tmp + (<usize>j << 4);
        bt(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), v128.load(q, 384), v128.load(q, 480),
          at + <usize>j * blk, 6 * blk, valid);
      }
    }
  }
}

// A^T m of six vectors: four outputs `step` bytes apart from `at`.
@inline function at4(a0: v128, a1: v128, a2: v128, a3: v128, a4: v128, a5: v128, at: usize, step: usize): void {
  const s12 = f32x4.add(a1, a2), d12 = f32x4.sub(a1, a2), s34 = f32x4.add(a3, a4), d34 = f32x4.sub(a3, a4);
  v128.store(at, f32x4.add(f32x4.add(a0, s12), s34));
  v128.store(at + step, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)));
  v128.store(at + 2 * step, f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)));
  v128.store(at + 3 * step, f32x4.add(f32x4.add(d12, f32x4.mul(f32x4.splat(8), d34)), a5));
}

// Row i of tile (ty, tx)'s 4x4 outputs at `row` (plane rows ob bytes apart), clipped to the plane.
@inline function putRow(v: v128, yo: usize, ob: usize, ty: i32, tx: i32, i: i32, outH: i32, outW: i32): void {
  if (4 * ty + i >= outH) return;
  put(v, yo + <usize>(4 * ty + i) * ob + (<usize>(4 * tx) << 2), outW - 4 * tx);
}

/**
 * y [O][outH][outW] = A^T m A + bias[o] (bias 0: none) of the image's tiles t0 + t, t = ty*tW + tx,
 * where m [36][O][n] (blocks `stride` floats apart) holds the GEMM results (12 readable bytes
 * after it). Four consecutive tiles go through the lanes.
 */
export function winoOutput(m: usize, O: i32, n: i32, stride: i32, t0: i32, tH: i32, tW: i32, y: usize, outH: i32, outW: i32, bias: usize, tmp: usize): void {
  const blk = <usize>stride << 2, ob = <usize>outW << 2, T = tH * tW, z = tmp + 384;
  for (let o = 0; o < O; o++) {
    const bv = f32x4.splat(bias ? load<f32>(bias + (<usize>o << 2)) : 0);
    const yo = y + <usize>(o * outH) * ob;
    for (let t = 0; t < T; t += 4) {
      const s = m + (<usize>(o * n + t0 + t) << 2);
      // A^T along each row r of the 6x6 block into tmp [6][4]
      for (let r = 0; r < 6; r++) {
        const q = s + <usize>(r * 6) * blk;
        at4(v128.load(q), v128.load(q + blk), v128.load(q + 2 * blk), v128.load(q + 3 * blk), v128.load(q + 4 * blk),
          v128.load(q + 5 * blk), tmp + <usize>r * 64, 16);
      }
      // down each column j into z [4][4] (rows i)
      for (let j = 0; j < 4; j++) {
        const q = tmp + (<usize>j << 4);
        at4(v128.load(q), v128.load(q, 64), v128.load(q, 128), v128.load(q, 192), v128.load(q, 256), v128.load(q, 320), z + (<usize>j << 4), 64);
      }
      // each output row i: columns j of lanes (tiles) k, transposed into the tiles' four outputs
      const valid = min(4, T - t);
      const ty0 = t / tW, tx0 = t - ty0 * tW, ty1 = (t + 1) / tW, tx1 = t + 1 - ty1 * tW;
      const ty2 = (t + 2) / tW, tx2 = t + 2 - ty2 * tW, ty3 = (t + 3) / tW, tx3 = t + 3 - ty3 * tW;
      for (let i = 0; i < 4; i++) {
        const zr = z + <usize>i * 64;
        const c0 = v128.load(zr), c1 = v128.load(zr, 16), c2 = v128.load(zr, 32), c3 = v128.load(zr, 48);
        putRow(f32x4.add(tr(c0, c1, c2, c3, 0), bv), yo, ob, ty0, tx0, i, outH, outW);
        if (valid > 1) putRow(f32x4.add(tr(c0, c1, c2, c3, 1), bv), yo, ob, ty1, tx1, i, outH, outW);
        if (valid > 2) putRow(f32x4.add(tr(c0, c1, c2, c3, 2), bv), yo, ob, ty2, tx2, i, outH, outW);
        if (valid > 3) putRow(f32x4.add(tr(c0, c1, c2, c3, 3), bv), yo, ob, ty3, tx3, i, outH, outW);
      }
    }
  }
}

// A g of four vectors (A = [1 0 0 0; 1 1 1 1; 1 -1 1 -1; 1 2 4 8; 1 -2 4 -8; 0 0 0 1]): six outputs.
@inline function a6(g0: v128, g1: v128, g2: v128, g3: v128, at: usize, step: usize, valid: i32): void {
  const s02 = f32x4.add(g0, g2), s13 = f32x4.add(g1, g3);
  const e = f32x4.add(g0, f32x4.mul(f32x4.splat(4), g2)), f = f32x4.add(f32x4.mul(f32x4.splat(2), g1), f32x4.mul(f32x4.splat(8), g3));
  put(g0, at, valid);
  put(f32x4.add(s02, s13), at + step, valid);
  put(f32x4.sub(s02, s13), at + 2 * step, valid);
  put(f32x4.add(e, f), at + 3 * step, valid);
  put(f32x4.sub(e, f), at + 4 * step, valid);
  put(g3, at + 5 * step, valid);
}

/**
 * Z [36][O][n] (blocks `stride` floats apart): (A g A^T)[ξ] of tile t's 4x4 gradient values of
 * plane o at row o, column t0 + t, t = ty*tW + tx (planes [O][4tH][4tW], zero past the outputs).
 * Four consecutive tiles go through the lanes.
 */
export function winoGradTiles(g: usize, O: i32, tH: i32, tW: i32, t0: i32, n: i32, dst: usize, stride: i32, tmp: usize): void {
  const blk = <usize>stride << 2, T = tH * tW, w4 = 4 * tW, rs = <usize>w4 << 2, plane = <usize>(16 * T) << 2;
  for (let o = 0; o < O; o++) {
    const go = g + <usize>o * plane;
    for (let t = 0; t < T; t += 4) {
      const p0 = go + tileAt(t, T, tW, w4), p1 = go + tileAt(t + 1, T, tW, w4);
      const p2 = go + tileAt(t + 2, T, tW, w4), p3 = go + tileAt(t + 3, T, tW, w4);
      // A along each of the tiles' four rows into tmp [4][6]
      for (let r = 0; r < 4; r++) {
        const q = <usize>r * rs;
        const a0 = v128.load(p0 + q), a1 = v128.load(p1 + q), a2 = v128.load(p2 + q), a3 = v128.load(p3 + q);
        a6(tr(a0, a1, a2, a3, 0), tr(a0, a1, a2, a3, 1), tr(a0, a1, a2, a3, 2), tr(a0, a1, a2, a3, 3), tmp + <usize>r * 96, 16, 4);
      }
      // then down each column j: output ξ = i*6 + j
      const valid = min(4, T - t), at = dst + (<usize>(o * n + t0 + t) << 2);
      for (let j = 0; j < 6; j++) {
        const q = tmp + (<usize>j << 4);
        a6(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), at + <usize>j * blk, 6 * blk, valid);
      }
    }
  }
}

// (G^T v)[k] of a 6-vector.
@inline function gtk(v0: f32, v1: f32, v2: f32, v3: f32, v4: f32, v5: f32, k: i32): f32 {
  if (k == 0) return v0 * 0.25 - (v1 + v2) * (1.0 / 6.0) + (v3 + v4) * (1.0 / 24.0);
  if (k == 1) return (v2 - v1) * (1.0 / 6.0) + (v3 - v4) * (1.0 / 12.0);
  return (v3 + v4 - v1 - v2) * (1.0 / 6.0) + v5;
}

@inline function sv(p: usize, xi: usize, r: i32, c: i32): f32 {
  return load<f32>(p + <usize>(r * 6 + c) * xi);
}

/** dw [O][I][3][3] = G^T s G of each s [36][I][O] (blocks `stride` floats apart). */
export function winoWeightGrad(s: usize, I: i32, O: i32, dw: usize, stride: i32): void {
  const xi = <usize>stride << 2;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const p = s + (<usize>(i * O + o) << 2), d = dw + (<usize>((o * I + i) * 9) << 2);
      for (let k = 0; k < 3; k++) {
        // row k of G^T s (6 values), then times G
        const u0 = gtk(sv(p, xi, 0, 0), sv(p, xi, 1, 0), sv(p, xi, 2, 0), sv(p, xi, 3, 0), sv(p, xi, 4, 0), sv(p, xi, 5, 0), k);
        const u1 = gtk(sv(p, xi, 0, 1), sv(p, xi, 1, 1), sv(p, xi, 2, 1), sv(p, xi, 3, 1), sv(p, xi, 4, 1), sv(p, xi, 5, 1), k);
        const u2 = gtk(sv(p, xi, 0, 2), sv(p, xi, 1, 2), sv(p, xi, 2, 2), sv(p, xi, 3, 2), sv(p, xi, 4, 2), sv(p, xi, 5, 2), k);
        const u3 = gtk(sv(p, xi, 0, 3), sv(p, xi, 1, 3), sv(p, xi, 2, 3), sv(p, xi, 3, 3), sv(p, xi, 4, 3), sv(p, xi, 5, 3), k);
        const u4 = gtk(sv(p, xi, 0, 4), sv(p, xi, 1, 4), sv(p, xi, 2, 4), sv(p, xi, 3, 4), sv(p, xi, 4, 4), sv(p, xi, 5, 4), k);
        const u5 = gtk(sv(p, xi, 0, 5), sv(p, xi, 1, 5), sv(p, xi, 2, 5), sv(p, xi, 3, 5), sv(p, xi, 4, 5), sv(p, xi, 5, 5), k);
        for (let l = 0; l < 3; l++) store<f32>(d + (<usize>(k * 3 + l) << 2), gtk(u0, u1, u2, u3, u4, u5, l));
      }
    }
  }
}
