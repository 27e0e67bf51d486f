import { TgliteError } from '../errors.js';

/**
 * A numeric kernel called with arguments it cannot use (sizes, dims, options);
 * code `'kernel-argument'`. The message names the kernel, the argument and what
 * was expected, e.g. `matmul: c has 5 elements, needs m*n = 6 (m=2, n=3)`.
 * (An op of a loaded lite model that fails raises the runtime's `KernelArgumentError` instead.)
 */
export class KernelArgumentError extends TgliteError {
  /** Kernel name, e.g. `matmul`. */
  readonly kernel: string;
  constructor(kernel: string, message: string) {
    super('kernel-argument', `${kernel}: ${message}`);
    this.kernel = kernel;
  }
}

/** Throws unless `v` is a non-negative safe integer. */
export function checkDim(kernel: string, name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new KernelArgumentError(kernel, `${name} must be a non-negative integer, got ${v}`);
  }
}

/** Throws unless `arr` holds at least `need` elements. */
export function checkLen(kernel: string, name: string, arr: ArrayLike<number>, need: number, what: string): void {
  if (arr.length < need) {
    throw new KernelArgumentError(kernel, `${name} has ${arr.length} elements, needs ${what} = ${need}`);
  }
}

/** Throws unless `v` is an integer in the int8 range (a zero point). */
export function checkInt8(kernel: string, name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= -128 && v <= 127)) {
    throw new KernelArgumentError(kernel, `${name} must be an integer in [-128, 127], got ${v}`);
  }
}
