// 2x2 max pooling at stride 2 (no padding) over NCHW planes, forward and backward, with
// training/kernels/nn-pool.ts's rule (so both paths give the same bits): the first NaN of
// a window (row-major) if there is one, else its first maximum, found as
//   kab = b > a, kcd = d > c, low = (c > a & c > b) | (d > a & d > b)
//   index = low ? 2 + kcd : kab            (a b / c d: the window's two rows)
// Four windows at a time: two rows of eight floats deinterleaved into a, b, c, d.
// Pointers are byte offsets; the caller zeroes what an odd size leaves out.

// Lane masks of the chosen element: which = 0..3 for a, b, c, d (one of the four set per lane).
// (Called four times per window group; V8 shares the common comparisons.)
@inline function pick(a: v128, b: v128, c: v128, d: v128, which: i32): v128 {
  const kab = f32x4.gt(b, a), kcd = f32x4.gt(d, c);
  const low = v128.or(v128.and(f32x4.gt(c, a), f32x4.gt(c, b)), v128.and(f32x4.gt(d, a), f32x4.gt(d, b)));
  const na = f32x4.ne(a, a), nb = f32x4.ne(b, b), nc = f32x4.ne(c, c), nd = f32x4.ne(d, d);
  const nan = v128.or(v128.or(na, nb), v128.or(nc, nd));
  if (which == 0) return v128.bitselect(na, v128.andnot(v128.not(kab), low), nan);
  if (which == 1) return v128.bitselect(v128.andnot(nb, na), v128.andnot(kab, low), nan);
  if (which == 2) return v128.bitselect(v128.andnot(v128.andnot(nc, na), nb), v128.andnot(low, kcd), nan);
  return v128.bitselect(v128.andnot(nd, v128.or(v128.or(na, nb), nc)), v128.and(low, kcd), nan);
}

// The same for one window (the scalar tail).
@inline function pick1(a: f32, b: f32, c: f32, d: f32): i32 {
  if (a != a) return 0;
  if (b != b) return 1;
  if (c != c) return 2;
  if (d != d) return 3;
  const kab = <i32>(b > a), kcd = <i32>(d > c);
  const low = (<i32>(c > a) & <i32>(c > b)) | (<i32>(d > a) & <i32>(d > b));
  return low ? 2 + kcd : kab;
}

/** y [planes][oh][ow] = the 2x2 max of x [planes][h][w]. */
export function maxPool2x2(x: usize, y: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32): void {
  const ow4 = ow & ~3, rb = <usize>w << 2;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const r0 = x + (<usize>((p * h + 2 * oy) * w) << 2), r1 = r0 + rb;
      const yr = y + (<usize>((p * oh + oy) * ow) << 2);
      let ox = 0;
      for (; ox < ow4; ox += 4) {
        const o = <usize>ox << 3;
        const u0 = v128.load(r0 + o), u1 = v128.load(r0 + o, 16), v0 = v128.load(r1 + o), v1 = v128.load(r1 + o, 16);
        const a = i32x4.shuffle(u0, u1, 0, 2, 4, 6), b = i32x4.shuffle(u0, u1, 1, 3, 5, 7);
        const c = i32x4.shuffle(v0, v1, 0, 2, 4, 6), d = i32x4.shuffle(v0, v1, 1, 3, 5, 7);
        const m = v128.or(v128.or(v128.and(a, pick(a, b, c, d, 0)), v128.and(b, pick(a, b, c, d, 1))),
          v128.or(v128.and(c, pick(a, b, c, d, 2)), v128.and(d, pick(a, b, c, d, 3))));
        v128.store(yr + (<usize>ox << 2), m);
      }
      for (; ox < ow; ox++) {
        const o = <usize>ox << 3;
        const k = pick1(load<f32>(r0 + o), load<f32>(r0 + o, 4), load<f32>(r1 + o), load<f32>(r1 + o, 4));
        store<i32>(yr + (<usize>ox << 2), load<i32>((k < 2 ? r0 : r1) + o + (<usize>(k & 1) << 2)));
      }
    }
  }
}

/**
 * dx [planes][h][w] = gy routed to each window's chosen element, 0 elsewhere in the window
 * (elements outside every window are left as they are).
 */
export function maxPool2x2Backward(x: usize, gy: usize, dx: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32): void {
  const ow4 = ow & ~3, rb = <usize>w << 2;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const off = <usize>((p * h + 2 * oy) * w) << 2;
      const r0 = x + off, r1 = r0 + rb, d0 = dx + off, d1 = d0 + rb;
      const gr = gy + (<usize>((p * oh + oy) * ow) << 2);
      let ox = 0;
      for (; ox < ow4; ox += 4) {
        const o = <usize>ox << 3;
        const u0 = v128.load(r0 + o), u1 = v128.load(r0 + o, 16), v0 = v128.load(r1 + o), v1 = v128.load(r1 + o, 16);
        const a = i32x4.shuffle(u0, u1, 0, 2, 4, 6), b = i32x4.shuffle(u0, u1, 1, 3, 5, 7);
        const c = i32x4.shuffle(v0, v1, 0, 2, 4, 6), d = i32x4.shuffle(v0, v1, 1, 3, 5, 7);
        const g = v128.load(gr + (<usize>ox << 2));
        const ga = v128.and(g, pick(a, b, c, d, 0)), gb = v128.and(g, pick(a, b, c, d, 1));
        const gc = v128.and(g, pick(a, b, c, d, 2)), gd = v128.and(g, pick(a, b, c, d, 3));
        v128.store(d0 + o, i32x4.shuffle(ga, gb, 0, 4, 1, 5));
        v128.store(d0 + o, i32x4.shuffle(ga, gb, 2, 6, 3, 7), 16);
        v128.store(d1 + o, i32x4.shuffle(gc, gd, 0, 4, 1, 5));
        v128.store(d1 + o, i32x4.shuffle(gc, gd, 2, 6, 3, 7), 16);
      }
      for (; ox < ow; ox++) {
        const o = <usize>ox << 3;
        const k = pick1(load<f32>(r0 + o), load<f32>(r0 + o, 4), load<f32>(r1 + o), load<f32>(r1 + o, 4));
        const g = load<i32>(gr + (<usize>ox << 2));
        store<i32>(d0 + o, k == 0 ? g : 0); store<i32>(d0 + o, k == 1 ? g : 0, 4);
        store<i32>(d1 + o, k == 2 ? g : 0); store<i32>(d1 + o, k == 3 ? g : 0, 4);
      }
    }
  }
}
