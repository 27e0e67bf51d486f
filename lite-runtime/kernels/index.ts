/**
 * Numeric kernels shared by the training framework (eager ops, NCHW) and the
 * lite runtime (TFLite ops, NHWC, int8). All synchronous, on plain typed-array
 * views (use `subarray` for offsets). Two backends: WebAssembly SIMD (built
 * from ./wasm/src, embedded in ./wasm/generated.ts, compiled lazily on first
 * use) and a plain TypeScript fallback; `kernelBackend()` says which is active.
 *
 * @example
 * import { matmul, packB, matmulPacked } from './kernels/index.js';
 * matmul(a, b, c, 2, 3, 4);                    // c[2,4] = a[2,3] @ b[3,4]
 * const w = packB(weights, 784, 128, true);    // weights stored [128, 784]
 * matmulPacked(x, w, y, batch, bias, 'relu');  // y = relu(x @ weights^T + bias)
 */
import { KernelArgumentError, checkDim, checkInt8, checkLen } from './errors.js';
import { matmulJs, packBJs, gemmPackedJs } from './js/gemm.js';
import { qmatmulI8Js } from './js/qgemm.js';
import { activeWasm } from './backend.js';
import { Packed, asPacked, type PackedMatrix, type PackedI8 } from './packed.js';
import { actCode, applyActJs, type Activation } from './act.js';
import { BC_MAX_K_ONE_ROW, type I8Block, type I8Layout } from './wasm/runtime.js';

export { KernelArgumentError } from './errors.js';
export { kernelBackend, setKernelBackend, initKernels, wasmFlavour, type KernelBackend } from './backend.js';
export type { PackedMatrix, PackedI8 } from './packed.js';
export type { Activation } from './act.js';
export type { I8Layout } from './wasm/runtime.js';
export { depthwiseNHWC, type DepthwiseOptions } from './depthwise.js';
export {
  packRequantI8, qmatmulI8PackedRequant, convNHWCI8Requant, packDepthwiseI8, depthwiseNHWCI8Requant, freeFused,
  type RequantI8, type PackedRequantI8, type PackedDepthwiseI8, type RequantOutput,
} from './qfused.js';
export { kernelMemory, type KernelMemory } from './memory.js';
export { convNHWCPacked, reserveConvNHWCPacked, type ConvImageOffsets } from './conv-packed.js';
export { maxPoolNHWC, type MaxPoolOptions } from './maxpool.js';
export { handleBytes, releaseHandles } from './release.js';
export {
  im2colNHWC, convOutputSize,
  type ConvGeometry, type ResolvedConv, type Im2colNHWCOptions,
} from './im2col.js';

/** Options of `matmul`. */
export interface MatmulOptions {
  /** A is given as [k, m]. */
  transA?: boolean;
  /** B is given as [n, k]. */
  transB?: boolean;
  /** C += A @ B instead of C = A @ B. */
  accumulate?: boolean;
}

/**
 * C[m,n] = op(A) @ op(B) (+ C when `accumulate`). A is [m,k] ([k,m] when
 * `transA`), B is [k,n] ([n,k] when `transB`), all row-major; c must not
 * overlap a or b.
 * @example matmul(a, b, c, 2, 3, 4); // c = a[2,3] @ b[3,4]
 */
export function matmul(
  a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, opts: MatmulOptions = {},
): void {
  checkMatmul('matmul', a, b, c, m, k, n);
  const transA = !!opts.transA, transB = !!opts.transB, accumulate = !!opts.accumulate;
  const w = activeWasm();
  if (w && m > 0 && n > 0 && k > 0) {
    try {
      w.matmul(a, b, c, m, k, n, transA, transB, accumulate);
      return;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // wasm memory exhausted: the JS path needs none
    }
  }
  matmulJs(a, b, c, m, k, n, transA, transB, accumulate);
}

/**
 * Packs B ([k,n], or [n,k] when `transB`, as TFLite and nn.Linear store
 * weights) once for repeated products with `matmulPacked`. Free it with
 * `freePacked` when done (it is also reclaimed when garbage-collected).
 * @example const w = packB(linearWeight, inFeatures, outFeatures, true);
 */
