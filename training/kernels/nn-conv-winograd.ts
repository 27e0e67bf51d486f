/**
 * Stride-1 3x3 convolutions (NCHW, one group, 8+ channels each side) by Winograd F(4x4, 3x3) in
 * the training wasm module (src/winograd.ts, src/winograd-gemm.ts): forward, input gradient
 * (the forward of the gradient with the filters rotated and transposed) and weight gradient,
 * each 36 GEMMs over the channels with 4x fewer multiplies than im2col. The transforms round
 * differently from a direct sum (within ~1e-5 relative). Each function returns false where
 * it does not apply, the memory cannot grow, or a result is not finite (Winograd's
 * transforms can turn an infinity into NaN where a direct sum does not): nn-conv.ts then
 * runs its other paths, which give IEEE semantics.
 */
import type { ConvPlan } from './nn-conv.js';
import { context, type Ctx } from './nn-conv-wasm.js';

/**
 * Fewer channels than this on either side: im2col. All three passes at 26x26, batch 32 (ms, Winograd vs
 * im2col): 4 -> 4 2.4 vs 3.6, 4 -> 32 11.3 vs 11.4, 8 -> 8 3.3 vs 7.0, 16 -> 16 7.3 vs 15.5.
 */
const MIN_CHANNELS = 8;

/** Bytes that may be read past the padded planes and past the GEMM results. */
const SLACK = 128;

/** Bytes of the transforms' scratch. */
const TMP = 1024;

/** How many convolutions each function below has run (tests check that the path is taken). */
export const winogradRuns = { forward: 0, weight: 0, input: 0 };

/** Whether the Winograd path applies: 3x3, stride 1, no dilation, one group, padding at most 2, 8+ channels each side. */
export function winogradFits(p: ConvPlan): boolean {
  const { s } = p;
  return s.kh === 3 && s.kw === 3 && s.strideH === 1 && s.strideW === 1 && s.dilationH === 1 && s.dilationW === 1 &&
    s.groups === 1 && s.c >= MIN_CHANNELS && s.oc >= MIN_CHANNELS &&
    Math.max(s.padTop, s.padLeft, s.padBottom, s.padRight) <= 2;
}

/** Floats between two of a transform's 36 blocks of `floats`: never a multiple of 4 KiB apart (see src/winograd.ts). */
const blockStride = (floats: number) => ((floats + 31) & ~31) + 16;

/**
 * Image i of src ([C][h][w] each) as zero-padded planes [C][hp][wp] with the image at (pt, pl), at
 * `padAt` (through `xAt` when it needs padding); returns padAt.
 */
function planes(c: Ctx, src: Float32Array, i: number, C: number, h: number, w: number, xAt: number, padAt: number, hp: number, wp: number, pt: number, pl: number): number {
  const n = C * h * w, from = src.subarray(i * n, (i + 1) * n);
  if (hp === h && wp === w) { c.f.set(from, padAt >> 2); return padAt; }
  c.f.set(from, xAt >> 2);
  c.ex.padPlanes(xAt, C, h, w, padAt, hp, wp, pt, pl);
  return padAt;
}

/** Output tile size and the tile positions ξ (one GEMM each). */
const M = 4, BLOCKS = 36;

/** Tiles of 4x4 outputs and the padded planes covering every tile's 6x6 patch. */
function tiling(outH: number, outW: number) {
  const tH = Math.ceil(outH / M), tW = Math.ceil(outW / M);
  return { tH, tW, T: tH * tW, hp: M * tH + 2, wp: M * tW + 2 };
}

/**
 * y [n][O][outH][outW] = conv of src [n][C][h][w] (zero padding pt, pl at the top/left) with the
 * filters given by winoWeights' arguments (o, i strides so/si in filters of w; flip: rotated),
 * plus bias. Per tile position ξ the GEMM is M [O, tiles] = U [O, C] @ V [C, tiles]: U packed
 * once, V's rows written contiguous and read in place. False: not run (or not finite).
 */
function forward(
  src: Float32Array, n: number, C: number, h: number, w: number, pt: number, pl: number,
  wts: Float32Array, O: number, so: number, si: number, flip: number,
  bias: Float32Array | null, y: Float32Array, outH: number, outW: number,
): boolean {
  const B = BLOCKS, { tH, tW, T, hp, wp } = tiling(outH, outW), O4 = (O + 3) & ~3;
  // several images per GEMM when they are small (~144 columns: V and M stay in cache)
  const nb = Math.max(1, Math.min(n, Math.floor(144 / T))), N = nb * T;
  const nx = C * h * w, ny = O * outH * outW, plane = hp * wp, us = blockStride(O4 * C), vs = blockStride(C * N), ms = blockStride(O * N);
  const r = context([nx * 4, C * plane * 4 + SLACK, O * C * 9 * 4, B * us * 4, O * 4, B * vs * 4 + SLACK,
    B * ms * 4 + SLACK, ny * 4, 32 * 4, TMP]);
  if (!r) return false;
  const { c } = r;
  const [xAt, padAt, wAt, uAt, bAt, vAt, mAt, yAt, workAt, tmpAt] = r.at;
  c.f.set(wts.subarray(0, O * C * 9), wAt >> 2);
  if (O4 > O) c.f.fill(0, uAt >> 2, (uAt >> 2) + B * us);
  c.ex.winoWeights(wAt, O, C, so, si, flip, uAt, us, tmpAt);
  if (bias) c.f.set(bias.subarray(0, O), bAt >> 2);
  for (let b0 = 0; b0 < n; b0 += nb) {
    const m = Math.min(nb, n - b0), cols = m * T;
    for (let i = 0; i < m; i++) {
      planes(c, src, b0 + i, C, h, w, xAt, padAt, hp, wp, pt, pl);
      c.ex.winoInput(padAt, C, wp, plane, tH, tW, i * T, cols, vAt, vs, tmpAt);
    }
    for (let k = 0; k < B; k++) c.ex.winoGemm(uAt + k * us * 4, O, C, vAt + k * vs * 4, cols, mAt + k * ms * 4, workAt);
    for (let i = 0; i < m; i++) {
      c.ex.winoOutput(mAt, O, cols, ms, i * T, tH, tW, yAt, outH, outW, bias ? bAt : 0, tmpAt);
      if (!c.ex.allFinite(yAt, ny)) return false;
      y.set(c.f.subarray(yAt >> 2, (yAt >> 2) + ny), (b0 + i) * ny);
    }
  }
  return true;
}

