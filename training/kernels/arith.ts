import { sigmoid } from '../../lite-runtime/kernels/math-scalar.js';
import { alignedStrides, type NumArray } from '../../lite-runtime/kernels/strided.js';
import { trainingKernels } from './wasm/runtime.js';

/** Binary ops with dedicated loops (no per-element closure): the hot ones of training. */
export const ARITH = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5,
  eq: 6, ne: 7, lt: 8, le: 9, gt: 10, ge: 11,
} as const;
export type ArithOp = keyof typeof ARITH;

/** out[o + j] = a[pa + j*ia] (op) b[pb + j*ib] for j < n. */
function runAny(op: number, a: NumArray, pa: number, ia: number, b: NumArray, pb: number, ib: number, out: NumArray, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case 0: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] + b[pb]; return;
    case 1: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] - b[pb]; return;
    case 2: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] * b[pb]; return;
    case 3: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] / b[pb]; return;
    case 4: for (; o < end; o++, pa += ia, pb += ib) { const x = a[pa], y = b[pb]; out[o] = x > y || x !== x ? x : y; } return;
    case 5: for (; o < end; o++, pa += ia, pb += ib) { const x = a[pa], y = b[pb]; out[o] = x < y || x !== x ? x : y; } return;
    case 6: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] === b[pb] ? 1 : 0; return;
    case 7: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] !== b[pb] ? 1 : 0; return;
    case 8: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] < b[pb] ? 1 : 0; return;
    case 9: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] <= b[pb] ? 1 : 0; return;
    case 10: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] > b[pb] ? 1 : 0; return;
    case 11: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] >= b[pb] ? 1 : 0; return;
  }
}

/**
 * `run`'s add, sub, mul and div on float32 arrays only. `run` sees every element type (int
 * and bool data, comparisons into bytes), and its polymorphic loops cost ~5 ns per element;
 * this copy only ever sees Float32Array and runs at ~1 ns (a [64, 512] bias add: ~150 -> ~35 us).
 */
function runF32(op: number, a: Float32Array, pa: number, ia: number, b: Float32Array, pb: number, ib: number, out: Float32Array, o: number, n: number): void {
  const end = o + n;
  switch (op) {
    case 0: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] + b[pb]; return;
    case 1: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] - b[pb]; return;
    case 2: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] * b[pb]; return;
    case 3: for (; o < end; o++, pa += ia, pb += ib) out[o] = a[pa] / b[pb]; return;
  }
}

/**
 * Broadcasting binary arithmetic/comparison over `shape` (NumPy rules).
 * @example arithBroadcast('add', x, [64, 512], bias, [512], out, [64, 512])
 */
