/**
 * The TFLite FlatBuffer writer: a plain model description -> `.tflite` bytes.
 *
 * ```ts
 * import { writeTflite } from './converter/tflite-writer/index.js';
 * const bytes = writeTflite({ tensors, operators, inputs: ['x'], outputs: ['y'] });
 * ```
 */
export { writeTflite } from './writer.js';
export { descFromModel } from './from-model.js';
export { TfliteWriteError } from './errors.js';
export { float16Bits, tensorBytes } from './data.js';
export { OPTION_TABLES, OP_OPTIONS, optionsTableOf } from './options.js';
export type { OptionKind, OptionsTableName } from './options.js';
export type * from './types.js';
