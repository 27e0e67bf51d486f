/**
 * The training-only WebAssembly module (./src, built by scripts/build-training-wasm.mjs):
 * its own memory, separate from the lite runtime's, holding optimizer state resident
 * (Adam's moments) so an update copies only the parameter and its gradient. Used when
 * the kernels' backend is 'wasm' (see `setKernelBackend`); null otherwise.
 *
 * Growing the memory detaches every view of it: blocks are handed out with an `onMove`
 * callback that receives the new view after a growth (the owner re-points its tensor).
 */
import { kernelBackend } from '../../../lite-runtime/kernels/index.js';
import { WasmHeap } from '../../../lite-runtime/kernels/wasm/heap.js';
import { validateRelaxed } from '../../../lite-runtime/kernels/wasm/runtime.js';
import { TRAINING_WASM, TRAINING_WASM_FMA } from './generated.js';

interface Exports {
  adam(p: number, g: number, m: number, v: number, n: number, b1: number, b2: number, c1: number, c2: number,
    stepSize: number, invBc2Sqrt: number, eps: number, decay: number, l2: number, sign: number): void;
  relu(x: number, y: number, n: number): void;
  reluGrad(g: number, x: number, d: number, n: number): void;
}

/** The convolution pieces of the module (src/conv.ts, src/winograd*.ts; gemm and packB as in lite-runtime's src/gemm.ts). */
export interface ConvExports {
  gemm(a: number, lda: number, transA: number, pb: number, c: number, ldc: number, m: number, k: number, n: number, mc: number, work: number): void;
  packB(b: number, ldb: number, transB: number, k: number, n: number, dst: number): void;
  packRows(src: number, offs: number, k: number, n: number, dst: number, rowLen: number, rowStride: number): void;
  packRowsT(src: number, offs: number, k: number, n: number, dst: number, rowLen: number, rowStride: number): void;
  widen(src: number, dst: number, rows: number, outW: number, wp: number): void;
  compact(c: number, y: number, oc: number, outH: number, outW: number, wp: number, bias: number): void;
  col2im(col: number, dx: number, cg: number, h: number, w: number, kh: number, kw: number, dH: number, dW: number,
    pt: number, pl: number, outH: number, outW: number, x0s: number, x1s: number): void;
  kBlock(): number;
  // Winograd F(4x4, 3x3) (src/winograd.ts transforms, src/winograd-gemm.ts GEMMs and helpers)
  padPlanes(src: number, c: number, h: number, w: number, dst: number, hp: number, wp: number, pt: number, pl: number): void;
  winoWeights(w: number, o: number, i: number, so: number, si: number, flip: number, dst: number, stride: number, tmp: number): void;
  winoInput(x: number, c: number, wp: number, plane: number, tH: number, tW: number, t0: number, n: number, dst: number, stride: number, tmp: number): void;
  winoOutput(m: number, o: number, n: number, stride: number, t0: number, tH: number, tW: number, y: number, outH: number, outW: number, bias: number, tmp: number): void;
  winoGradTiles(g: number, o: number, tH: number, tW: number, t0: number, n: number, dst: number, stride: number, tmp: number): void;
  winoWeightGrad(s: number, i: number, o: number, dw: number, stride: number): void;
  winoGemm(u: number, o: number, c: number, v: number, n: number, m: number, tmp: number): void;
  winoGemmNT(v: number, i: number, z: number, o: number, k: number, s: number): void;
  gemmNTRows(a: number, i: number, lda: number, b: number, offs: number, o: number, k: number, s: number): void;
  allFinite(p: number, n: number): number;
}

/** 2x2 stride-2 max pooling (src/pool.ts), nn-pool.ts's rule. */
export interface PoolExports {
  maxPool2x2(x: number, y: number, planes: number, h: number, w: number, oh: number, ow: number): void;
  maxPool2x2Backward(x: number, gy: number, dx: number, planes: number, h: number, w: number, oh: number, ow: number): void;
}

/** Scalars of one Adam/AdamW update (see src/adam.ts). */
export interface AdamScalars {
  b1: number; b2: number; stepSize: number; invBc2Sqrt: number; eps: number; decay: number; l2: number; sign: number;
}

interface Block { off: number; len: number; onMove: (view: Float32Array) => void }

