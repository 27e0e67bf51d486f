/**
 * The WebAssembly backend: instantiates the kernels module (embedded bytes,
 * compiled lazily, or a module the host imported), owns its memory through a
 * `WasmHeap`, and runs products by copying operands in and results out.
 * Packed weights stay resident in wasm memory.
 */
import { WasmHeap } from './heap.js';
import type { ResolvedConv } from '../im2col.js';
import { KERNELS_FMA_EDITS, KERNELS_SIMD_WASM } from './generated.js';
import { qmatmulI8Js } from '../js/qgemm.js';

/** The module's exports (pointers are byte offsets, sizes in elements). */
interface KernelExports {
  packB(b: number, ldb: number, transB: number, k: number, n: number, dst: number): void;
  gemm(a: number, lda: number, transA: number, pb: number, c: number, ldc: number,
    m: number, k: number, n: number, mc: number, work: number, bias: number, act: number): void;
  gemmRows(a: number, lda: number, pb: number, c: number, ldc: number, m: number, k: number, n: number, work: number, bias: number, act: number): void;
  qgemm(a: number, aZero: number, b: number, bsum: number, acc: number, m: number, kp: number, n: number): void;
  rowSums(b: number, rows: number, kp: number, dst: number): void;
  packPairs(b: number, n: number, kp: number, dst: number): void;
  padRows(src: number, rows: number, k: number, kp: number, fill: number, dst: number): void;
  dwSetGeometry(h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number,
    pt: number, pl: number, dh: number, dw: number, oh: number, ow: number): void;
  dwF32(x: number, w: number, bias: number, y: number, act: number): void;
  im2col(x: number, col: number, es: number, fill: number): void;
  maxPool(x: number, y: number, int8: number, lo: number, hi: number, empty: number): void;
  packedSize(k: number, n: number): number;
  rqSet(rq: number, n8: number, zp: number, lo: number, hi: number): void;
  qgemmRq(a: number, lda: number, aZero: number, b: number, bsum: number, y: number, ldy: number, m: number, kp: number, n: number): void;
  qgemmBc(a: number, lda: number, aZero: number, wpairs: number, bsum: number, y: number, ldy: number, m: number, kp: number, n: number): void;
  dwI8Rq(x: number, xZero: number, w16: number, biasZ: number, wp2: number, zrow: number, y: number, oc: number): void;
  dwPack(w8: number, taps: number, oc: number, n8: number, w16: number, wp2: number, biasZ: number, bias: number, xZero: number): void;
}

/** Output requantization of the fused int8 kernels (channels' bias and scale in a block from packRequant). */
export interface RequantArgs { zeroPoint: number; lo: number; hi: number }

/** Bytes kernels may read past the end of an operand (vector loads of row tails). */
export const OVERREAD = 16;

/** A rows packed per block. */
export const MC = 64;

/** A block of wasm memory: byte offset and size. */
export interface WasmBlock { off: number; bytes: number }

/**
 * Which layouts of int8 weights a block from packI8 holds: 'rows' for the dot-product
 * kernels (qgemm, qgemmRq: one row at a time with long k), 'pairs' for the broadcast
 * kernel (qgemmBc: blocks of rows, or short k), 'both' when the caller cannot tell.
 */
export type I8Layout = 'rows' | 'pairs' | 'both';

/** A block from packI8: absolute byte offsets of its parts (rows and pairs -1 when not held). */
export interface I8Block extends WasmBlock { rows: number; sums: number; pairs: number }

/** One instantiated kernels module with its heap. */
export class WasmKernels {
  readonly heap: WasmHeap;
  private scratch: WasmBlock | null = null;
  /** Scratch size a call wanted while the memory was frozen; reserved at the next freeze. */
  private wantScratch = 0;
  private viewBuf: ArrayBuffer | null = null;
  private u8v = new Uint8Array(0);
  private i8v = new Int8Array(0);
  private i32v = new Int32Array(0);
  private f32v = new Float32Array(0);
  /** Packed-A work area in floats: MC x (the module's K block) plus a 4x8 edge tile. */
  private readonly workFloats: number;

  constructor(readonly exports: KernelExports, readonly memory: WebAssembly.Memory, readonly flavour: string, readonly kb: number) {
    this.heap = new WasmHeap(memory, 65536);
    this.workFloats = MC * kb + 32;
  }

  /** Float32 view of `len` floats at byte offset `off` (valid until the next allocation). */
  f32(off: number, len: number): Float32Array { return new Float32Array(this.memory.buffer, off, len); }
  i8(off: number, len: number): Int8Array { return new Int8Array(this.memory.buffer, off, len); }
  i32(off: number, len: number): Int32Array { return new Int32Array(this.memory.buffer, off, len); }

