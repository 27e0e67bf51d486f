/**
 * Errors raised by the numeric kernels. The message names the kernel, the
 * argument and what was expected, e.g.
 * `matmul: c has 5 elements, needs m*n = 6 (m=2, n=3)`.
 */
export class KernelError extends Error {
  /** Kernel name, e.g. `matmul`. */
  readonly kernel: string;
  constructor(kernel: string, message: string) {
    super(`${kernel}: ${message}`);
    this.name = 'KernelError';
    this.kernel = kernel;
  }
}

/** Throws unless `v` is a non-negative safe integer. */
export function checkDim(kernel: string, name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new KernelError(kernel, `${name} must be a non-negative integer, got ${v}`);
  }
}

/** Throws unless `arr` holds at least `need` elements. */
export function checkLen(kernel: string, name: string, arr: ArrayLike<number>, need: number, what: string): void {
  if (arr.length < need) {
    throw new KernelError(kernel, `${name} has ${arr.length} elements, needs ${what} = ${need}`);
  }
}