export function packB(b: Float32Array, k: number, n: number, transB = false): PackedMatrix {
  checkDim('packB', 'k', k);
  checkDim('packB', 'n', n);
  checkLen('packB', 'b', b, k * n, 'k*n');
  const w = activeWasm();
  if (w && k > 0 && n > 0) {
    try {
      return new Packed<Float32Array>('f32', k, n, null, { owner: w, block: w.packB(b, k, n, transB) });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return new Packed('f32', k, n, packBJs(b, k, n, transB), null);
}

/**
 * C[m,n] = act(A[m,k] @ B + bias), B from `packB`, bias of length n (or null).
 * @example matmulPacked(x, w, y, 1, bias, 'relu6');
 */
export function matmulPacked(
  a: Float32Array, packed: PackedMatrix, c: Float32Array, m: number,
  bias: Float32Array | null = null, act: Activation = null,
): void {
  const p = asPacked('matmulPacked', packed, 'f32');
  const { k, n } = p;
  checkDim('matmulPacked', 'm', m);
  checkLen('matmulPacked', 'a', a, m * k, 'm*k');
  checkLen('matmulPacked', 'c', c, m * n, 'm*n');
  if (bias) checkLen('matmulPacked', 'bias', bias, n, 'n');
  const code = actCode(act);
  if (code < 0) throw new KernelArgumentError('matmulPacked', `act must be 'relu', 'relu6' or null, got '${String(act)}'`);
  const s = p.storage('matmulPacked');
  if (m === 0 || n === 0) return;
  if ('owner' in s) {
    outOfMemory('matmulPacked', m, () => s.owner.matmulPacked(a, s.block, c, m, k, n, bias, code));
    return;
  }
  const cv = c.subarray(0, m * n);
  if (bias) for (let i = 0; i < m; i++) cv.set(bias.subarray(0, n), i * n);
  else cv.fill(0);
  if (k > 0) gemmPackedJs(a, false, s.js, cv, m, k, n);
  applyActJs(cv, code);
}

/** Releases a matrix from `packB` or `packI8`; using it afterwards throws. */
export function freePacked(p: PackedMatrix | PackedI8): void {
  if (p instanceof Packed) p.free();
}

/**
 * Int8 GEMM with int32 accumulators (quantized FULLY_CONNECTED / CONV_2D):
 * acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k], b row-major [n,k] as TFLite
 * stores weights (symmetric int8). The caller adds bias and requantizes.
 * @example qmatmulI8(x, inputZeroPoint, weights, acc, batch, inFeatures, outFeatures);
 */
export function qmatmulI8(
  a: Int8Array, aZero: number, b: Int8Array, acc: Int32Array, m: number, k: number, n: number,
): void {
  checkQ('qmatmulI8', a, aZero, acc, m, k, n);
  checkLen('qmatmulI8', 'b', b, n * k, 'n*k');
  const w = activeWasm();
  // tiny products (under 4096 multiply-adds) cost less in JS than copying operands into wasm
  if (w && m > 0 && n > 0 && k > 0 && m * k * n >= 4096) {
    try {
      w.qmatmul(a, aZero, b, acc, m, k, n);
      return;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  qmatmulI8Js(a, aZero, b, acc, m, k, n);
}

/**
 * Holds int8 weights b [n, k] (resident in wasm memory under the wasm
 * backend) for repeated `qmatmulI8Packed` calls, e.g. at model load. `layout` keeps
 * only what the kernels that will read it need (default both): 'pairs' for the fused
 * kernel on blocks of rows or short k, 'rows' for single rows with long k.
 * @example const w = packI8(filter, outChannels, kh * kw * inChannels);
 */
export function packI8(b: Int8Array, n: number, k: number, layout: I8Layout = 'both'): PackedI8 {
  checkDim('packI8', 'n', n);
  checkDim('packI8', 'k', k);
  checkLen('packI8', 'b', b, n * k, 'n*k');
  const w = activeWasm();
  if (w && n * k > 0) {
    try {
      return new Packed<Int8Array>('i8', k, n, null, { owner: w, block: w.packI8(b, n, k, layout) });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return new Packed('i8', k, n, b.slice(0, n * k), null);
}

/**
 * The `packI8` layout for products of at least `minRows` rows of length k: the fused
 * kernel (`qmatmulI8PackedRequant`) reads pairs for blocks of rows or short k, rows
 * otherwise; the plain int8 GEMM reads rows.
 * @example packI8(w, n, k, i8LayoutFor(outW, k, true))
 */
export function i8LayoutFor(minRows: number, k: number, fused: boolean): I8Layout {
  return fused && (minRows >= 4 || Math.ceil(k / 8) * 8 <= BC_MAX_K_ONE_ROW) ? 'pairs' : 'rows';
}

/**
 * `qmatmulI8` with weights from `packI8`: acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k].
 * @example qmatmulI8Packed(x, inputZeroPoint, w, acc, 1);
 */
export function qmatmulI8Packed(a: Int8Array, aZero: number, packed: PackedI8, acc: Int32Array, m: number): void {
  const p = asPacked('qmatmulI8Packed', packed, 'i8');
  const { k, n } = p;
  checkQ('qmatmulI8Packed', a, aZero, acc, m, k, n);
  const s = p.storage('qmatmulI8Packed');
  if ('owner' in s) {
    if (m > 0 && n > 0) {
      if (k > 0) outOfMemory('qmatmulI8Packed', m, () => s.owner.qmatmul(a, aZero, s.block as I8Block, acc, m, k, n));
      else acc.fill(0, 0, m * n);
    }
    return;
  }
  qmatmulI8Js(a, aZero, s.js, acc, m, k, n);
}

/** Runs `fn`; a wasm memory that cannot grow (weights resident there: no JS fallback) becomes a KernelArgumentError. */
function outOfMemory(kernel: string, m: number, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof RangeError) throw new KernelArgumentError(kernel, `wasm memory cannot grow for m = ${m} rows (${e.message})`);
    throw e;
  }
}

function checkQ(kernel: string, a: Int8Array, aZero: number, acc: Int32Array, m: number, k: number, n: number): void {
  checkDim(kernel, 'm', m);
  checkDim(kernel, 'k', k);
  checkDim(kernel, 'n', n);
  checkInt8(kernel, 'aZero', aZero);
  checkLen(kernel, 'a', a, m * k, 'm*k');
  checkLen(kernel, 'acc', acc, m * n, 'm*n');
}

function checkMatmul(kernel: string, a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  checkDim(kernel, 'm', m);
  checkDim(kernel, 'k', k);
  checkDim(kernel, 'n', n);
  checkLen(kernel, 'a', a, m * k, 'm*k');
  checkLen(kernel, 'b', b, k * n, 'k*n');
  checkLen(kernel, 'c', c, m * n, 'm*n');
}