export function arithBroadcast(op: ArithOp, a: NumArray, aShape: readonly number[], b: NumArray, bShape: readonly number[],
  out: NumArray, shape: readonly number[]): void {
  const code = ARITH[op];
  const n = out.length;
  if (n === 0) return;
  const run = code <= 3 && out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array ? runF32 as typeof runAny : runAny;
  if (a.length === n && b.length === n) return run(code, a, 0, 1, b, 0, 1, out, 0, n);
  if (b.length === 1 && a.length === n) return run(code, a, 0, 1, b, 0, 0, out, 0, n);
  if (a.length === 1 && b.length === n) return run(code, a, 0, 0, b, 0, 1, out, 0, n);
  const rank = shape.length;
  const sa = alignedStrides(aShape, shape), sb = alignedStrides(bShape, shape);
  const inner = shape[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let pa = 0, pb = 0;
  for (let o = 0; o < n; o += inner) {
    run(code, a, pa, sa[rank - 1], b, pb, sb[rank - 1], out, o, inner);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      pa += sa[d]; pb += sb[d];
      if (idx[d] < shape[d]) break;
      pa -= sa[d] * shape[d]; pb -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Unary ops with dedicated loops. */
export const UNARY = { neg: 0, abs: 1, relu: 2, exp: 3, log: 4, sqrt: 5, tanh: 6, sigmoid: 7, rsqrt: 8 } as const;
export type UnaryOp = keyof typeof UNARY;

/**
 * out[i] = op(a[i]).
 * @example unaryKernel('relu', x, out)
 */
export function unaryKernel(op: UnaryOp, a: NumArray, out: NumArray): void {
  const n = a.length;
  switch (UNARY[op]) {
    case 0: for (let i = 0; i < n; i++) out[i] = -a[i]; return;
    case 1: for (let i = 0; i < n; i++) out[i] = Math.abs(a[i]); return;
    case 2: return relu(a, out);
    case 3: for (let i = 0; i < n; i++) out[i] = Math.exp(a[i]); return;
    case 4: for (let i = 0; i < n; i++) out[i] = Math.log(a[i]); return;
    case 5: for (let i = 0; i < n; i++) out[i] = Math.sqrt(a[i]); return;
    case 6: for (let i = 0; i < n; i++) out[i] = Math.tanh(a[i]); return;
    case 7: for (let i = 0; i < n; i++) out[i] = sigmoid(a[i]); return;
    case 8: for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(a[i]); return;
  }
}

/** Int32 view of float32/int32 data (the same bits), or null for other arrays. */
function bits(a: NumArray): Int32Array | null {
  if (a instanceof Int32Array) return a;
  return a instanceof Float32Array ? new Int32Array(a.buffer, a.byteOffset, a.length) : null;
}

/**
 * Arrays at least this long go through the training wasm module's SIMD loops (copied in
 * and out: ~0.5 ns per element against ~2-3 for the scalar loops below); shorter ones
 * stay here, where the call's bookkeeping would cost more than it saves.
 */
const WASM_MIN_ELEMENTS = 8192;

/**
 * relu without branches: on float32 (and int32) bits, a set sign bit means
 * negative (or -0, -inf): the result is +0; NaN (of either sign) and +inf pass through.
 */
function relu(a: NumArray, out: NumArray): void {
  const k = a instanceof Float32Array && out instanceof Float32Array && a.length >= WASM_MIN_ELEMENTS ? trainingKernels() : null;
  if (k) {
    try { k.relu(a as Float32Array, out as Float32Array, a.length); return; } catch (e) {
      if (!(e instanceof RangeError)) throw e; // wasm memory exhausted: the loop below needs none
    }
  }
  const ai = bits(a), oi = bits(out);
  if (ai && oi && a instanceof Int32Array && out instanceof Int32Array) {
    for (let i = 0; i < ai.length; i++) { const v = ai[i]; oi[i] = v & ~(v >> 31); }
    return;
  }
  if (ai && oi && a instanceof Float32Array && out instanceof Float32Array) {
    for (let i = 0; i < ai.length; i++) { const v = ai[i]; oi[i] = v & ~((v >> 31) & ~nanMask(v)); }
    return;
  }
  for (let i = 0; i < a.length; i++) { const x = a[i]; out[i] = x > 0 || x !== x ? x : 0; }
}

/** All ones where float32 bits `v` are a NaN of either sign, else 0. */
const nanMask = (v: number): number => (0x7f800000 - (v & 0x7fffffff)) >> 31;

/**
 * Gradient of relu: g where x > 0 (as bits: positive, not ±0) or x is NaN (as torch), else 0;
 * branch-free on float32.
 * @example reluBackward(g, x, out)
 */
export function reluBackward(g: NumArray, x: NumArray, out: NumArray): void {
  const gi = bits(g), xi = bits(x), oi = bits(out);
  if (gi && xi && oi && g instanceof Float32Array && x instanceof Float32Array && out instanceof Float32Array) {
    const k = out.length >= WASM_MIN_ELEMENTS ? trainingKernels() : null;
    if (k) {
      try { k.reluBackward(g, x, out, out.length); return; } catch (e) {
        if (!(e instanceof RangeError)) throw e;
      }
    }
    for (let i = 0; i < oi.length; i++) { const v = xi[i]; oi[i] = gi[i] & (((~v & -v) >> 31) | nanMask(v)); }
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 || x[i] !== x[i] ? g[i] : 0;
}