  /** All of the memory as bytes (a cached view, renewed when the memory grew). */
  bytes(): Uint8Array {
    const buf = this.memory.buffer;
    if (buf !== this.viewBuf) {
      this.viewBuf = buf;
      this.u8v = new Uint8Array(buf);
      this.i8v = new Int8Array(buf);
      this.i32v = new Int32Array(buf);
      this.f32v = new Float32Array(buf);
    }
    return this.u8v;
  }

  /** All of the memory as floats (cached like `bytes`). */
  floats(): Float32Array {
    if (this.memory.buffer !== this.viewBuf) this.bytes();
    return this.f32v;
  }

  /** Copies the first `len` int8 of src to byte offset `off` without allocating. */
  private putI8(off: number, src: Int8Array, len: number): void {
    this.bytes();
    const v = this.i8v;
    if (src.length === len) v.set(src, off);
    else for (let i = 0; i < len; i++) v[off + i] = src[i]!;
  }

  /** The bias row the GEMM starts from at byte offset `off`: `bias`, or n zeros. */
  private putBias(off: number, bias: Float32Array | null, n: number): void {
    if (bias) this.putF32(off, bias, n);
    else this.floats().fill(0, off >> 2, (off >> 2) + n);
  }

  /** Copies the first `len` floats of src to byte offset `off` without allocating. */
  private putF32(off: number, src: Float32Array, len: number): void {
    const f = this.floats(), o = off >> 2;
    if (src.length === len) f.set(src, o);
    else for (let i = 0; i < len; i++) f[o + i] = src[i]!;
  }

  /** Byte offset of `a` when it lives in this memory with `OVERREAD` readable bytes after it, else -1. */
  resident(a: Int8Array | Int32Array | Float32Array): number {
    const buf = this.memory.buffer;
    return a.buffer === buf && a.byteOffset + a.byteLength + OVERREAD <= buf.byteLength ? a.byteOffset : -1;
  }

  /**
   * No growth until the matching `thaw` (views of the memory are in use); first reserves
   * the scratch that calls wanted while frozen before. Nests.
   */
  freeze(): void {
    if (this.heap.frozen === 0 && this.wantScratch > 0) {
      const want = this.wantScratch;
      this.wantScratch = 0;
      try { this.scratchArea(want); } catch (e) { if (!(e instanceof RangeError)) throw e; }
    }
    this.heap.frozen++;
  }

  thaw(): void {
    if (this.heap.frozen > 0) this.heap.frozen--;
  }

  /** A reusable scratch area of at least `bytes`; the heap may grow (throws RangeError when it cannot). */
  scratchArea(bytes: number): number {
    if (this.scratch && this.scratch.bytes >= bytes) return this.scratch.off;
    if (this.heap.frozen > 0) {
      // keep the current area; reserve the larger one at the next freeze
      this.wantScratch = Math.max(this.wantScratch, bytes);
      throw new RangeError('wasm scratch cannot grow while the memory is frozen');
    }
    if (this.scratch) this.heap.release(this.scratch.off, this.scratch.bytes);
    this.scratch = null;
    const size = Math.max(bytes, 1 << 16);
    this.scratch = { off: this.heap.alloc(size), bytes: size };
    return this.scratch.off;
  }

  /**
   * A resident block of the fused kernels' requantization: bias int32 then scale
   * float32, each n8 = roundup(n, 8) long, channels [c0, c0 + n) of the given arrays
   * (scale of length 1: per tensor).
   */
  packRequant(bias: Int32Array | null, scale: Float32Array, n: number, c0: number): WasmBlock {
    const n8 = pad8(n), bytes = n8 * 8;
    const block = { off: this.heap.alloc(bytes), bytes };
    const mem = this.bytes();
    const bi = new Int32Array(mem.buffer, block.off, n8), sc = new Float32Array(mem.buffer, block.off + n8 * 4, n8);
    bi.fill(0);
    sc.fill(0);
    if (bias) bi.set(bias.subarray(c0, c0 + n));
    if (scale.length === 1) sc.fill(scale[0]!, 0, n);
    else sc.set(scale.subarray(c0, c0 + n));
    return block;
  }

  /**
   * Depthwise taps [taps][oc] (int8) widened into a resident block of int16 [taps][n8]
   * (n8 = roundup(oc, 8)), followed at `dwBiasAt` by int32 [n8] bias - xZero * (sum of taps),
   * then by the taps in pairs, int16 [ceil(taps / 2)][n8][2] (tap 2p and 2p + 1 of a channel side by side),
   * then at `dwZeroRowAt` a row of c (+16) bytes of xZero that padding taps read.
   */
  packDepthwise(w: Int8Array, taps: number, oc: number, c: number, bias: Int32Array | null, xZero: number): WasmBlock {
    const n8 = pad8(oc), biasAt = dwBiasAt(taps, oc), bytes = dwZeroRowAt(taps, oc) + c + OVERREAD;
    const block = { off: this.heap.alloc(bytes), bytes }, wb = align64(taps * oc), tb = wb + oc * 4;
    let tmp = -1;
    try {
      // the int8 taps and the bias in a temporary block, laid out by the kernel
      tmp = this.heap.alloc(tb);
      this.i8(tmp, taps * oc).set(w.subarray(0, taps * oc));
      if (bias) this.i32(tmp + wb, oc).set(bias.subarray(0, oc));
      this.exports.dwPack(tmp, taps, oc, n8, block.off, block.off + biasAt + n8 * 4, block.off + biasAt, bias ? tmp + wb : 0, xZero);
    } catch (e) {
      this.heap.release(block.off, bytes);
      throw e;
    } finally {
      if (tmp >= 0) this.heap.release(tmp, tb);
    }
    this.bytes().fill(xZero & 255, block.off + dwZeroRowAt(taps, oc), block.off + bytes);
    return block;
  }

