/**
 * Int8 convolution kernels with the output requantization fused (TFLite's fp32
 * arithmetic, as XNNPACK computes it): y = clamp(roundHalfEven(f32(f32(acc + bias) * scale[c])),
 * lo - zp, hi - zp) + zp. WebAssembly only: the packing functions return null and the
 * run functions return false where the wasm kernels are not active (or cannot get
 * scratch memory now), and the caller then takes its own TypeScript path.
 * Operands that live in the kernels' wasm memory (an interpreter arena) are read and
 * written in place; others are copied through a scratch area.
 */
import { KernelArgumentError, checkInt8, checkLen } from './errors.js';
import { activeWasm } from './backend.js';
import { convOutputSize, type ConvGeometry, type ResolvedConv } from './im2col.js';
import { Resident, wasmBlockOf, type PackedI8 } from './packed.js';
import { convRqCol, type I8Block } from './wasm/runtime.js';

/** Per-channel requantization of int32 accumulators to int8. */
export interface RequantI8 {
  /** Added to the accumulators (length >= c0 + n), or null. */
  bias: Int32Array | null;
  /** f32(inScale * wScale[c] / outScale) per channel, or one value for all. */
  scale: Float32Array;
  zeroPoint: number;
  /** Output clamp (integers, int8 range or the fused activation's). */
  lo: number;
  hi: number;
}

/** Requantization parameters held in wasm memory by `packRequantI8`. */
export interface PackedRequantI8 {
  readonly n: number;
}

class RequantBlock implements PackedRequantI8 {
  constructor(readonly n: number, readonly data: Resident, readonly zeroPoint: number, readonly lo: number, readonly hi: number) {}
}

/** Depthwise weights held by `packDepthwiseI8`. */
export interface PackedDepthwiseI8 {
  readonly geometry: ResolvedConv;
  readonly oc: number;
}

class DepthwiseBlock implements PackedDepthwiseI8 {
  constructor(readonly geometry: ResolvedConv, readonly oc: number, readonly w: Resident, readonly rq: RequantBlock,
    readonly bias: Int32Array | null, public xZero: number) {}
}

function checkRequant(kernel: string, rq: RequantI8, n: number, c0: number): void {
  if (!(rq.scale.length === 1 || rq.scale.length >= c0 + n)) {
    throw new KernelArgumentError(kernel, `scale needs 1 or ${c0 + n} values, got ${rq.scale.length}`);
  }
  if (rq.bias) checkLen(kernel, 'bias', rq.bias, c0 + n, 'c0+n');
  if (!(Number.isInteger(rq.zeroPoint) && Number.isInteger(rq.lo) && Number.isInteger(rq.hi) && -128 <= rq.lo && rq.lo <= rq.hi && rq.hi <= 127)) {
    throw new KernelArgumentError(kernel, `zeroPoint/lo/hi must be integers with -128 <= lo <= hi <= 127, got ${rq.zeroPoint}/${rq.lo}/${rq.hi}`);
  }
}

/**
 * Holds channels [c0, c0 + n) of a requantization in wasm memory; null without wasm.
 * @example const rq = packRequantI8({ bias, scale, zeroPoint: -3, lo: -128, hi: 127 }, outChannels);
 */
