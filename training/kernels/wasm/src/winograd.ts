// Winograd F(2x2, 3x3) pieces for stride-1 3x3 convolutions (NCHW), around the shared GEMM:
// each 2x2 output tile is A^T [(G g G^T) ⊙ (B^T d B)] A over its 4x4 input patch d, so per
// tile position ξ (16 of them) the channel sum is one GEMM, 2.25x fewer multiplies than im2col.
//   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
// The weight gradient uses the transposes: dg = G^T [(B^T d B) ⊙ (A dy A^T)] G, summed over tiles.
// The 16 blocks of a transform lie a stride apart that is not a multiple of 4 KiB (the caller's
// choice): sixteen streams 4 KiB apart would share one L1 set.
// Tiles are numbered t = t0 + ty*tW + tx; the input transform puts four tiles of a tile row in
// the SIMD lanes, the output and gradient-tile transforms four channels. Pointers are byte offsets; sizes in elements. training/kernels/nn-conv-winograd.ts
// drives them.
import { KB } from '../../../../lite-runtime/kernels/wasm/src/gemm';
import { madd } from '../../../../lite-runtime/kernels/wasm/src/madd';

/**
 * dst [C][hp][wp] = the planes of src [C][h][w] placed at (pt, pl), zeros around (the caller
 * picks hp, wp covering every tile's patch).
 */
export function padPlanes(src: usize, C: i32, h: i32, w: i32, dst: usize, hp: i32, wp: i32, pt: i32, pl: i32): void {
  const plane = <usize>(hp * wp) << 2, w4 = w & ~3;
  memory.fill(dst, 0, plane * <usize>C);
  for (let c = 0; c < C; c++) {
    let d = dst + <usize>c * plane + (<usize>(pt * wp + pl) << 2);
    for (let y = 0; y < h; y++) {
      // rows are short: a SIMD loop beats memory.copy's call
      let x = 0;
      for (; x < w4; x += 4) v128.store(d + (<usize>x << 2), v128.load(src + (<usize>x << 2)));
      for (; x < w; x++) store<f32>(d + (<usize>x << 2), load<f32>(src + (<usize>x << 2)));
      src += <usize>w << 2;
      d += <usize>wp << 2;
    }
  }
}

/**
 * U [16] blocks of G g G^T for each 3x3 filter g(o, i) at w + (o*so + i*si)*9 floats (rotated by
 * 180° when flip: the input gradient's filters), each block [O/4][I][4]: groups of four rows o
 * interleaved (the GEMM's packed A; rows past O are left as they are: the caller zeroes them).
 */
export function winoWeights(w: usize, O: i32, I: i32, so: i32, si: i32, flip: i32, dst: usize): void {
  const xi = <usize>(((O + 3) & ~3) * I) << 2;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const g = w + (<usize>((o * so + i * si) * 9) << 2);
      const at = dst + (<usize>(((o >> 2) * I + i) * 4 + (o & 3)) << 2);
      // rows of G g (4 x 3), then each row times G^T (4 values)
      for (let r = 0; r < 4; r++) {
        let a: f32 = 0, b: f32 = 0, c: f32 = 0;
        for (let x = 0; x < 3; x++) {
          const k0 = flip ? 8 - x : x, k1 = flip ? 5 - x : 3 + x, k2 = flip ? 2 - x : 6 + x;
          const g0 = load<f32>(g + (<usize>k0 << 2)), g1 = load<f32>(g + (<usize>k1 << 2)), g2 = load<f32>(g + (<usize>k2 << 2));
          const v: f32 = r == 0 ? g0 : r == 1 ? (g0 + g1 + g2) * 0.5 : r == 2 ? (g0 - g1 + g2) * 0.5 : g2;
          if (x == 0) a = v; else if (x == 1) b = v; else c = v;
        }
        const row = at + <usize>(r * 4) * xi;
        store<f32>(row, a);
        store<f32>(row + xi, (a + b + c) * 0.5);
        store<f32>(row + 2 * xi, (a - b + c) * 0.5);
        store<f32>(row + 3 * xi, c);
      }
    }
  }
}