  /** Rewrites the bias - xZero * (sum of taps) and the row of xZero of a block from packDepthwise for another xZero. */
  depthwiseZero(block: WasmBlock, taps: number, oc: number, bias: Int32Array | null, xZero: number): void {
    this.bytes().fill(xZero & 255, block.off + dwZeroRowAt(taps, oc), block.off + block.bytes);
    const n8 = pad8(oc), buf = this.bytes().buffer;
    const v = new Int16Array(buf, block.off, taps * n8), bz = new Int32Array(buf, block.off + dwBiasAt(taps, oc), n8);
    bz.fill(0);
    for (let o = 0; o < oc; o++) {
      let s = 0;
      for (let t = 0; t < taps; t++) s += v[t * n8 + o]!;
      bz[o] = (bias ? bias[o]! : 0) - xZero * s;
    }
  }

  /**
   * y[yOff + i*ldy + j] = requant(sum_k (a[i,k] - aZero) * b[j,k]) for i < m, j < n, with b
   * from packI8 and the requantization block `rq` from packRequant. Reads and writes in
   * place when a and y live in this memory, else through the scratch area (false when
   * that cannot grow now: the caller computes another way).
   */
  qmatmulRq(a: Int8Array, aZero: number, b: I8Block, k: number, n: number, rq: WasmBlock, r: RequantArgs,
    y: Int8Array, yOff: number, m: number, ldy: number): boolean {
    const kp = pad8(k), ySpan = (m - 1) * ldy + n;
    let pa = this.resident(a), py = this.resident(y);
    if (pa < 0 || py < 0) {
      const aBytes = pa < 0 ? align64(m * k + OVERREAD) : 0;
      let base: number;
      try { base = this.scratchArea(aBytes + (py < 0 ? ySpan + OVERREAD : 0)); } catch (e) {
        if (e instanceof RangeError) return false;
        throw e;
      }
      const mem = this.bytes();
      if (pa < 0) { pa = base; mem.set(new Uint8Array(a.buffer, a.byteOffset, m * k), pa); }
      if (py < 0) {
        py = base + aBytes;
        mem.set(new Uint8Array(y.buffer, y.byteOffset + yOff, ySpan), py);
        this.runQgemmRq(pa, k, aZero, b, kp, n, rq, r, py, ldy, m);
        new Uint8Array(y.buffer, y.byteOffset + yOff, ySpan).set(mem.subarray(py, py + ySpan));
        return true;
      }
    }
    this.runQgemmRq(pa, k, aZero, b, kp, n, rq, r, py + yOff, ldy, m);
    return true;
  }

  private runQgemmRq(pa: number, lda: number, aZero: number, b: I8Block, kp: number, n: number, rq: WasmBlock,
    r: RequantArgs, py: number, ldy: number, m: number): void {
    const ex = this.exports;
    ex.rqSet(rq.off, pad8(n), r.zeroPoint, r.lo - r.zeroPoint, r.hi - r.zeroPoint);
    if (b.pairs >= 0 && (m >= 4 || kp <= BC_MAX_K_ONE_ROW || b.rows < 0)) ex.qgemmBc(pa, lda, aZero, b.pairs, b.sums, py, ldy, m, kp, n);
    else ex.qgemmRq(pa, lda, aZero, b.rows, b.sums, py, ldy, m, kp, n);
  }

