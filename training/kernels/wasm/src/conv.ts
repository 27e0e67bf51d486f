// Stride-1 NCHW convolution pieces around the shared float32 GEMM (lite-runtime's
// src/gemm.ts, compiled into this module too): B packed straight from the image
// planes (implicit im2col, "wide" rows: tap (ky, kx) of wide output j reads
// plane[ky*dH*wp + kx*dW + j]), the wide output compacted with the bias, the
// gradient widened, and the input gradient folded (col2im) with SIMD adds.
// Pointers are byte offsets; sizes in elements. training/kernels/nn-conv-wasm.ts drives them.
import { KB } from '../../../../lite-runtime/kernels/wasm/src/gemm';
export { gemm, packB } from '../../../../lite-runtime/kernels/wasm/src/gemm';

/** Byte offset of column j of an im2col row whose outputs lie in rows of rowLen, rowStride apart. */
@inline function colAt(j: i32, rowLen: i32, rowStride: i32): usize {
  return <usize>((j / rowLen) * rowStride + j % rowLen) << 2;
}

/**
 * Packs B [k, n] whose row p holds, at column j, the float at src + offs[p] + colAt(j) (offs: i32
 * byte offsets; rowLen == rowStride: n contiguous floats, the wide rows; else the exact
 * outputs, rowLen a multiple of 8) into packB's layout (K blocks of KB rows, 8-column panels,
 * columns past n zero).
 */
export function packRows(src: usize, offs: usize, k: i32, n: i32, dst: usize, rowLen: i32, rowStride: i32): void {
  const n8 = (n + 7) & ~7;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const kc = min(KB, k - p0);
    for (let j0 = 0; j0 < n8; j0 += 8) {
      const nr = min(8, n - j0);
      const cb = colAt(j0, rowLen, rowStride);
      for (let p = p0; p < p0 + kc; p++) {
        const row = src + <usize>load<i32>(offs + (<usize>p << 2));
        if (nr == 8) {
          const s = row + cb;
          v128.store(dst, v128.load(s));
          v128.store(dst, v128.load(s, 16), 16);
        } else {
          for (let j = 0; j < 8; j++) store<f32>(dst + (<usize>j << 2), j < nr ? load<f32>(row + colAt(j0 + j, rowLen, rowStride)) : 0);
        }
        dst += 32;
      }
    }
  }
}