// Stores v's lanes (tiles t..t+3, the first `valid` of them) at `at`.
@inline function storeTiles(v: v128, at: usize, valid: i32): void {
  if (valid == 4) { v128.store(at, v); return; }
  store<f32>(at, f32x4.extract_lane(v, 0));
  if (valid > 1) store<f32>(at, f32x4.extract_lane(v, 1), 4);
  if (valid > 2) store<f32>(at, f32x4.extract_lane(v, 2), 8);
}

/**
 * V [16][C][n] (blocks `stride` floats apart, rows n): row c, column t0 + ty*tW + tx holds
 * (B^T d B)[ξ] of tile (ty, tx)'s 4x4 patch of plane c (planes `plane` floats apart, rows wp
 * apart; the patch starts at (2ty, 2tx), and 64 readable bytes follow the planes).
 */
export function winoInput(x: usize, C: i32, wp: i32, plane: i32, tH: i32, tW: i32, t0: i32, n: i32, dst: usize, stride: i32): void {
  const blk = <usize>stride << 2, rs = <usize>wp << 2;
  for (let c = 0; c < C; c++) {
    for (let ty = 0; ty < tH; ty++) {
      const row = x + (<usize>(c * plane + 2 * ty * wp) << 2);
      for (let tx = 0; tx < tW; tx += 4) {
        const s = row + (<usize>tx << 3);
        // B^T along each patch row: the four columns deinterleaved from 10 floats
        let a = v128.load(s), b = v128.load(s, 16), e = v128.load(s, 8), f = v128.load(s, 24);
        let d0 = i32x4.shuffle(a, b, 0, 2, 4, 6), d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        let d2 = i32x4.shuffle(e, f, 0, 2, 4, 6), d3 = i32x4.shuffle(e, f, 1, 3, 5, 7);
        const p00 = f32x4.sub(d0, d2), p01 = f32x4.add(d1, d2), p02 = f32x4.sub(d2, d1), p03 = f32x4.sub(d1, d3);
        a = v128.load(s + rs); b = v128.load(s + rs, 16); e = v128.load(s + rs, 8); f = v128.load(s + rs, 24);
        d0 = i32x4.shuffle(a, b, 0, 2, 4, 6); d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        d2 = i32x4.shuffle(e, f, 0, 2, 4, 6); d3 = i32x4.shuffle(e, f, 1, 3, 5, 7);
        const p10 = f32x4.sub(d0, d2), p11 = f32x4.add(d1, d2), p12 = f32x4.sub(d2, d1), p13 = f32x4.sub(d1, d3);
        a = v128.load(s + 2 * rs); b = v128.load(s + 2 * rs, 16); e = v128.load(s + 2 * rs, 8); f = v128.load(s + 2 * rs, 24);
        d0 = i32x4.shuffle(a, b, 0, 2, 4, 6); d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        d2 = i32x4.shuffle(e, f, 0, 2, 4, 6); d3 = i32x4.shuffle(e, f, 1, 3, 5, 7);
        const p20 = f32x4.sub(d0, d2), p21 = f32x4.add(d1, d2), p22 = f32x4.sub(d2, d1), p23 = f32x4.sub(d1, d3);
        a = v128.load(s + 3 * rs); b = v128.load(s + 3 * rs, 16); e = v128.load(s + 3 * rs, 8); f = v128.load(s + 3 * rs, 24);
        d0 = i32x4.shuffle(a, b, 0, 2, 4, 6); d1 = i32x4.shuffle(a, b, 1, 3, 5, 7);
        d2 = i32x4.shuffle(e, f, 0, 2, 4, 6); d3 = i32x4.shuffle(e, f, 1, 3, 5, 7);
        const p30 = f32x4.sub(d0, d2), p31 = f32x4.add(d1, d2), p32 = f32x4.sub(d2, d1), p33 = f32x4.sub(d1, d3);
        // B^T down each column: ξ = i*4 + j
        const valid = min(4, tW - tx), at = dst + (<usize>(c * n + t0 + ty * tW + tx) << 2);
        storeTiles(f32x4.sub(p00, p20), at, valid);
        storeTiles(f32x4.sub(p01, p21), at + blk, valid);
        storeTiles(f32x4.sub(p02, p22), at + 2 * blk, valid);
        storeTiles(f32x4.sub(p03, p23), at + 3 * blk, valid);
        storeTiles(f32x4.add(p10, p20), at + 4 * blk, valid);
        storeTiles(f32x4.add(p11, p21), at + 5 * blk, valid);
        storeTiles(f32x4.add(p12, p22), at + 6 * blk, valid);
        storeTiles(f32x4.add(p13, p23), at + 7 * blk, valid);
        storeTiles(f32x4.sub(p20, p10), at + 8 * blk, valid);
        storeTiles(f32x4.sub(p21, p11), at + 9 * blk, valid);
        storeTiles(f32x4.sub(p22, p12), at + 10 * blk, valid);
        storeTiles(f32x4.sub(p23, p13), at + 11 * blk, valid);
        storeTiles(f32x4.sub(p10, p30), at + 12 * blk, valid);
        storeTiles(f32x4.sub(p11, p31), at + 13 * blk, valid);
        storeTiles(f32x4.sub(p12, p32), at + 14 * blk, valid);
        storeTiles(f32x4.sub(p13, p33), at + 15 * blk, valid);
      }
    }
  }
}