  /**
   * Int8 convolution of one image with fused requantization: im2col of x[xOff..] [h, w, c]
   * (geometry g, padding aZero) in the scratch area, then the fused GEMM with b from packI8 into
   * y[yOff..] [outH*outW, n]. In place when x and y live in this memory; false when the scratch cannot grow now.
   */
  convRq(x: Int8Array, xOff: number, aZero: number, b: I8Block, n: number, rq: WasmBlock, r: RequantArgs,
    y: Int8Array, yOff: number, g: ResolvedConv): boolean {
    const m = g.outH * g.outW, k = g.kh * g.kw * g.c, nx = g.h * g.w * g.c, ny = m * n;
    let px = this.resident(x);
    const py = this.resident(y), col = convRqCol(g), xBytes = px < 0 ? align64(nx + OVERREAD) : 0;
    let base: number;
    try { base = this.scratchArea(col + xBytes + (py < 0 ? ny + OVERREAD : 0)); } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
    const mem = this.bytes();
    if (px < 0) { px = base + col; mem.set(new Uint8Array(x.buffer, x.byteOffset + xOff, nx), px); } else px += xOff;
    const out = py < 0 ? base + col + xBytes : py + yOff;
    this.setGeometry(g);
    this.exports.im2col(px, base, 1, aZero);
    this.runQgemmRq(base, k, aZero, b, pad8(k), n, rq, r, out, n, m);
    if (py < 0) new Uint8Array(y.buffer, y.byteOffset + yOff, ny).set(mem.subarray(out, out + ny));
    return true;
  }

  /**
   * Int8 depthwise NHWC with fused requantization: x[xOff..] [h, w, c] into y[yOff..]
   * [outH, outW, oc], oc == c or c == 1; w16 from packDepthwise, rq from packRequant.
   * In place when x and y live in this memory; false when the scratch cannot grow now.
   */
  depthwiseRq(x: Int8Array, xOff: number, xZero: number, w16: WasmBlock, rq: WasmBlock, r: RequantArgs,
    y: Int8Array, yOff: number, g: ResolvedConv, oc: number): boolean {
    const nx = g.h * g.w * g.c, ny = g.outH * g.outW * oc;
    let px = this.resident(x), py = this.resident(y);
    if (px >= 0) px += xOff;
    if (py >= 0) py += yOff;
    let copyOut = false;
    if (px < 0 || py < 0) {
      const xBytes = px < 0 ? align64(nx + OVERREAD) : 0;
      let base: number;
      try { base = this.scratchArea(xBytes + (py < 0 ? ny + OVERREAD : 0)); } catch (e) {
        if (e instanceof RangeError) return false;
        throw e;
      }
      const mem = this.bytes();
      if (px < 0) { px = base; mem.set(new Uint8Array(x.buffer, x.byteOffset + xOff, nx), px); }
      if (py < 0) { py = base + xBytes; copyOut = true; }
    }
    this.setGeometry(g);
    this.exports.rqSet(rq.off, pad8(oc), r.zeroPoint, r.lo - r.zeroPoint, r.hi - r.zeroPoint);
    const taps = g.kh * g.kw, biasAt = dwBiasAt(taps, oc);
    this.exports.dwI8Rq(px, xZero, w16.off, w16.off + biasAt, w16.off + biasAt + pad8(oc) * 4, w16.off + dwZeroRowAt(taps, oc), py, oc);
    if (copyOut) new Uint8Array(y.buffer, y.byteOffset + yOff, ny).set(this.bytes().subarray(py, py + ny));
    return true;
  }