/** The instantiated module: memory, heap, resident blocks and a scratch area. */
export class TrainingKernels {
  private readonly heap: WasmHeap;
  /** Offsets of views handed out (old, detached views too: the data stays at the offset). */
  private readonly offsets = new WeakMap<Float32Array, number>();
  private readonly blocks = new Set<Block>();
  private scratch = { off: 0, bytes: 0 };
  private buf: ArrayBuffer;
  private growths = 0;
  /** The largest scratch area asked for while the memory was frozen. */
  private wanted = 0;
  /** All of the memory as floats (renewed after a growth). */
  private floats: Float32Array;
  private readonly freed = new FinalizationRegistry<Block>((b) => this.release(b));

  /** The convolution kernels, for training/kernels/nn-conv-wasm.ts (byte offsets into `work`'s memory). */
  readonly conv: ConvExports;
  /** The pooling kernels, for training/kernels/nn-pool.ts. */
  readonly pool: PoolExports;
  /** Floats of the GEMM's work area: MC packed rows of one K block, and a 4x8 edge tile. */
  private readonly gemmWork: number;

  constructor(private readonly ex: Exports, private readonly memory: WebAssembly.Memory) {
    this.conv = ex as unknown as ConvExports;
    this.pool = ex as unknown as PoolExports;
    this.gemmWork = MC * this.conv.kBlock() + 32;
    this.heap = new WasmHeap(memory, 1024);
    this.buf = memory.buffer;
    this.floats = new Float32Array(this.buf);
  }

  /**
   * A zeroed resident block of `len` floats, freed when `owner` is garbage-collected;
   * `onMove(view)` is called with the block's new view whenever the memory grows.
   * Null when the memory cannot grow.
   */
  residentZeros(len: number, owner: object, onMove: (view: Float32Array) => void): Float32Array | null {
    let off: number;
    try { off = this.heap.alloc(len * 4 + 16); } catch (e) {
      if (e instanceof RangeError) return null;
      throw e;
    }
    this.moved();
    const block = { off, len, onMove };
    this.blocks.add(block);
    this.freed.register(owner, block);
    const view = this.view(off, len);
    view.fill(0);
    return view;
  }

  /**
   * Counts the growths of the memory: views taken before a change of it are detached (blocks'
   * owners get new views through `onMove`; views captured elsewhere must be taken again).
   */
  get generation(): number {
    return this.growths;
  }

  /**
   * Runs `fn` with the memory unable to grow (nests), so views of it stay valid throughout:
   * kernels that would need more scratch than there is throw RangeError, and their callers
   * compute in JS. A compiled graph holding resident buffers runs this way.
   */
  frozen<T>(fn: () => T): T {
    this.heap.frozen++;
    try {
      return fn();
    } finally {
      this.heap.frozen--;
    }
  }

  /**
   * Grows the scratch area to what kernels asked for since the last call (see `scratchArea`);
   * true when the memory moved. Call only where no views of the memory are held but by the
   * owners of resident blocks (which get new ones).
   */
  reserve(): boolean {
    if (this.heap.frozen > 0 || this.wanted <= this.scratch.bytes) return false;
    const gen = this.growths;
    try { this.scratchArea(this.wanted, true); } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
    this.wanted = 0;
    return this.growths !== gen;
  }

  /** Whether `a` is a view of this memory (a resident block, or part of one). */
  isResident(a: Float32Array): boolean {
    return this.offsetOf(a) >= 0;
  }

  private release(b: Block): void {
    if (!this.blocks.delete(b)) return;
    this.heap.release(b.off, b.len * 4 + 16);
  }

  private view(off: number, len: number): Float32Array {
    const v = new Float32Array(this.memory.buffer, off, len);
    this.offsets.set(v, off);
    return v;
  }

  /** After an allocation: if the memory grew, hands every block its new view. */
  private moved(): void {
    if (this.memory.buffer === this.buf) return;
    this.growths++;
    this.buf = this.memory.buffer;
    this.floats = new Float32Array(this.buf);
    for (const b of this.blocks) b.onMove(this.view(b.off, b.len));
  }

  /** Byte offset of a view handed out by this module, else -1. */
  private offsetOf(a: Float32Array): number {
    const o = this.offsets.get(a);
    if (o !== undefined) return o;
    return a.buffer === this.buf ? a.byteOffset : -1; // this.buf is current: only this class grows the memory
  }

