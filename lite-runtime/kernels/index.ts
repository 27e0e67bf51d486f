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
import { KernelError, checkDim, checkLen } from './errors.js';
import { matmulJs, packBJs, gemmPackedJs } from './js/gemm.js';
import { qmatmulI8Js } from './js/qgemm.js';

export { KernelError } from './errors.js';
export {
  im2colNCHW, col2imNCHW, im2colNHWC, convOutputSize,
  type ConvGeometry, type ResolvedConv, type Im2colNHWCOptions,
} from './im2col.js';

/** Which implementation runs the kernels. */
export type KernelBackend = 'wasm' | 'js';

/** Fused activation applied by `matmulPacked`. */
export type Activation = 'relu' | 'relu6' | null;

/** Options of `matmul`. */
export interface MatmulOptions {
  /** A is given as [k, m]. */
  transA?: boolean;
  /** B is given as [n, k]. */
  transB?: boolean;
  /** C += A @ B instead of C = A @ B. */
  accumulate?: boolean;
}

/** Weights packed once by `packB` for repeated `matmulPacked` calls. */
export interface PackedMatrix {
  readonly k: number;
  readonly n: number;
}

let active: KernelBackend = 'js';

/** The backend the kernels use now. */
export function kernelBackend(): KernelBackend {
  return active;
}

/**
 * Forces a backend (tests use 'js' to cover the fallback). Asking for 'wasm'
 * where WebAssembly cannot load throws.
 * @example setKernelBackend('js');
 */
export function setKernelBackend(b: KernelBackend): void {
  if (b !== 'js' && b !== 'wasm') throw new KernelError('setKernelBackend', `unknown backend '${String(b)}'`);
  if (b === 'wasm') throw new KernelError('setKernelBackend', 'the wasm backend is not available');
  active = b;
}

/**
 * Prepares the kernels. Optional in Node and browsers; workers that forbid
 * compiling WebAssembly from bytes pass the imported module.
 * @example import k from './kernels.wasm'; await initKernels({ wasmModule: k });
 */
export async function initKernels(_opts: { wasmModule?: WebAssembly.Module } = {}): Promise<void> {
  // The wasm backend is selected here once it is built.
}

/**
 * C[m,n] = op(A) @ op(B) (+ C when `accumulate`). A is [m,k] ([k,m] when
 * `transA`), B is [k,n] ([n,k] when `transB`), all row-major.
 * @example matmul(a, b, c, 2, 3, 4); // c = a[2,3] @ b[3,4]
 */
export function matmul(
  a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, opts: MatmulOptions = {},
): void {
  checkMatmul('matmul', a, b, c, m, k, n);
  matmulJs(a, b, c, m, k, n, !!opts.transA, !!opts.transB, !!opts.accumulate);
}

class JsPacked implements PackedMatrix {
  data: Float32Array | null;
  constructor(readonly k: number, readonly n: number, data: Float32Array) { this.data = data; }
}

/**
 * Packs B ([k,n], or [n,k] when `transB`, as TFLite and nn.Linear store
 * weights) for repeated products with `matmulPacked`.
 * @example const w = packB(weight, inFeatures, outFeatures, true);
 */
export function packB(b: Float32Array, k: number, n: number, transB = false): PackedMatrix {
  checkDim('packB', 'k', k);
  checkDim('packB', 'n', n);
  checkLen('packB', 'b', b, k * n, 'k*n');
  return new JsPacked(k, n, packBJs(b, k, n, transB));
}

/**
 * C[m,n] = act(A[m,k] @ B + bias), with B from `packB` and bias of length n.
 * @example matmulPacked(x, w, y, 1, bias, 'relu6');
 */
export function matmulPacked(
  a: Float32Array, packed: PackedMatrix, c: Float32Array, m: number,
  bias: Float32Array | null = null, act: Activation = null,
): void {
  const p = packedData(packed);
  const { k, n } = packed;
  checkDim('matmulPacked', 'm', m);
  checkLen('matmulPacked', 'a', a, m * k, 'm*k');
  checkLen('matmulPacked', 'c', c, m * n, 'm*n');
  if (bias) checkLen('matmulPacked', 'bias', bias, n, 'n');
  checkAct(act);
  const cv = c.subarray(0, m * n);
  if (bias) for (let i = 0; i < m; i++) cv.set(bias.subarray(0, n), i * n);
  else cv.fill(0);
  gemmPackedJs(a, p, cv, m, k, n);
  applyAct(cv, act);
}

/** Releases a packed matrix; using it afterwards throws. */
export function freePacked(p: PackedMatrix): void {
  if (p instanceof JsPacked) p.data = null;
}

/**
 * Int8 GEMM with int32 accumulators (quantized FULLY_CONNECTED / CONV_2D):
 * acc[m,n] = sum_k (a[m,k] - aZero) * b[n,k], b row-major [n,k] as TFLite
 * stores weights. The caller adds bias and requantizes.
 * @example qmatmulI8(x, inputZeroPoint, weights, acc, batch, inFeatures, outFeatures);
 */
export function qmatmulI8(
  a: Int8Array, aZero: number, b: Int8Array, acc: Int32Array, m: number, k: number, n: number,
): void {
  checkDim('qmatmulI8', 'm', m);
  checkDim('qmatmulI8', 'k', k);
  checkDim('qmatmulI8', 'n', n);
  if (!Number.isInteger(aZero) || aZero < -128 || aZero > 127) {
    throw new KernelError('qmatmulI8', `aZero must be an integer in [-128, 127], got ${aZero}`);
  }
  checkLen('qmatmulI8', 'a', a, m * k, 'm*k');
  checkLen('qmatmulI8', 'b', b, n * k, 'n*k');
  checkLen('qmatmulI8', 'acc', acc, m * n, 'm*n');
  qmatmulI8Js(a, aZero, b, acc, m, k, n);
}

function packedData(p: PackedMatrix): Float32Array {
  if (!(p instanceof JsPacked)) throw new KernelError('matmulPacked', 'packed is not a matrix returned by packB');
  if (!p.data) throw new KernelError('matmulPacked', 'packed matrix was freed');
  return p.data;
}

function checkMatmul(kernel: string, a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  checkDim(kernel, 'm', m);
  checkDim(kernel, 'k', k);
  checkDim(kernel, 'n', n);
  checkLen(kernel, 'a', a, m * k, 'm*k');
  checkLen(kernel, 'b', b, k * n, 'k*n');
  checkLen(kernel, 'c', c, m * n, 'm*n');
}

function checkAct(act: Activation): void {
  if (act !== null && act !== 'relu' && act !== 'relu6') {
    throw new KernelError('matmulPacked', `act must be 'relu', 'relu6' or null, got '${String(act)}'`);
  }
}

function applyAct(c: Float32Array, act: Activation): void {
  if (act === 'relu') for (let i = 0; i < c.length; i++) c[i] = c[i] > 0 ? c[i] : 0;
  else if (act === 'relu6') for (let i = 0; i < c.length; i++) c[i] = c[i] > 0 ? (c[i] < 6 ? c[i] : 6) : 0;
}