  /** C = op(A) @ op(B) (+C): operands read and written in place when they live in this memory, else copied; B packed. */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean): void {
    const n8 = (n + 7) & ~7, ra = this.resident(a), rb = this.resident(b), rc = this.resident(c);
    const sizes = [ra < 0 ? m * k : 0, rb < 0 ? k * n : 0, k * n8, rc < 0 ? m * n : 0, this.workFloats].map((s) => align64(s * 4));
    const [pa0, pb0, pb, pc0, work] = offsets(this.scratchArea(sizes.reduce((x, y) => x + y, 0)), sizes);
    const pa = ra < 0 ? pa0! : ra, pbRaw = rb < 0 ? pb0! : rb, pc = rc < 0 ? pc0! : rc;
    if (ra < 0) this.f32(pa, m * k).set(a.subarray(0, m * k));
    if (rb < 0) this.f32(pbRaw, k * n).set(b.subarray(0, k * n));
    const cv = this.f32(pc, m * n);
    if (!accumulate) cv.fill(0);
    else if (rc < 0) cv.set(c.subarray(0, m * n));
    const ex = this.exports;
    ex.packB(pbRaw, transB ? k : n, transB ? 1 : 0, k, n, pb!);
    ex.gemm(pa, transA ? m : k, transA ? 1 : 0, pb!, pc, n, m, k, n, MC, work!, 0, 0);
    if (rc < 0) c.set(this.f32(pc, m * n));
  }

  /** Reserves a scratch area of `bytes` while growth is allowed (at prepare: a run cannot grow the memory). */
  reserve(bytes: number): void {
    if (this.heap.frozen > 0) return;
    try { this.scratchArea(bytes); } catch (e) { if (!(e instanceof RangeError)) throw e; }
  }

  /** Reserves the scratch of a one-row product with a packed [k, n] matrix (the batch-1 path). */
  private reserveRows(k: number, n: number, elem: number, extra: number): void {
    this.reserve(align64(k * elem + OVERREAD) + align64(n * 4) * 2 + extra);
  }

  /** Packs B into a resident block (the raw copy goes in a temporary block, not the scratch area). */
  packB(b: Float32Array, k: number, n: number, transB: boolean): WasmBlock {
    const bytes = this.exports.packedSize(k, n) * 4;
    const block = { off: this.heap.alloc(bytes), bytes };
    let raw = -1;
    try {
      raw = this.heap.alloc(k * n * 4);
      this.f32(raw, k * n).set(b.subarray(0, k * n));
      this.exports.packB(raw, transB ? k : n, transB ? 1 : 0, k, n, block.off);
    } catch (e) {
      this.heap.release(block.off, block.bytes);
      throw e;
    } finally {
      if (raw >= 0) this.heap.release(raw, k * n * 4);
    }
    this.reserveRows(k, n, 4, this.workFloats * 4);
    return block;
  }

  /**
   * C = act(A @ packed + bias); act 0 none, 1 relu, 2 relu6. When the scratch area cannot
   * be had (memory frozen or exhausted) it computes in JS from the packed panels.
   */
  matmulPacked(a: Float32Array, packed: WasmBlock, c: Float32Array, m: number, k: number, n: number,
    bias: Float32Array | null, act: number): void {
    const ra = this.resident(a), rc = this.resident(c);
    const sizes = [ra < 0 ? m * k : 0, rc < 0 ? m * n : 0, n, this.workFloats].map((s) => align64(s * 4));
    let base: number;
    try { base = this.scratchArea(sizes.reduce((x, y) => x + y, 0)); } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.matmulPanelsJs(a, packed, c, m, k, n, bias, act);
      return;
    }
    let [pa, pc, pbias, work] = offsets(base, sizes) as [number, number, number, number];
    if (ra >= 0) pa = ra;
    else this.putF32(pa, a, m * k);
    if (rc >= 0) pc = rc;
    this.putBias(pbias, bias, n);
    this.exports.gemm(pa, k, 0, packed.off, pc, n, m, k, n, MC, work, pbias, act);
    if (rc < 0) {
      const f = this.floats(), o = pc >> 2;
      for (let i = 0; i < m * n; i++) c[i] = f[o + i]!;
    }
  }

  /** matmulPacked in JS, reading B from its K-block x 8 panels (see packB in src/gemm.ts). */
  private matmulPanelsJs(a: Float32Array, packed: WasmBlock, c: Float32Array, m: number, k: number, n: number,
    bias: Float32Array | null, act: number): void {
    const n8 = pad8(n), b = this.f32(packed.off, k * n8);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = bias ? bias[j]! : 0;
        for (let p0 = 0; p0 < k; p0 += this.kb) {
          const kc = Math.min(this.kb, k - p0), base = p0 * n8 + (j >> 3) * kc * 8 + (j & 7);
          for (let p = 0; p < kc; p++) s += a[i * k + p0 + p]! * b[base + p * 8]!;
        }
        c[i * n + j] = act === 1 ? Math.max(s, 0) : act === 2 ? Math.min(Math.max(s, 0), 6) : s;
      }
    }
  }

  /**
   * Max pooling NHWC of one image (float32 or int8) with the window geometry g (kh x kw,
   * strides, padding), clamped to [lo, hi]. In place when x and y live in this memory;
   * false when the scratch area cannot be had now.
   */
  maxPool(x: Float32Array | Int8Array, xOff: number, y: Float32Array | Int8Array, yOff: number, g: ResolvedConv,
    lo: number, hi: number): boolean {
    const es = x.BYTES_PER_ELEMENT, nx = g.h * g.w * g.c, ny = g.outH * g.outW * g.c;
    let px = this.resident(x), py = this.resident(y);
    if (px >= 0) px += xOff * es;
    if (py >= 0) py += yOff * es;
    const copyOut = py < 0;
    if (px < 0 || py < 0) {
      const xBytes = px < 0 ? align64(nx * es + OVERREAD) : 0;
      let base: number;
      try { base = this.scratchArea(xBytes + (py < 0 ? ny * es + OVERREAD : 0)); } catch (e) {
        if (e instanceof RangeError) return false;
        throw e;
      }
      if (px < 0) { px = base; this.bytes().set(new Uint8Array(x.buffer, x.byteOffset + xOff * es, nx * es), px); }
      if (py < 0) py = base + xBytes;
    }
    this.setGeometry(g);
    this.exports.maxPool(px, py, es === 1 ? 1 : 0, lo, hi, lo > 0 ? lo : hi < 0 ? hi : 0);
    if (copyOut) new Uint8Array(y.buffer, y.byteOffset + yOff * es, ny * es).set(this.bytes().subarray(py, py + ny * es));
    return true;
  }

  /** Scratch parts of convPacked: copied x, im2col, copied y, bias, GEMM work (bytes). */
  private convSizes(g: ResolvedConv, n: number, xIn: boolean, yIn: boolean): number[] {
    const m = g.outH * g.outW;
    return [xIn ? 0 : g.h * g.w * g.c, m * g.kh * g.kw * g.c + OVERREAD / 4, yIn ? 0 : m * n, n, this.workFloats].map((v) => align64(v * 4));
  }

  /** Reserves the scratch convPacked needs with x and y in place (at prepare, while growth is allowed). */
  reserveConv(g: ResolvedConv, n: number): void {
    this.reserve(this.convSizes(g, n, true, true).reduce((a, b) => a + b, 0));
  }

  /**
   * Float NHWC convolution of one image through im2col (in wasm, into the scratch area)
   * and the packed GEMM: y[yOff..] [outH*outW, n] = act(col @ packed + bias), x[xOff..]
   * [h, w, c], packed [kh*kw*c, n]. In place when x and y live in this memory; false
   * when the scratch area cannot be had now (the caller computes another way).
   */
  convPacked(x: Float32Array, xOff: number, packed: WasmBlock, n: number, y: Float32Array, yOff: number,
    g: ResolvedConv, bias: Float32Array | null, act: number): boolean {
    const m = g.outH * g.outW, k = g.kh * g.kw * g.c, nx = g.h * g.w * g.c;
    let rx = this.resident(x), ry = this.resident(y);
    if (rx >= 0) rx += xOff * 4;
    if (ry >= 0) ry += yOff * 4;
    const sizes = this.convSizes(g, n, rx >= 0, ry >= 0);
    let base: number;
    try { base = this.scratchArea(sizes.reduce((a, b) => a + b, 0)); } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
    const [px0, pcol, py0, pbias, work] = offsets(base, sizes) as [number, number, number, number, number];
    const f = this.floats();
    let px = rx, py = ry;
    if (px < 0) { px = px0; for (let i = 0; i < nx; i++) f[(px >> 2) + i] = x[xOff + i]!; }
    if (py < 0) py = py0;
    this.putBias(pbias, bias, n);
    const ex = this.exports;
    this.setGeometry(g);
    ex.im2col(px, pcol, 4, 0);
    // short rows (k within one K block) are read in place; longer ones are packed per block
    if (k <= this.kb) ex.gemmRows(pcol, k, packed.off, py, n, m, k, n, work, pbias, act);
    else ex.gemm(pcol, k, 0, packed.off, py, n, m, k, n, MC, work, pbias, act);
    if (ry < 0) { const o = py >> 2, f2 = this.floats(); for (let i = 0; i < m * n; i++) y[yOff + i] = f2[o + i]!; }
    return true;
  }

  /**
   * Copies int8 weights [n, k] into a resident block holding what `layout` names:
   * the rows padded to a multiple of 8 with zeros ('rows'), the n row sums (int32,
   * always), and the same weights in pairs for qgemmBc, [ceil(n/8)][kp/2][8][2] int8
   * (w[j,2q], w[j,2q+1]) ('pairs'). One layout holds the weights once.
   */
  packI8(b: Int8Array, n: number, k: number, layout: I8Layout = 'both'): I8Block {
    const kp = pad8(k), hasRows = layout !== 'pairs', hasPairs = layout !== 'rows';
    const rowsBytes = hasRows ? align64(n * kp) : 0, sumsBytes = align64(n * 4);
    const bytes = rowsBytes + sumsBytes + (hasPairs ? pad8(n) * kp : 0);
    const off = this.heap.alloc(bytes);
    const block: I8Block = { off, bytes, rows: hasRows ? off : -1, sums: off + rowsBytes, pairs: hasPairs ? off + rowsBytes + sumsBytes : -1 };
    let raw = -1, tmp = -1;
    try {
      // the padded rows: in the block, or in a temporary block when only pairs are kept
      if (!hasRows) tmp = this.heap.alloc(n * kp);
      const rows = hasRows ? off : tmp;
      if (kp === k) {
        this.i8(rows, n * k).set(b.subarray(0, n * k));
      } else {
        raw = this.heap.alloc(n * k);
        this.i8(raw, n * k).set(b.subarray(0, n * k));
        this.exports.padRows(raw, n, k, kp, 0, rows);
      }
      this.exports.rowSums(rows, n, kp, block.sums);
      if (hasPairs) this.exports.packPairs(rows, n, kp, block.pairs);
    } catch (e) {
      this.heap.release(off, bytes);
      throw e;
    } finally {
      if (raw >= 0) this.heap.release(raw, n * k);
      if (tmp >= 0) this.heap.release(tmp, n * kp);
    }
    this.reserveRows(kp, n, 1, 0);
    return block;
  }

  /** acc = (a - aZero) @ b^T; b given as an array or a block from packI8. k > 0. */
  qmatmul(a: Int8Array, aZero: number, b: Int8Array | I8Block, acc: Int32Array, m: number, k: number, n: number): void {
    const kp = pad8(k), padded = kp !== k, resident = !(b instanceof Int8Array);
    if (resident && b.rows < 0) {
      // pairs only (weights packed for the fused broadcast kernel): JS over the pairs
      qmatmulPairsJs(a, aZero, this.i8(b.pairs, pad8(n) * kp), acc, m, k, n, kp);
      return;
    }
    const ra = this.resident(a), racc = this.resident(acc);
    const sizes = [ra >= 0 ? 0 : m * k, padded ? m * kp : 0, resident ? 0 : n * k, resident || !padded ? 0 : n * kp,
      resident ? 0 : n * 4, racc >= 0 ? 0 : m * n * 4].map(align64);
    let base: number;
    try { base = this.scratchArea(sizes.reduce((x, y) => x + y, 0)); } catch (e) {
      if (!(e instanceof RangeError) || !resident) throw e;
      // no scratch now (memory frozen or exhausted): JS over the resident rows
      const bb = b as I8Block;
      if (bb.rows >= 0) qmatmulI8Js(a, aZero, this.i8(bb.rows, n * kp), acc, m, k, n, kp);
      else qmatmulPairsJs(a, aZero, this.i8(bb.pairs, pad8(n) * kp), acc, m, k, n, kp);
      return;
    }
    const [paRaw, paPad, pbRaw, pbPad, pbSum, pacc] = offsets(base, sizes) as [number, number, number, number, number, number];
    const ex = this.exports;
    let pa = paRaw;
    if (ra >= 0 && !padded) pa = ra;
    else {
      if (ra >= 0) pa = ra;
      else this.putI8(paRaw, a, m * k);
      if (padded) { ex.padRows(pa, m, k, kp, aZero, paPad); pa = paPad; }
    }
    let pb: number, bsum: number;
    if (b instanceof Int8Array) {
      this.putI8(pbRaw, b, n * k);
      pb = pbRaw;
      if (padded) { ex.padRows(pbRaw, n, k, kp, 0, pbPad); pb = pbPad; }
      ex.rowSums(pb, n, kp, pbSum);
      bsum = pbSum;
    } else {
      pb = b.rows;
      bsum = b.sums;
    }
    ex.qgemm(pa, aZero, pb, bsum, racc >= 0 ? racc : pacc, m, kp, n);
    if (racc < 0) {
      this.bytes();
      const v = this.i32v, o = pacc >> 2;
      for (let i = 0; i < m * n; i++) acc[i] = v[o + i]!;
    }
  }

  /** Float depthwise NHWC into y (exactly outH*outW*c long); act 0 none, 1 relu, 2 relu6. In place when x and y live in this memory. */
  depthwise(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: ResolvedConv, act: number): void {
    const nx = g.h * g.w * g.c, nw = g.kh * g.kw * g.c;
    let px = this.resident(x), py = this.resident(y);
    const sizes = [px < 0 ? nx : 0, nw, g.c, py < 0 ? y.length : 0].map((s) => align64(s * 4));
    const [ax, pw, pbias, ay] = offsets(this.scratchArea(sizes.reduce((p, q) => p + q, 0)), sizes) as [number, number, number, number];
    if (px < 0) this.f32(px = ax, nx).set(x.subarray(0, nx));
    this.f32(pw, nw).set(w.subarray(0, nw));
    if (bias) this.f32(pbias, g.c).set(bias.subarray(0, g.c));
    this.setGeometry(g);
    this.exports.dwF32(px, pw, bias ? pbias : 0, py < 0 ? ay : py, act);
    if (py < 0) y.set(this.f32(ay, y.length));
  }

  private setGeometry(g: ResolvedConv): void {
    this.exports.dwSetGeometry(g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft,
      g.dilationH, g.dilationW, g.outH, g.outW);
  }
}