// One output row of four tiles (lo, hi: the row's columns 2tx..2tx+7) at y, its first `valid` columns.
@inline function storeRow(y: usize, lo: v128, hi: v128, valid: i32): void {
  if (valid >= 8) { v128.store(y, lo); v128.store(y, hi, 16); return; }
  for (let j = 0; j < valid; j++) {
    const v = j < 4 ? lo : hi, k = j & 3;
    store<f32>(y + (<usize>j << 2), k == 0 ? f32x4.extract_lane(v, 0) : k == 1 ? f32x4.extract_lane(v, 1) : k == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3));
  }
}

/**
 * y [O][outH][outW] = A^T m A + bias[o] (bias 0: none) of the image's tiles t0 + ty*tW + tx, where
 * m [16][O][n] (blocks `stride` floats apart, rows n) holds the GEMM results (12 readable bytes
 * after it). Four tiles of a tile row go through the lanes.
 */
export function winoOutput(m: usize, O: i32, n: i32, stride: i32, t0: i32, tH: i32, tW: i32, y: usize, outH: i32, outW: i32, bias: usize): void {
  const blk = <usize>stride << 2, ob = <usize>outW << 2;
  for (let o = 0; o < O; o++) {
    const bv = f32x4.splat(bias ? load<f32>(bias + (<usize>o << 2)) : 0);
    const yo = y + <usize>(o * outH) * ob;
    for (let ty = 0; ty < tH; ty++) {
      for (let tx = 0; tx < tW; tx += 4) {
        const s = m + (<usize>(o * n + t0 + ty * tW + tx) << 2);
        // A^T along each row i of the 4x4 block: (m0 + m1 + m2, m1 - m2 - m3)
        let a = v128.load(s), b = v128.load(s + blk), c = v128.load(s + 2 * blk), d = v128.load(s + 3 * blk);
        const q00 = f32x4.add(f32x4.add(a, b), c), q01 = f32x4.sub(f32x4.sub(b, c), d);
        a = v128.load(s + 4 * blk); b = v128.load(s + 5 * blk); c = v128.load(s + 6 * blk); d = v128.load(s + 7 * blk);
        const q10 = f32x4.add(f32x4.add(a, b), c), q11 = f32x4.sub(f32x4.sub(b, c), d);
        a = v128.load(s + 8 * blk); b = v128.load(s + 9 * blk); c = v128.load(s + 10 * blk); d = v128.load(s + 11 * blk);
        const q20 = f32x4.add(f32x4.add(a, b), c), q21 = f32x4.sub(f32x4.sub(b, c), d);
        a = v128.load(s + 12 * blk); b = v128.load(s + 13 * blk); c = v128.load(s + 14 * blk); d = v128.load(s + 15 * blk);
        const q30 = f32x4.add(f32x4.add(a, b), c), q31 = f32x4.sub(f32x4.sub(b, c), d);
        // and down the columns
        const y00 = f32x4.add(f32x4.add(f32x4.add(q00, q10), q20), bv), y01 = f32x4.add(f32x4.add(f32x4.add(q01, q11), q21), bv);
        const y10 = f32x4.add(f32x4.sub(f32x4.sub(q10, q20), q30), bv), y11 = f32x4.add(f32x4.sub(f32x4.sub(q11, q21), q31), bv);
        const oy = 2 * ty, ox = 2 * tx, valid = outW - ox;
        const r0 = yo + <usize>oy * ob + (<usize>ox << 2);
        storeRow(r0, i32x4.shuffle(y00, y01, 0, 4, 1, 5), i32x4.shuffle(y00, y01, 2, 6, 3, 7), valid);
        if (oy + 1 < outH) storeRow(r0 + ob, i32x4.shuffle(y10, y11, 0, 4, 1, 5), i32x4.shuffle(y10, y11, 2, 6, 3, 7), valid);
      }
    }
  }
}

