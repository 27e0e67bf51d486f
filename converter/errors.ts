import { TgliteError } from '../lite-runtime/errors.js';

/** A file that is not a readable ONNX model (bad protobuf, no graph, external data, opset out of range). */
export class OnnxFormatError extends TgliteError {
  constructor(message: string) { super('onnx-format', message); }
}

/** One op the converter cannot handle: its type, node name, opset and the closest supported alternative. */
export interface UnsupportedOp {
  readonly opType: string;
  readonly node: string;
  readonly opset: number;
  readonly reason: string;
  readonly alternative?: string;
}

/** Every unsupported op of a model, listed at once. */
export class UnsupportedOpsError extends TgliteError {
  constructor(readonly ops: readonly UnsupportedOp[], stage = 'import') {
    const lines = ops.map((o) => `${o.opType} (node '${o.node}', opset ${o.opset}): ${o.reason}${o.alternative ? `; closest supported: ${o.alternative}` : ''}`);
    super('unsupported-ops', `${ops.length} unsupported op${ops.length === 1 ? '' : 's'} (${stage}): ${lines.join('; ')}`);
  }
}

/** Bad options, a shape that cannot be fixed, a model the converter cannot express, missing calibration data. */
export class ConvertError extends TgliteError {
  constructor(message: string) { super('convert', message); }
}

/** Calibration data for int8 that is missing, empty, or does not fit the model's inputs (names, shapes). */
export class CalibrationError extends TgliteError {
  constructor(message: string) { super('calibration', message); }
}

/** A dynamic input dim that cannot stay dynamic in the .tflite file: names the input, the dim and the op that fixes it. */
export class DynamicDimError extends TgliteError {
  constructor(readonly dims: readonly { input: string; dim: number; param?: string }[], message: string) { super('dynamic-dim', message); }
}