/** Scratch bytes of convRq's im2col (x and y in place). */
export function convRqCol(g: ResolvedConv): number {
  return align64(g.outH * g.outW * g.kh * g.kw * g.c + OVERREAD);
}

/** Byte offset of the zero-point-folded bias in a depthwise block (after the int16 taps). */
function dwBiasAt(taps: number, oc: number): number {
  return Math.ceil((taps * pad8(oc) * 2) / 16) * 16;
}

/**
 * The fused int8 GEMM takes the broadcast kernel (no horizontal sums) for blocks of rows
 * or small k, and the dot-product kernel for single rows with long k (FULLY_CONNECTED at
 * batch 1), where it does fewer operations per multiply. Measured on MobileNet-style 1x1
 * convolutions: broadcast 1.5-2x faster at k = 8..256.
 */
export const BC_MAX_K_ONE_ROW = 64;

/** acc[m, n] = sum_k (a[i,k] - aZero) * w[j,k], w in pairs as packI8 lays them out (kp = k padded to 8). */
function qmatmulPairsJs(a: Int8Array, aZero: number, w: Int8Array, acc: Int32Array, m: number, k: number, n: number, kp: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const base = (j >> 3) * 8 * kp + (j & 7) * 2;
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[i * k + p]! - aZero) * w[base + (p >> 1) * 16 + (p & 1)]!;
      acc[i * n + j] = s;
    }
  }
}

