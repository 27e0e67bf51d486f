/**
 * Stride-1 dense convolutions (NCHW) in the training wasm module, with the im2col
 * implicit: the GEMM's B panels are packed straight from the image planes
 * ("wide" rows, see nn-conv-wide.ts), the wide output is compacted with the bias,
 * and the input gradient is folded with SIMD adds, all in the module's memory
 * (operands copied in and results out image by image, so the scratch holds one
 * image's operands whatever the batch). Each function returns
 * false where it does not apply or the memory cannot grow; nn-conv.ts then runs
 * its TypeScript path. Same sums as that path, in the same order per output
 * (one GEMM per image and group), so results agree to float32 rounding.
 */
import type { ConvPlan } from './nn-conv.js';
import { trainingKernels, type ConvExports } from './wasm/runtime.js';

/** GEMM rows packed per block (as the lite runtime's MC). */
export const MC = 64;

/** Bytes after each image source the packers may read (a wide row runs (kw-1)*dilation past its planes). */
const slack = (p: ConvPlan) => ((p.s.kw - 1) * p.s.dilationW + 16) * 4;

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Byte offsets of consecutive regions of the given byte sizes in one scratch area. */
function layout(sizes: number[]): { total: number; at: number[] } {
  const at: number[] = [];
  let total = 0;
  for (const s of sizes) { at.push(total); total += align(s); }
  return { total, at };
}

export interface Ctx { ex: ConvExports; f: Float32Array; i32: Int32Array; base: number }