// C[4,8] (rows ldc bytes apart) = (acc ? C : 0) + a packed A panel (kc x 4 at pa) @ eight columns
// of B read in place (kc rows ldb bytes apart, at b): gemm's 4x8 kernel with B unpacked.
function kernelB(pa: usize, b: usize, ldb: usize, c: usize, ldc: usize, kc: i32, acc: bool): void {
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, z = f32x4.splat(0);
  let x00 = z, x01 = z, x10 = z, x11 = z, x20 = z, x21 = z, x30 = z, x31 = z;
  if (acc) {
    x00 = v128.load(c); x01 = v128.load(c, 16); x10 = v128.load(c1); x11 = v128.load(c1, 16);
    x20 = v128.load(c2); x21 = v128.load(c2, 16); x30 = v128.load(c3); x31 = v128.load(c3, 16);
  }
  let n = kc;
  do {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(pa);
    x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
    s = v128.load32_splat(pa, 4);
    x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
    s = v128.load32_splat(pa, 8);
    x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
    s = v128.load32_splat(pa, 12);
    x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
    pa += 16; b += ldb;
  } while (--n);
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

/**
 * m [O, n] = U @ V, overwriting m: U from winoWeights ([O/4][C][4], rows past O zero), V [C][n]
 * row-major (32 readable bytes after it). `tmp` holds a 4x8 edge tile (32 floats).
 */
export function winoGemm(u: usize, O: i32, C: i32, v: usize, n: i32, m: usize, tmp: usize): void {
  const ld = <usize>n << 2;
  // panels outer: a panel of V (C short rows) stays in L1 across U's row groups (all of U fits there too)
  for (let j = 0; j < n; j += 8) {
    const nr = min(8, n - j), b = v + (<usize>j << 2);
    for (let i = 0; i < O; i += 4) {
      const mr = min(4, O - i), c = m + <usize>i * ld + (<usize>j << 2);
      for (let p0 = 0; p0 < C; p0 += KB) {
        const kc = min(KB, C - p0), acc = p0 > 0, pa = u + (<usize>(i * C + p0 * 4) << 2), bp = b + <usize>p0 * ld;
        if (mr == 4 && nr == 8) { kernelB(pa, bp, ld, c, ld, kc, acc); continue; }
        // an edge: through the tile, only its mr x nr corner kept
        for (let r = 0; r < 4; r++) for (let q = 0; q < 8; q++) {
          store<f32>(tmp + (<usize>(r * 8 + q) << 2), acc && r < mr && q < nr ? load<f32>(c + <usize>r * ld + (<usize>q << 2)) : 0);
        }
        kernelB(pa, bp, ld, tmp, 32, kc, true);
        for (let r = 0; r < mr; r++) for (let q = 0; q < nr; q++) {
          store<f32>(c + <usize>r * ld + (<usize>q << 2), load<f32>(tmp + (<usize>(r * 8 + q) << 2)));
        }
      }
    }
  }
}

/**
 * Z [16][O][n] (blocks `stride` floats apart, rows n): row o, column t0 + ty*tW + tx holds
 * (A g A^T)[ξ] of the 2x2 tile (ty, tx) of gradient plane o (planes [O][2tH][2tW], zero past the
 * outputs; 32 readable bytes after them). Four tiles of a tile row go through the lanes.
 */
export function winoGradTiles(g: usize, O: i32, tH: i32, tW: i32, t0: i32, n: i32, dst: usize, stride: i32): void {
  const blk = <usize>stride << 2, w2 = 2 * tW, rs = <usize>w2 << 2;
  for (let o = 0; o < O; o++) {
    for (let ty = 0; ty < tH; ty++) {
      const row = g + (<usize>((o * 2 * tH + 2 * ty) * w2) << 2);
      for (let tx = 0; tx < tW; tx += 4) {
        const s = row + (<usize>tx << 3);
        const u0 = v128.load(s), u1 = v128.load(s, 16), v0 = v128.load(s + rs), v1 = v128.load(s + rs, 16);
        const g00 = i32x4.shuffle(u0, u1, 0, 2, 4, 6), g01 = i32x4.shuffle(u0, u1, 1, 3, 5, 7);
        const g10 = i32x4.shuffle(v0, v1, 0, 2, 4, 6), g11 = i32x4.shuffle(v0, v1, 1, 3, 5, 7);
        // A (4x2) = [1 0; 1 1; 1 -1; 0 -1] down each column, then along each row
        const a0 = g00, a1 = f32x4.add(g00, g10), a2 = f32x4.sub(g00, g10), a3 = f32x4.neg(g10);
        const b0 = g01, b1 = f32x4.add(g01, g11), b2 = f32x4.sub(g01, g11), b3 = f32x4.neg(g11);
        const valid = min(4, tW - tx), at = dst + (<usize>(o * n + t0 + ty * tW + tx) << 2);
        storeTiles(a0, at, valid); storeTiles(f32x4.add(a0, b0), at + blk, valid);
        storeTiles(f32x4.sub(a0, b0), at + 2 * blk, valid); storeTiles(f32x4.neg(b0), at + 3 * blk, valid);
        storeTiles(a1, at + 4 * blk, valid); storeTiles(f32x4.add(a1, b1), at + 5 * blk, valid);
        storeTiles(f32x4.sub(a1, b1), at + 6 * blk, valid); storeTiles(f32x4.neg(b1), at + 7 * blk, valid);
        storeTiles(a2, at + 8 * blk, valid); storeTiles(f32x4.add(a2, b2), at + 9 * blk, valid);
        storeTiles(f32x4.sub(a2, b2), at + 10 * blk, valid); storeTiles(f32x4.neg(b2), at + 11 * blk, valid);
        storeTiles(a3, at + 12 * blk, valid); storeTiles(f32x4.add(a3, b3), at + 13 * blk, valid);
        storeTiles(f32x4.sub(a3, b3), at + 14 * blk, valid); storeTiles(f32x4.neg(b3), at + 15 * blk, valid);
      }
    }
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// s[r][q] += a_r · b_q (k floats each, k % 4 == 0) for the first `rows` of four rows a0..a3 and
// `cols` of two rows b0, b1 (rows ldc bytes apart in s).
function kernelNT(a0: usize, a1: usize, a2: usize, a3: usize, b0: usize, b1: usize, k: i32, s: usize, ldc: usize, rows: i32, cols: i32): void {
  const z = f32x4.splat(0);
  let x00 = z, x01 = z, x10 = z, x11 = z, x20 = z, x21 = z, x30 = z, x31 = z;
  const end = <usize>k << 2;
  let p: usize = 0;
  do {
    const u = v128.load(b0 + p), w = v128.load(b1 + p);
    let a = v128.load(a0 + p);
    x00 = madd(a, u, x00); x01 = madd(a, w, x01);
    a = v128.load(a1 + p);
    x10 = madd(a, u, x10); x11 = madd(a, w, x11);
    a = v128.load(a2 + p);
    x20 = madd(a, u, x20); x21 = madd(a, w, x21);
    a = v128.load(a3 + p);
    x30 = madd(a, u, x30); x31 = madd(a, w, x31);
    p += 16;
  } while (p < end);
  const two = cols > 1;
  store<f32>(s, load<f32>(s) + hsum(x00)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x01), 4);
  if (rows > 1) { s += ldc; store<f32>(s, load<f32>(s) + hsum(x10)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x11), 4); }
  if (rows > 2) { s += ldc; store<f32>(s, load<f32>(s) + hsum(x20)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x21), 4); }
  if (rows > 3) { s += ldc; store<f32>(s, load<f32>(s) + hsum(x30)); if (two) store<f32>(s, load<f32>(s, 4) + hsum(x31), 4); }
}