/** Byte offset of the row of xZero in a depthwise block (after the paired taps). */
function dwZeroRowAt(taps: number, oc: number): number {
  return dwBiasAt(taps, oc) + pad8(oc) * 4 + ((taps + 1) >> 1) * pad8(oc) * 4;
}

/** k rounded up to a multiple of 8. */
function pad8(k: number): number {
  return Math.ceil(k / 8) * 8;
}

/** Bytes rounded up to 64 (arithmetic, not bitwise: sizes may exceed 2^31). */
function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

function offsets(base: number, sizes: number[]): number[] {
  const out: number[] = [];
  let o = base;
  for (const s of sizes) { out.push(o); o += s; }
  return out;
}

/** Bytes of a hex string (lower case). */
function hexBytes(s: string): Uint8Array<ArrayBuffer> {
  // Node's native decoder where there is one (a JS loop costs a few ms of a cold start)
  const B = (globalThis as { Buffer?: { from(s: string, enc: 'hex'): Uint8Array<ArrayBuffer> } }).Buffer;
  if (B) return B.from(s, 'hex');
  const out = new Uint8Array(s.length >> 1);
  // '0'-'9' -> 0-9 (c & 15), 'a'-'f' -> 10-15 (c & 15 plus 9)
  const v = (c: number): number => (c & 15) + (c >> 6) * 9;
  for (let i = 0; i < out.length; i++) out[i] = (v(s.charCodeAt(2 * i)) << 4) | v(s.charCodeAt(2 * i + 1));
  return out;
}