/** y = conv2d(x, w) + bias by Winograd. False: not run. */
export function winogradForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, p: ConvPlan): boolean {
  if (!winogradFits(p)) return false;
  const { s } = p;
  if (!forward(x, s.n, s.c, s.h, s.w, s.padTop, s.padLeft, w, s.oc, s.c, 1, 0, bias, y, p.outH, p.outW)) return false;
  winogradRuns.forward++;
  return true;
}

/** dx = the input gradient of conv2d (overwrites dx): gy convolved with the rotated, transposed filters. False: not run. */
export function winogradBackwardInput(gy: Float32Array, w: Float32Array, dx: Float32Array, p: ConvPlan): boolean {
  if (!winogradFits(p)) return false;
  const { s } = p;
  if (!forward(gy, s.n, s.oc, p.outH, p.outW, 2 - s.padTop, 2 - s.padLeft, w, s.c, 1, s.c, 1, null, dx, s.h, s.w)) return false;
  winogradRuns.input++;
  return true;
}

/**
 * dw = the weight gradient of conv2d (overwrites dw): per tile position ξ, S [C, O] += V [C][tiles]
 * · Z [O][tiles]^T over the tiles of several images at a time (rows padded with zeros to a
 * multiple of 4), then G^T S G. False: not run.
 */
export function winogradBackwardWeight(x: Float32Array, gy: Float32Array, dw: Float32Array, p: ConvPlan): boolean {
  if (!winogradFits(p)) return false;
  const { s, outH, outW } = p, C = s.c, O = s.oc;
  const B = BLOCKS, { tH, tW, T, hp, wp } = tiling(outH, outW);
  // several images per GEMM (~256 tiles deep: V and Z stay in cache)
  const nb = Math.max(1, Math.min(s.n, Math.floor(256 / T))), K = (nb * T + 3) & ~3;
  const nx = C * p.hw, ng = O * p.ohw, plane = hp * wp, gplane = M * M * tH * tW, vs = blockStride(C * K), zs = blockStride(O * K), ss = blockStride(C * O);
  const r = context([nx * 4, C * plane * 4 + SLACK, ng * 4, O * gplane * 4 + SLACK, B * vs * 4, B * zs * 4,
    B * ss * 4, O * C * 9 * 4, TMP]);
  if (!r) return false;
  const { c } = r;
  const [xAt, padAt, gyAt, gpAt, vAt, zAt, sAt, dwAt, tmpAt] = r.at;
  c.f.fill(0, sAt >> 2, (sAt >> 2) + B * ss);
  for (let b0 = 0; b0 < s.n; b0 += nb) {
    const m = Math.min(nb, s.n - b0), k = (m * T + 3) & ~3;
    for (let i = 0; i < m; i++) {
      planes(c, x, b0 + i, C, s.h, s.w, xAt, padAt, hp, wp, s.padTop, s.padLeft);
      c.ex.winoInput(padAt, C, wp, plane, tH, tW, i * T, k, vAt, vs, tmpAt);
      planes(c, gy, b0 + i, O, outH, outW, gyAt, gpAt, M * tH, M * tW, 0, 0);
      c.ex.winoGradTiles(gpAt, O, tH, tW, i * T, k, zAt, zs, tmpAt);
    }
    // the rows' padding to k: zeros on both sides
    if (k > m * T) {
      for (let e = 0; e < B; e++) {
        for (let row = 0; row < C; row++) c.f.fill(0, (vAt >> 2) + e * vs + row * k + m * T, (vAt >> 2) + e * vs + (row + 1) * k);
        for (let row = 0; row < O; row++) c.f.fill(0, (zAt >> 2) + e * zs + row * k + m * T, (zAt >> 2) + e * zs + (row + 1) * k);
      }
    }
    for (let e = 0; e < B; e++) c.ex.winoGemmNT(vAt + e * vs * 4, C, zAt + e * zs * 4, O, k, sAt + e * ss * 4);
  }
  c.ex.winoWeightGrad(sAt, C, O, dwAt, ss);
  if (!c.ex.allFinite(dwAt, O * C * 9)) return false;
  dw.set(c.f.subarray(dwAt >> 2, (dwAt >> 2) + O * C * 9));
  winogradRuns.weight++;
  return true;
}
