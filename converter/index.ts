/**
 * tglite's converter: ONNX models and tg.jit graphs to optimized .tflite files,
 * and the FlatBuffer writer underneath.
 * @example
 * import { convert } from 'tglite/converter';
 * const tflite = await convert(onnxBytes, { quantize: 'float16' });
 * console.log(tflite.report.opsAfter);
 */
export * from './tflite-writer/index.js';
export { convert, optimizeForTflite, type ConvertOptions, type ConvertReport, type ConvertResult, type ConvertSource, type TracedSource, type QuantizeMode } from './convert.js';
export type { KeepFloatCandidate, Int8TensorError } from './quantize/int8.js';
export { importOnnx, importableOnnxOps, type ImportOptions, type ImportResult } from './onnx-import/import.js';
export { dynamicDims, exampleInputShapes, type DynamicDim } from './dynamic-dims.js';
export { OnnxFormatError, UnsupportedOpsError, ConvertError, CalibrationError, DynamicDimError, type UnsupportedOp } from './errors.js';