  /**
   * A scratch area of at least `bytes`. Growing it grows the memory, which detaches every view of
   * it, and callers of kernels hold views of resident blocks (parameters, optimizer state, a
   * compiled graph's buffers) across calls: so while any block exists, or the memory is frozen,
   * the scratch grows only in `reserve`, where no kernel runs (an optimizer step, the end of a
   * compiled run). A kernel that asks for more throws RangeError (its caller computes in JS or in
   * the lite runtime), and `reserve` grows the area to what it asked for.
   */
  private scratchArea(bytes: number, grow = false): number {
    if (this.scratch.bytes >= bytes) return this.scratch.off;
    if (!grow && (this.heap.frozen > 0 || this.blocks.size > 0)) {
      this.wanted = Math.max(this.wanted, bytes);
      throw new RangeError('the training wasm scratch grows only between kernel calls (reserve) while resident blocks exist');
    }
    if (this.scratch.bytes) this.heap.release(this.scratch.off, this.scratch.bytes);
    const size = Math.max(bytes, 1 << 16);
    this.scratch = { off: 0, bytes: 0 };
    this.scratch = { off: this.heap.alloc(size), bytes: size };
    this.moved();
    return this.scratch.off;
  }

  /**
   * One Adam/AdamW update of n floats: reads p, g, m, v and writes the new values to
   * po, mo, vo (each the same array as its input for an update in place). Resident
   * inputs updated in place are used where they lie; the others go through the
   * scratch area. Throws RangeError when the memory cannot grow.
   */
  adam(ins: [Float32Array, Float32Array, Float32Array, Float32Array], outs: [Float32Array, Float32Array, Float32Array], n: number, s: AdamScalars): void {
    const [p, g, m, v] = ins, [po, mo, vo] = outs;
    // operands computed where they lie: resident, and updated in place (or only read: g)
    const rp = po === p ? this.offsetOf(p) : -1, rg = this.offsetOf(g);
    const rm = mo === m ? this.offsetOf(m) : -1, rv = vo === v ? this.offsetOf(v) : -1;
    const span = align16(n * 4);
    const copies = (rp < 0 ? 1 : 0) + (rg < 0 ? 1 : 0) + (rm < 0 ? 1 : 0) + (rv < 0 ? 1 : 0);
    let next = copies ? this.scratchArea(span * copies) : 0;
    const f = this.floats;
    const place = (a: Float32Array, r: number): number => {
      if (r >= 0) return r;
      const o = next, from = this.offsetOf(a);
      next += span;
      // a resident input read from its offset (its view may be detached by a growth just now)
      if (from >= 0) f.copyWithin(o >> 2, from >> 2, (from >> 2) + n);
      else f.set(a.length === n ? a : a.subarray(0, n), o >> 2);
      return o;
    };
    const pp = place(p, rp), pg = place(g, rg), pm = place(m, rm), pv = place(v, rv);
    this.ex.adam(pp, pg, pm, pv, n, s.b1, s.b2, 1 - s.b1, 1 - s.b2, s.stepSize, s.invBc2Sqrt, s.eps, s.decay, s.l2, s.sign);
    // results computed in the scratch area (or from resident inputs of a functional update): copy out
    if (rp < 0) this.copyOut(pp, po, n);
    if (rm < 0) this.copyOut(pm, mo, n);
    if (rv < 0) this.copyOut(pv, vo, n);
  }

  /**
   * The scratch area, at least `bytes` long (byte offset), and views of all of the memory
   * as floats and int32 (valid until the next call that may grow the memory). The area is
   * shared by every kernel of this module: hold nothing in it across calls.
   */
  work(bytes: number): { off: number; f32: Float32Array; i32: Int32Array } {
    const off = this.scratchArea(bytes);
    return { off, f32: this.floats, i32: new Int32Array(this.buf) };
  }