/** The scratch area for `sizes` (bytes each) and the kernels, or null (no wasm, or no memory). */
export function context(sizes: number[]): { c: Ctx; at: number[] } | null {
  const k = trainingKernels();
  if (!k) return null;
  const { total, at } = layout(sizes);
  try {
    const w = k.work(total);
    return { c: { ex: k.conv, f: w.f32, i32: w.i32, base: w.off }, at: at.map((a) => a + w.off) };
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** Padded plane sizes and wide columns of one image (as nn-conv-wide.ts). */
function wide(p: ConvPlan): { hp: number; wp: number; plane: number; L: number; padded: boolean } {
  const { s } = p;
  const hp = s.h + s.padTop + s.padBottom, wp = s.w + s.padLeft + s.padRight;
  return { hp, wp, plane: hp * wp, L: p.outH * wp, padded: hp * wp !== p.hw };
}

/** Row offsets (bytes) of the wide im2col rows (ci, ky, kx) relative to a group's padded planes. */
function wideOffsets(c: Ctx, at: number, p: ConvPlan, wp: number, plane: number): void {
  const { s, cg } = p;
  for (let ci = 0, r = at >> 2; ci < cg; ci++) {
    for (let ky = 0; ky < s.kh; ky++) {
      for (let kx = 0; kx < s.kw; kx++, r++) c.i32[r] = (ci * plane + ky * s.dilationH * wp + kx * s.dilationW) * 4;
    }
  }
}

/**
 * Where image i's group g planes lie padded (wp x hp, zeros around): in the copy of image i
 * at `xAt` when the conv does not pad, else written into `padAt`.
 */
function planes(c: Ctx, x: Float32Array, xAt: number, padAt: number, p: ConvPlan, d: ReturnType<typeof wide>, i: number, g: number): number {
  const { s, cg, hw } = p;
  if (!d.padded) return xAt + g * cg * hw * 4;
  const xo = (i * s.c + g * cg) * hw;
  const o = padAt >> 2;
  c.f.fill(0, o, o + cg * d.plane + (slack(p) >> 2));
  for (let ci = 0; ci < cg; ci++) {
    for (let iy = 0; iy < s.h; iy++) {
      const from = xo + (ci * s.h + iy) * s.w;
      c.f.set(x.subarray(from, from + s.w), o + ci * d.plane + (iy + s.padTop) * d.wp + s.padLeft);
    }
  }
  return padAt;
}

/**
 * Whether the forward runs here: stride 1 with at most 1/8 more wide columns than outputs
 * (not depthwise, not a plain 1x1). Unlike the TypeScript wide path this takes short im2col
 * columns too (a first layer): compacting in wasm costs little.
 */
function wasmWide(p: ConvPlan): boolean {
  const { s } = p;
  return s.strideH === 1 && s.strideW === 1 && !p.depthwise && !p.direct1x1 && (s.w + s.padLeft + s.padRight - p.outW) * 8 <= p.outW;
}

/** How many convolutions each function below has run (tests check that the path is taken). */
export const wasmConvRuns = { forward: 0, weight: 0, input: 0 };

/**
 * y = conv2d(x, w) + bias over wide rows in wasm. False: not run.
 */
export function wasmWideForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, p: ConvPlan): boolean {
  if (!wasmWide(p)) return false;
  const { s, cg, ocg, outH, outW, ohw } = p;
  const d = wide(p), K = cg * p.kk;
  // output rows a multiple of 8 wide: B's panels never straddle two of them, so B holds
  // exactly the outputs and the GEMM writes y in place (no garbage columns to drop)
  const exact = outW % 8 === 0 && outW !== d.wp, cols = exact ? ohw : d.L;
  const nx = s.c * p.hw, ny = s.oc * ohw; // one image
  const r = context([
    d.padded ? 0 : nx * 4 + slack(p), d.padded ? cg * d.plane * 4 + slack(p) : 0, s.oc * K * 4, s.oc * 4, K * 4,
    K * ((cols + 7) & ~7) * 4, exact ? 0 : ocg * d.L * 4, ny * 4, (MC * 256 + 32) * 4,
  ]);
  if (!r) return false;
  const { c } = r;
  const [xAt, padAt, wAt, bAt, offAt, pbAt, cAt, yAt, workAt] = r.at;
  if (c.ex.kBlock() !== 256) return false;
  if (!d.padded) c.f.fill(0, (xAt >> 2) + nx, (xAt + align(nx * 4 + slack(p))) >> 2);
  c.f.set(w.subarray(0, s.oc * K), wAt >> 2);
  if (bias) c.f.set(bias.subarray(0, s.oc), bAt >> 2);
  wideOffsets(c, offAt, p, d.wp, d.plane);
  // image by image: the scratch holds one image's operands, whatever the batch
  for (let i = 0; i < s.n; i++) {
    if (!d.padded) c.f.set(x.subarray(i * nx, (i + 1) * nx), xAt >> 2);
    for (let g = 0; g < s.groups; g++) {
      const src = planes(c, x, xAt, padAt, p, d, i, g);
      const yg = yAt + g * ocg * ohw * 4, out = exact ? yg : cAt;
      c.ex.packRows(src, offAt, K, cols, pbAt, exact ? outW : d.wp, d.wp);
      c.f.fill(0, out >> 2, (out >> 2) + ocg * cols);
      c.ex.gemm(wAt + g * ocg * K * 4, K, 0, pbAt, out, cols, ocg, K, cols, MC, workAt);
      // the bias after the sum, as the TypeScript path adds it (in place when exact)
      if (!exact || bias) c.ex.compact(out, yg, ocg, outH, outW, exact ? outW : d.wp, bias ? bAt + g * ocg * 4 : 0);
    }
    y.set(c.f.subarray(yAt >> 2, (yAt >> 2) + ny), i * ny);
  }
  wasmConvRuns.forward++;
  return true;
}

/** True when every element is finite (0 * inf and 0 * NaN are NaN). */
function allFinite(a: Float32Array): boolean {
  let z = 0;
  for (let i = 0; i < a.length; i++) z += a[i] * 0;
  return z === 0;
}

/**
 * dw = the weight gradient of conv2d over wide rows in wasm (overwrites dw). Where output
 * rows are a multiple of 4 wide, B holds exactly the outputs; else the wide columns past
 * each output row meet zero gradients, so x must be finite (else false: the TypeScript
 * path zeroes those columns). Few im2col rows (a first layer): `shortBackwardWeight`.
 */
export function wasmWideBackwardWeight(x: Float32Array, gy: Float32Array, dw: Float32Array, p: ConvPlan): boolean {
  if (!wasmWide(p)) return false;
  if (!p.wide) return shortBackwardWeight(x, gy, dw, p);
  const { s, cg, ocg, outH, outW, ohw } = p;
  const d = wide(p), K = cg * p.kk;
  const exact = outW % 4 === 0 && outW !== d.wp, cols = exact ? ohw : d.L;
  const nx = s.c * p.hw, ngy = s.oc * ohw; // one image
  if (!exact && !allFinite(x.subarray(0, s.n * nx))) return false;
  const r = context([
    d.padded ? 0 : nx * 4 + slack(p), d.padded ? cg * d.plane * 4 + slack(p) : 0, ngy * 4, exact ? 0 : ocg * d.L * 4, K * 4,
    cols * ((K + 7) & ~7) * 4, s.oc * K * 4, (MC * 256 + 32) * 4,
  ]);
  if (!r) return false;
  const { c } = r;
  const [xAt, padAt, gyAt, gywAt, offAt, pbAt, dwAt, workAt] = r.at;
  if (c.ex.kBlock() !== 256) return false;
  if (!d.padded) c.f.fill(0, (xAt >> 2) + nx, (xAt + align(nx * 4 + slack(p))) >> 2);
  c.f.fill(0, dwAt >> 2, (dwAt >> 2) + s.oc * K);
  wideOffsets(c, offAt, p, d.wp, d.plane);
  for (let i = 0; i < s.n; i++) {
    if (!d.padded) c.f.set(x.subarray(i * nx, (i + 1) * nx), xAt >> 2);
    c.f.set(gy.subarray(i * ngy, (i + 1) * ngy), gyAt >> 2);
    for (let g = 0; g < s.groups; g++) {
      const src = planes(c, x, xAt, padAt, p, d, i, g);
      const gyg = gyAt + g * ocg * ohw * 4;
      if (!exact) c.ex.widen(gyg, gywAt, ocg * outH, outW, d.wp);
      // B [cols, K]: B[j][r] = im2col row r at output (or wide column) j
      c.ex.packRowsT(src, offAt, cols, K, pbAt, exact ? outW : d.wp, d.wp);
      c.ex.gemm(exact ? gyg : gywAt, cols, 0, pbAt, dwAt + g * ocg * K * 4, K, ocg, cols, K, MC, workAt);
    }
  }
  dw.set(c.f.subarray(dwAt >> 2, (dwAt >> 2) + s.oc * K));
  wasmConvRuns.weight++;
  return true;
}

/**
 * The weight gradient with few im2col rows (a first layer: cg*kh*kw < 2*ocg): each dw entry is
 * the dot product of a widened gradient row with a wide im2col row, read straight from the image
 * planes (no im2col, no packing). The wide columns past each output row meet zero gradients; a
 * non-finite x there makes dw non-finite: false (the TypeScript path gives IEEE's answer).
 */
function shortBackwardWeight(x: Float32Array, gy: Float32Array, dw: Float32Array, p: ConvPlan): boolean {
  const { s, cg, ocg, outH, outW, ohw } = p;
  const d = wide(p), K = cg * p.kk, L4 = (d.L + 3) & ~3;
  const nx = s.c * p.hw, ngy = s.oc * ohw; // one image
  const r = context([
    d.padded ? 0 : nx * 4 + slack(p), d.padded ? cg * d.plane * 4 + slack(p) : 0, ngy * 4, ocg * L4 * 4, K * 4, s.oc * K * 4,
  ]);
  if (!r) return false;
  const { c } = r;
  const [xAt, padAt, gyAt, gywAt, offAt, dwAt] = r.at;
  if (!d.padded) c.f.fill(0, (xAt >> 2) + nx, (xAt + align(nx * 4 + slack(p))) >> 2);
  c.f.fill(0, gywAt >> 2, (gywAt >> 2) + ocg * L4);
  c.f.fill(0, dwAt >> 2, (dwAt >> 2) + s.oc * K);
  wideOffsets(c, offAt, p, d.wp, d.plane);
  for (let i = 0; i < s.n; i++) {
    if (!d.padded) c.f.set(x.subarray(i * nx, (i + 1) * nx), xAt >> 2);
    c.f.set(gy.subarray(i * ngy, (i + 1) * ngy), gyAt >> 2);
    for (let g = 0; g < s.groups; g++) {
      const src = planes(c, x, xAt, padAt, p, d, i, g);
      // each output channel's rows widened to wp, rows L4 apart (the padding stays zero)
      for (let o = 0; o < ocg; o++) c.ex.widen(gyAt + ((g * ocg + o) * ohw) * 4, gywAt + o * L4 * 4, outH, outW, d.wp);
      c.ex.gemmNTRows(gywAt, ocg, L4, src, offAt, K, L4, dwAt + g * ocg * K * 4);
    }
  }
  if (!c.ex.allFinite(dwAt, s.oc * K)) return false;
  dw.set(c.f.subarray(dwAt >> 2, (dwAt >> 2) + s.oc * K));
  wasmConvRuns.weight++;
  return true;
}

/**
 * dx = the input gradient of a stride-1 conv2d in wasm: per image and group
 * col = w^T gy (GEMM), then col folded into dx with SIMD adds (overwrites dx).
 */
export function wasmBackwardInputStride1(gy: Float32Array, w: Float32Array, dx: Float32Array, p: ConvPlan): boolean {
  const { s, cg, ocg, outH, outW, ohw, hw } = p;
  if (s.strideH !== 1 || s.strideW !== 1 || p.depthwise) return false;
  const K = cg * p.kk, nx = s.c * hw, ngy = s.oc * ohw; // one image
  const r = context([ngy * 4, s.oc * K * 4, nx * 4, K * ohw * 4, ocg * ((ohw + 7) & ~7) * 4, s.kw * 8, (MC * 256 + 32) * 4]);
  if (!r) return false;
  const { c } = r;
  const [gyAt, wAt, dxAt, colAt, pbAt, xsAt, workAt] = r.at;
  if (c.ex.kBlock() !== 256) return false;
  c.f.set(w.subarray(0, s.oc * K), wAt >> 2);
  c.i32.set(p.x0, xsAt >> 2);
  c.i32.set(p.x1, (xsAt >> 2) + s.kw);
  for (let i = 0; i < s.n; i++) {
    c.f.set(gy.subarray(i * ngy, (i + 1) * ngy), gyAt >> 2);
    c.f.fill(0, dxAt >> 2, (dxAt >> 2) + nx);
    for (let g = 0; g < s.groups; g++) {
      c.ex.packB(gyAt + g * ocg * ohw * 4, ohw, 0, ocg, ohw, pbAt);
      c.f.fill(0, colAt >> 2, (colAt >> 2) + K * ohw);
      c.ex.gemm(wAt + g * ocg * K * 4, K, 1, pbAt, colAt, ohw, K, ocg, ohw, MC, workAt);
      c.ex.col2im(colAt, dxAt + g * cg * hw * 4, cg, s.h, s.w, s.kh, s.kw, s.dilationH, s.dilationW,
        s.padTop, s.padLeft, outH, outW, xsAt, xsAt + s.kw * 4);
    }
    dx.set(c.f.subarray(dxAt >> 2, (dxAt >> 2) + nx), i * nx);
  }
  wasmConvRuns.input++;
  return true;
}