/**
 * s [I, O] += v [I][k] · z [O][k]^T (row-major, rows k floats, k a positive multiple of 4): the
 * weight gradient's sum over tiles, both operands read in place.
 */
export function winoGemmNT(v: usize, I: i32, z: usize, O: i32, k: i32, s: usize): void {
  const rb = <usize>k << 2, ldc = <usize>O << 2;
  for (let i = 0; i < I; i += 4) {
    // rows past I repeat the last one (read, not stored)
    const a0 = v + <usize>i * rb, a1 = v + <usize>min(i + 1, I - 1) * rb;
    const a2 = v + <usize>min(i + 2, I - 1) * rb, a3 = v + <usize>min(i + 3, I - 1) * rb;
    for (let o = 0; o < O; o += 2) {
      const b0 = z + <usize>o * rb, b1 = z + <usize>min(o + 1, O - 1) * rb;
      kernelNT(a0, a1, a2, a3, b0, b1, k, s + <usize>i * ldc + (<usize>o << 2), ldc, I - i, O - o);
    }
  }
}

// G^T (3x4) = [1 .5 .5 0; 0 .5 -.5 0; 0 .5 .5 1] applied to (a, b, c, d).
@inline function gt0(a: f32, b: f32, c: f32): f32 { return a + (b + c) * 0.5; }
@inline function gt1(b: f32, c: f32): f32 { return (b - c) * 0.5; }
@inline function gt2(b: f32, c: f32, d: f32): f32 { return (b + c) * 0.5 + d; }