  /**
   * C[m,n] = op(A) @ op(B) (+ bias per column, then relu when asked), A [m,k] ([k,m] when
   * transA), B [k,n] ([n,k] when transB), with the GEMM of lite-runtime's src/gemm.ts (the
   * same sums as its `matmul`; the bias is C's initial value, as its `matmulPacked`). Operands
   * that lie in this memory (resident parameters) are used where they lie, the others go
   * through the scratch area. Throws RangeError when the memory cannot grow.
   */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean,
    bias: Float32Array | null = null, relu = false): void {
    // offsets first: a growth of the memory below detaches the views (the data stays at the offset)
    const ra = this.offsetOf(a), rb = this.offsetOf(b), rc = this.offsetOf(c), rbias = bias ? this.offsetOf(bias) : -1;
    const sizes = [ra < 0 ? m * k : 0, rb < 0 ? k * n : 0, k * ((n + 7) & ~7), rc < 0 ? m * n : 0, this.gemmWork].map((s) => align64(s * 4));
    let at = this.scratchArea(sizes.reduce((x, y) => x + y, 0));
    const [pa, pbRaw, pb, pc, work] = sizes.map((s) => { const o = at; at += s; return o; });
    const f = this.floats;
    if (ra < 0) f.set(a.length === m * k ? a : a.subarray(0, m * k), pa >> 2);
    if (rb < 0) f.set(b.length === k * n ? b : b.subarray(0, k * n), pbRaw >> 2);
    const ca = ra < 0 ? pa : ra, cc = rc < 0 ? pc : rc, c0 = cc >> 2;
    if (!bias) f.fill(0, c0, c0 + m * n);
    else if (rbias >= 0) for (let i = 0; i < m; i++) f.copyWithin(c0 + i * n, rbias >> 2, (rbias >> 2) + n);
    else for (let i = 0; i < m; i++) f.set(bias.length === n ? bias : bias.subarray(0, n), c0 + i * n);
    const ex = this.conv;
    ex.packB(rb < 0 ? pbRaw : rb, transB ? k : n, transB ? 1 : 0, k, n, pb);
    ex.gemm(ca, transA ? m : k, transA ? 1 : 0, pb, cc, n, m, k, n, MC, work);
    if (relu) this.ex.relu(cc, cc, m * n);
    if (rc < 0) c.set(f.subarray(pc >> 2, (pc >> 2) + m * n));
  }

  /** out = relu(x) over n floats (float32 SIMD; the same bits as training/kernels/arith.ts). Throws RangeError when the memory cannot grow. */
  relu(x: Float32Array, out: Float32Array, n: number): void {
    this.map([x], out, n, ([px], pd) => this.ex.relu(px, pd, n));
  }

  /** out = g where x > 0, else 0 (relu's gradient, as `relu`). */
  reluBackward(g: Float32Array, x: Float32Array, out: Float32Array, n: number): void {
    this.map([g, x], out, n, ([pg, px], pd) => this.ex.reluGrad(pg, px, pd, n));
  }

  /**
   * An elementwise kernel over n floats: inputs that are not views of this memory are
   * copied into the scratch area; the result is computed over the first input's copy
   * (or at `out` when `out` is resident) and copied to `out`.
   */
  private map(ins: Float32Array[], out: Float32Array, n: number, run: (ptrs: number[], dst: number) => void): void {
    const span = align16(n * 4);
    // offsets first: a growth of the memory below detaches the views (the data stays at the offset)
    const res = ins.map((a) => this.offsetOf(a)), rout = this.offsetOf(out);
    const copies = res.filter((r) => r < 0).length;
    // a resident input is never overwritten unless it is the output itself
    const ownDst = rout < 0 && res[0] >= 0 ? 1 : 0;
    let next = this.scratchArea(span * Math.max(1, copies + ownDst));
    const f = this.floats;
    const ptrs = ins.map((a, i) => {
      if (res[i] >= 0) return res[i];
      const o = next;
      next += span;
      f.set(a.length === n ? a : a.subarray(0, n), o >> 2);
      return o;
    });
    const dst = rout >= 0 ? rout : ownDst ? next : ptrs[0];
    run(ptrs, dst);
    if (rout < 0) out.set(f.subarray(dst >> 2, (dst >> 2) + n));
  }

  private copyOut(from: number, out: Float32Array, n: number): void {
    const f = this.floats, to = this.offsetOf(out);
    if (to >= 0) f.copyWithin(to >> 2, from >> 2, (from >> 2) + n);
    else out.set(f.subarray(from >> 2, (from >> 2) + n));
  }

}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** GEMM rows packed per block (as the lite runtime's). */
const MC = 64;

let loaded: TrainingKernels | null | undefined;

/**
 * The training module when the kernels' backend is 'wasm' and it loads here, else null.
 * @example const k = trainingKernels(); if (k) k.adam([p, g, m, v], [p, m, v], n, scalars);
 */
export function trainingKernels(): TrainingKernels | null {
  if (kernelBackend() !== 'wasm') return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** The FMA build where the host validates relaxed SIMD (the GEMM's multiply-add fused), else the SIMD128 build. */
function load(): TrainingKernels | null {
  for (const hex of [TRAINING_WASM_FMA, TRAINING_WASM]) {
    try {
      const bytes = new Uint8Array(hex.length >> 1);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
      if (!validateRelaxed(bytes)) continue;
      const memory = new WebAssembly.Memory({ initial: 1 });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      return new TrainingKernels(inst.exports as unknown as Exports, memory);
    } catch {
      continue;
    }
  }
  return null;
}