// Four rows (at byte addresses r0..r3) of four floats, transposed into four 32-byte rows of dst at byte offset off.
@inline function transpose4(r0: usize, r1: usize, r2: usize, r3: usize, dst: usize, off: usize): void {
  const a = v128.load(r0), b = v128.load(r1), c = v128.load(r2), d = v128.load(r3);
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5), t1 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(a, b, 2, 6, 3, 7), t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(dst + off, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + off + 32, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + off + 64, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + off + 96, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs B [k, n] = the transpose of im2col rows: B[p][j] = the float at src + offs[j] + colAt(p)
 * (rowLen == rowStride: row j's k contiguous floats; else rowLen a multiple of 4), in packB's
 * layout. Full panels are transposed 4x4 at a time.
 */
export function packRowsT(src: usize, offs: usize, k: i32, n: i32, dst: usize, rowLen: i32, rowStride: i32): void {
  const n8 = (n + 7) & ~7;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const kc = min(KB, k - p0), k4 = kc & ~3;
    for (let j0 = 0; j0 < n8; j0 += 8) {
      const nr = min(8, n - j0);
      if (nr == 8) {
        const o = offs + (<usize>j0 << 2);
        const s0 = src + <usize>load<i32>(o), s1 = src + <usize>load<i32>(o, 4), s2 = src + <usize>load<i32>(o, 8), s3 = src + <usize>load<i32>(o, 12);
        const s4 = src + <usize>load<i32>(o, 16), s5 = src + <usize>load<i32>(o, 20), s6 = src + <usize>load<i32>(o, 24), s7 = src + <usize>load<i32>(o, 28);
        let p = 0;
        for (; p < k4; p += 4) {
          const b = colAt(p0 + p, rowLen, rowStride);
          transpose4(s0 + b, s1 + b, s2 + b, s3 + b, dst, 0);
          transpose4(s4 + b, s5 + b, s6 + b, s7 + b, dst, 16);
          dst += 128;
        }
        for (; p < kc; p++) {
          const b = colAt(p0 + p, rowLen, rowStride);
          store<f32>(dst, load<f32>(s0 + b)); store<f32>(dst, load<f32>(s1 + b), 4);
          store<f32>(dst, load<f32>(s2 + b), 8); store<f32>(dst, load<f32>(s3 + b), 12);
          store<f32>(dst, load<f32>(s4 + b), 16); store<f32>(dst, load<f32>(s5 + b), 20);
          store<f32>(dst, load<f32>(s6 + b), 24); store<f32>(dst, load<f32>(s7 + b), 28);
          dst += 32;
        }
        continue;
      }
      for (let p = p0; p < p0 + kc; p++) {
        const b = colAt(p, rowLen, rowStride);
        for (let j = 0; j < 8; j++) {
          store<f32>(dst + (<usize>j << 2), j < nr ? load<f32>(src + <usize>load<i32>(offs + (<usize>(j0 + j) << 2)) + b) : 0);
        }
        dst += 32;
      }
    }
  }
}

/** dst rows (stride wp) = src rows (outW each) followed by wp - outW zeros, for `rows` rows. */
export function widen(src: usize, dst: usize, rows: i32, outW: i32, wp: i32): void {
  const w4 = outW & ~3;
  for (let r = 0; r < rows; r++) {
    // rows are short: a SIMD loop beats memory.copy's call
    let x = 0;
    for (; x < w4; x += 4) v128.store(dst + (<usize>x << 2), v128.load(src + (<usize>x << 2)));
    for (; x < wp; x++) store<f32>(dst + (<usize>x << 2), x < outW ? load<f32>(src + (<usize>x << 2)) : 0);
    src += <usize>outW << 2;
    dst += <usize>wp << 2;
  }
}

/**
 * y [oc][outH][outW] = c [oc][outH][wp] (its first outW columns) + bias[o] (bias 0: none).
 */
export function compact(c: usize, y: usize, oc: i32, outH: i32, outW: i32, wp: i32, bias: usize): void {
  const w4 = outW & ~3;
  for (let o = 0; o < oc; o++) {
    const bv: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
    const b4 = f32x4.splat(bv);
    for (let oy = 0; oy < outH; oy++) {
      let x = 0;
      for (; x < w4; x += 4) v128.store(y + (<usize>x << 2), f32x4.add(v128.load(c + (<usize>x << 2)), b4));
      for (; x < outW; x++) store<f32>(y + (<usize>x << 2), load<f32>(c + (<usize>x << 2)) + bv);
      c += <usize>wp << 2;
      y += <usize>outW << 2;
    }
  }
}

/** dst[0, n) += src[0, n) (unaligned SIMD). */
@inline function addRun(dst: usize, src: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * dx [cg][h][w] += fold(col) for stride 1: col row (ci*kh + ky)*kw + kx holds that tap over
 * the outH*outW outputs; x0/x1 (i32 per kx) bound the outputs whose input column is inside.
 */
export function col2im(
  col: usize, dx: usize, cg: i32, h: i32, w: i32, kh: i32, kw: i32, dH: i32, dW: i32, pt: i32, pl: i32,
  outH: i32, outW: i32, x0s: usize, x1s: usize,
): void {
  let r = 0;
  for (let ci = 0; ci < cg; ci++) {
    const plane = dx + (<usize>(ci * h * w) << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, r++) {
        const x0 = load<i32>(x0s + (<usize>kx << 2)), x1 = load<i32>(x1s + (<usize>kx << 2));
        if (x1 <= x0) continue;
        const dxo = kx * dW - pl;
        const row = col + (<usize>(r * outH * outW) << 2);
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy + ky * dH - pt;
          if (iy < 0 || iy >= h) continue;
          addRun(plane + (<usize>(iy * w + dxo + x0) << 2), row + (<usize>(oy * outW + x0) << 2), x1 - x0);
        }
      }
    }
  }
}

/** The GEMM's K block (rows per packed block): gemm's work area holds mc * kBlock() + 32 floats. */
export function kBlock(): i32 {
  return KB;
}