/** dw [O][I][3][3] = G^T s G of each s [16][I][O] (the summed products per tile position ξ). */
export function winoWeightGrad(s: usize, I: i32, O: i32, dw: usize): void {
  const xi = <usize>(I * O) << 2;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      const p = s + (<usize>(i * O + o) << 2), d = dw + (<usize>((o * I + i) * 9) << 2);
      // u [3][4] = G^T s: column x from s[0..3][x]
      const u00 = gt0(load<f32>(p), load<f32>(p + 4 * xi), load<f32>(p + 8 * xi));
      const u10 = gt1(load<f32>(p + 4 * xi), load<f32>(p + 8 * xi));
      const u20 = gt2(load<f32>(p + 4 * xi), load<f32>(p + 8 * xi), load<f32>(p + 12 * xi));
      const u01 = gt0(load<f32>(p + xi), load<f32>(p + 5 * xi), load<f32>(p + 9 * xi));
      const u11 = gt1(load<f32>(p + 5 * xi), load<f32>(p + 9 * xi));
      const u21 = gt2(load<f32>(p + 5 * xi), load<f32>(p + 9 * xi), load<f32>(p + 13 * xi));
      const u02 = gt0(load<f32>(p + 2 * xi), load<f32>(p + 6 * xi), load<f32>(p + 10 * xi));
      const u12 = gt1(load<f32>(p + 6 * xi), load<f32>(p + 10 * xi));
      const u22 = gt2(load<f32>(p + 6 * xi), load<f32>(p + 10 * xi), load<f32>(p + 14 * xi));
      const u03 = gt0(load<f32>(p + 3 * xi), load<f32>(p + 7 * xi), load<f32>(p + 11 * xi));
      const u13 = gt1(load<f32>(p + 7 * xi), load<f32>(p + 11 * xi));
      const u23 = gt2(load<f32>(p + 7 * xi), load<f32>(p + 11 * xi), load<f32>(p + 15 * xi));
      // then u G along each row
      store<f32>(d, gt0(u00, u01, u02)); store<f32>(d, gt1(u01, u02), 4); store<f32>(d, gt2(u01, u02, u03), 8);
      store<f32>(d, gt0(u10, u11, u12), 12); store<f32>(d, gt1(u11, u12), 16); store<f32>(d, gt2(u11, u12, u13), 20);
      store<f32>(d, gt0(u20, u21, u22), 24); store<f32>(d, gt1(u21, u22), 28); store<f32>(d, gt2(u21, u22, u23), 32);
    }
  }
}

/** 1 when the n floats at p are all finite, else 0. */
export function allFinite(p: usize, n: i32): i32 {
  let acc = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(p + (<usize>i << 2)), zero));
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) s += load<f32>(p + (<usize>i << 2)) * 0;
  return s == 0 ? 1 : 0;
}
