/**
 * The base of every error tglite throws on purpose, and the one shape format its
 * messages use. This file imports nothing, so the lite runtime, training and the
 * converter can all extend it:
 *
 * ```
 * TgliteError                       (lite-runtime/errors.ts)
 * ├── KernelArgumentError           numeric kernels (lite-runtime/kernels/errors.ts)
 * ├── LiteError                     lite runtime (lite-runtime/format/errors.ts)
 * │   └── ModelFormatError, UnsupportedOpError, InputError, KernelError, BackendError, LimitError, DisposedError
 * ├── ShapeError, DTypeError, IndexError, ValueError, GradError, TraceError, FormatError
 * │                                 training (training/errors.ts)
 * ├── OnnxExportError               training/onnx/context.ts
 * └── TfliteWriteError              converter/tflite-writer/errors.ts
 * ```
 *
 * Every subclass sets a stable `code`, lower-case kebab (`'shape'`, `'model-format'`),
 * so programs can tell errors apart without `instanceof`:
 *
 * ```ts
 * try { x.matmul(y); } catch (e) {
 *   if (e instanceof TgliteError && e.code === 'shape') console.log(e.message);
 * }
 * ```
 */
export class TgliteError extends Error {
  /** Stable, lower-case kebab: `'shape'`, `'model-format'`, `'kernel-argument'`... */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Formats a shape for messages, the same way everywhere: `fmtShape([8, 3, 3, 1])` is `'[8, 3, 3, 1]'`. */
export function fmtShape(shape: ArrayLike<number>): string {
  return `[${Array.from(shape).join(', ')}]`;
}
