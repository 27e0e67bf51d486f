import { TgliteError } from '../lite-runtime/errors.js';

/** The base of every tglite error (defined in the lite runtime, the layer everything imports). */
export { TgliteError };

/** A numeric kernel called with arguments it cannot use (code 'kernel-argument'). */
export { KernelArgumentError } from '../lite-runtime/kernels/errors.js';

/** Shapes that do not fit an op (broadcasting, matmul inner dims, reshape sizes...). */
export class ShapeError extends TgliteError {
  constructor(message: string) { super('shape', message); }
}

/** A dtype an op does not accept, or two dtypes that do not combine. */
export class DTypeError extends TgliteError {
  constructor(message: string) { super('dtype', message); }
}

/** A dim or index outside its valid range. */
export class IndexError extends TgliteError {
  constructor(message: string) { super('index', message); }
}

/** An argument value that is invalid for reasons other than shape/dtype/range. */
export class ValueError extends TgliteError {
  constructor(message: string) { super('value', message); }
}

/** Autograd misuse: backward of a non-scalar without a gradient, no graph to differentiate... */
export class GradError extends TgliteError {
  constructor(message: string) { super('grad', message); }
}

/** Reading a traced value as a JS value inside tg.jit, or other static-mode misuse. */
export class TraceError extends TgliteError {
  constructor(message: string) { super('trace', message); }
}

/** A corrupt, truncated or incompatible checkpoint or model file. */
export class FormatError extends TgliteError {
  constructor(message: string) { super('format', message); }
}