export function packRequantI8(rq: RequantI8, n: number, c0 = 0): PackedRequantI8 | null {
  checkRequant('packRequantI8', rq, n, c0);
  const k = activeWasm();
  if (!k || n <= 0) return null;
  try {
    return new RequantBlock(n, new Resident(k, k.packRequant(rq.bias, rq.scale, n, c0)), rq.zeroPoint, rq.lo, rq.hi);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** Options of `qmatmulI8PackedRequant`: where rows of y start and how far apart they are. */
export interface RequantOutput {
  /** First element of row 0 in y (default 0). */
  yOffset?: number;
  /** Elements between rows of y (default n). */
  yStride?: number;
}

/**
 * y[i, j] = requant(sum_k (a[i,k] - aZero) * w[j,k]) for m rows: weights from `packI8`,
 * requantization from `packRequantI8` (same n). False when it could not run in wasm.
 * @example if (!qmatmulI8PackedRequant(x, zp, w, rq, y, rows)) slowPath();
 */
export function qmatmulI8PackedRequant(a: Int8Array, aZero: number, packed: PackedI8, rq: PackedRequantI8, y: Int8Array,
  m: number, out: RequantOutput = {}): boolean {
  const k = activeWasm();
  const w = wasmBlockOf(packed);
  if (!k || !w || w.owner !== k || !(rq instanceof RequantBlock)) return false;
  const block = rq.data.blockFor(k);
  if (!block) return false;
  const n = packed.n, kk = packed.k, yOff = out.yOffset ?? 0, ldy = out.yStride ?? n;
  if (rq.n !== n) throw new KernelArgumentError('qmatmulI8PackedRequant', `requantization has ${rq.n} channels, weights ${n}`);
  if (!(Number.isInteger(m) && m >= 0)) throw new KernelArgumentError('qmatmulI8PackedRequant', `m must be a non-negative integer, got ${m}`);
  checkInt8('qmatmulI8PackedRequant', 'aZero', aZero);
  checkLen('qmatmulI8PackedRequant', 'a', a, m * kk, 'm*k');
  if (m === 0) return true;
  if (!(ldy >= n && yOff >= 0 && yOff + (m - 1) * ldy + n <= y.length)) {
    throw new KernelArgumentError('qmatmulI8PackedRequant', `y of ${y.length} elements cannot hold ${m} rows of ${n} at offset ${yOff}, stride ${ldy}`);
  }
  return k.qmatmulRq(a, aZero, w.block as I8Block, kk, n, block, rq, y, yOff, m, ldy);
}

/**
 * qmatmulI8PackedRequant of the im2col of x[xOffset..] [h, w, c] (padding aZero), built in
 * wasm memory: y[yOffset..] [outH*outW, n], weights [n, kh*kw*c] from `packI8`. False when it
 * could not run in wasm. With y null it only reserves the scratch it needs (call at prepare).
 * @example if (!convNHWCI8Requant(x, 0, zp, w, rq, y, 0, geometry)) slowPath();
 */
export function convNHWCI8Requant(x: Int8Array, xOffset: number, aZero: number, packed: PackedI8, rq: PackedRequantI8,
  y: Int8Array | null, yOffset: number, geometry: ConvGeometry): boolean {
  const k = activeWasm(), w = wasmBlockOf(packed), g = convOutputSize(geometry, 'convNHWCI8Requant');
  if (!k || !w || w.owner !== k || !(rq instanceof RequantBlock)) return false;
  if (!y) { k.reserve(convRqCol(g)); return false; }
  const block = rq.data.blockFor(k), n = packed.n;
  if (!block) return false;
  if (packed.k !== g.kh * g.kw * g.c || rq.n !== n) throw new KernelArgumentError('convNHWCI8Requant', `weights [${n}, ${packed.k}] and ${rq.n} requantization channels do not fit a ${g.kh}x${g.kw}x${g.c} window`);
  checkInt8('convNHWCI8Requant', 'aZero', aZero);
  if (!(xOffset >= 0 && xOffset + g.h * g.w * g.c <= x.length)) throw new KernelArgumentError('convNHWCI8Requant', `x of ${x.length} elements has no ${g.h}x${g.w}x${g.c} image at ${xOffset}`);
  if (!(yOffset >= 0 && yOffset + g.outH * g.outW * n <= y.length)) throw new KernelArgumentError('convNHWCI8Requant', `y of ${y.length} elements has no ${g.outH}x${g.outW}x${n} output at ${yOffset}`);
  return k.convRq(x, xOffset, aZero, w.block as I8Block, n, block, rq, y, yOffset, g);
}

/**
 * Holds int8 depthwise taps w [kh, kw, oc] and their requantization in wasm memory for
 * `depthwiseNHWCI8Requant`: oc equal to the input's c (multiplier 1) or c = 1. Null
 * without wasm or for other multipliers. `xZero` is the input zero point the calls will
 * mostly pass (folded into the bias once; another one costs a recomputation).
 * @example const p = packDepthwiseI8(filter, g, filter.length / 9, rq, inputZeroPoint);
 */
export function packDepthwiseI8(w: Int8Array, geometry: ConvGeometry, oc: number, rq: RequantI8, xZero = 0): PackedDepthwiseI8 | null {
  const g = convOutputSize(geometry, 'packDepthwiseI8');
  checkLen('packDepthwiseI8', 'w', w, g.kh * g.kw * oc, 'kh*kw*oc');
  checkRequant('packDepthwiseI8', rq, oc, 0);
  const k = activeWasm();
  if (!k || !(oc === g.c || g.c === 1) || oc <= 0) return null;
  let wb: Resident | null = null;
  try {
    checkInt8('packDepthwiseI8', 'xZero', xZero);
    const bias = rq.bias ? rq.bias.slice(0, oc) : null;
    wb = new Resident(k, k.packDepthwise(w, g.kh * g.kw, oc, g.c, bias, xZero));
    const rb = new RequantBlock(oc, new Resident(k, k.packRequant(rq.bias, rq.scale, oc, 0)), rq.zeroPoint, rq.lo, rq.hi);
    return new DepthwiseBlock(g, oc, wb, rb, bias, xZero);
  } catch (e) {
    wb?.free();
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/**
 * y[yOffset..] [outH, outW, oc] = requant(depthwise(x[xOffset..] [h, w, c] - xZero)) with
 * weights from `packDepthwiseI8`. False when it could not run in wasm.
 * @example if (!depthwiseNHWCI8Requant(x, 0, zp, p, y, 0)) slowPath();
 */
export function depthwiseNHWCI8Requant(x: Int8Array, xOffset: number, xZero: number, p: PackedDepthwiseI8,
  y: Int8Array, yOffset: number): boolean {
  const k = activeWasm();
  if (!k || !(p instanceof DepthwiseBlock)) return false;
  const w = p.w.blockFor(k), rq = p.rq.data.blockFor(k);
  if (!w || !rq) return false;
  const g = p.geometry;
  checkInt8('depthwiseNHWCI8Requant', 'xZero', xZero);
  if (!(xOffset >= 0 && xOffset + g.h * g.w * g.c <= x.length)) {
    throw new KernelArgumentError('depthwiseNHWCI8Requant', `x of ${x.length} elements has no ${g.h}x${g.w}x${g.c} image at ${xOffset}`);
  }
  if (!(yOffset >= 0 && yOffset + g.outH * g.outW * p.oc <= y.length)) {
    throw new KernelArgumentError('depthwiseNHWCI8Requant', `y of ${y.length} elements has no ${g.outH}x${g.outW}x${p.oc} output at ${yOffset}`);
  }
  if (xZero !== p.xZero) {
    k.depthwiseZero(w, g.kh * g.kw, p.oc, p.bias, xZero);
    p.xZero = xZero;
  }
  return k.depthwiseRq(x, xOffset, xZero, w, rq, p.rq, y, yOffset, g, p.oc);
}

/** True for handles from `packRequantI8` / `packDepthwiseI8`. */
export function isFused(p: unknown): p is PackedRequantI8 | PackedDepthwiseI8 {
  return p instanceof RequantBlock || p instanceof DepthwiseBlock;
}

/** Bytes of wasm memory a block from `packRequantI8` / `packDepthwiseI8` holds. */
export function fusedBytes(p: PackedRequantI8 | PackedDepthwiseI8 | null): number {
  if (p instanceof RequantBlock) return p.data.bytes;
  if (p instanceof DepthwiseBlock) return p.w.bytes + p.rq.data.bytes;
  return 0;
}

/** Releases what `packRequantI8` / `packDepthwiseI8` hold (also reclaimed when collected). */
export function freeFused(p: PackedRequantI8 | PackedDepthwiseI8 | null): void {
  if (p instanceof RequantBlock) p.data.free();
  else if (p instanceof DepthwiseBlock) { p.w.free(); p.rq.data.free(); }
}