/**
 * The embedded kernels module of a flavour: the SIMD128 build, or the relaxed-SIMD (FMA)
 * build rebuilt from its byte edits of the SIMD one (records of LEB128 kept, dropped and
 * inserted counts, then the inserted bytes; written by scripts/build-wasm.mjs).
 * @example WebAssembly.validate(embeddedWasm('fma'))
 */
export function embeddedWasm(flavour: 'simd' | 'fma', base = hexBytes(KERNELS_SIMD_WASM)): Uint8Array<ArrayBuffer> {
  if (flavour === 'simd') return base;
  const e = hexBytes(KERNELS_FMA_EDITS), out = new Uint8Array(base.length + e.length);
  let p = 0, at = 0, o = 0;
  const num = (): number => { let n = 0, sh = 0, b: number; do { b = e[at++]!; n += (b & 127) * 2 ** sh; sh += 7; } while (b & 128); return n; };
  while (at < e.length) {
    const keep = num(), drop = num(), ins = num();
    out.set(base.subarray(p, p + keep), o);
    o += keep;
    p += keep + drop;
    out.set(e.subarray(at, at + ins), o);
    o += ins;
    at += ins;
  }
  return out.slice(0, o);
}

/**
 * WebAssembly.validate, turning on relaxed SIMD first where a module needs it and the host is
 * Node 20, which keeps this standard feature (on by default in Node 22+ and Chrome 114+) behind
 * a V8 flag. Elsewhere nothing changes: a host without it loads the SIMD128 build.
 */
export function validateRelaxed(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (WebAssembly.validate(bytes)) return true;
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.versions?.node?.startsWith('20.')) return false;
  const v8 = proc.getBuiltinModule?.('node:v8') as { setFlagsFromString(flag: string): void } | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

/** Instantiates a kernels module; null when this host cannot. */
export function instantiate(module: WebAssembly.Module, flavour: string): WasmKernels | null {
  try {
    const memory = new WebAssembly.Memory({ initial: 2 });
    const inst = new WebAssembly.Instance(module, { env: { memory } });
    const kb = (inst.exports.KB as WebAssembly.Global).value as number;
    return new WasmKernels(inst.exports as unknown as KernelExports, memory, flavour, kb);
  } catch {
    return null;
  }
}

/**
 * Compiles the embedded module synchronously: the FMA build where the host
 * validates relaxed SIMD, else the SIMD128 build; null where WebAssembly (or
 * compiling from bytes, as in workers) is unavailable.
 */
export function loadEmbedded(): WasmKernels | null {
  if (typeof WebAssembly !== 'object') return null;
  const base = hexBytes(KERNELS_SIMD_WASM); // decoded once for both builds (load time)
  for (const flavour of ['fma', 'simd'] as const) {
    try {
      const bytes = embeddedWasm(flavour, base);
      if (!validateRelaxed(bytes)) continue;
      const k = instantiate(new WebAssembly.Module(bytes), flavour);
      if (k) return k;
    } catch {
      // Compiling from bytes refused (workers) or failed: try the next build, then fall back to JS.
    }
  }
  return null;
}
