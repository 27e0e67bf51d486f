/**
 * What full-integer (int8) quantization does with each TFLite op, following TFLite's
 * quantization spec and the lite runtime's int8 kernels (lite-runtime/ops):
 * - `weight`: a constant input stored int8, symmetric per channel along `axis`; its
 *   `bias` input stored int32 with scale = input scale x weight scale (zero point 0);
 * - `fixed`: the output's quantization is fixed (LOGISTIC and SOFTMAX 1/256 and -128,
 *   TANH and L2_NORMALIZATION 1/128 and 0, LOG_SOFTMAX 16/256 and 127);
 * - `same`: these inputs share the output's quantization (pure data movement, pooling,
 *   concatenation, MAXIMUM/MINIMUM), TFLite's "same scale" ops; 'all' for every input;
 * - `lstm`: UNIDIRECTIONAL_SEQUENCE_LSTM, TFLite's integer LSTM (int8-lstm.ts);
 * - `version`: the op code version for its int8 signature.
 * An op without a rule has no int8 kernel here and stays float32, with QUANTIZE and
 * DEQUANTIZE around it.
 *
 * ```ts
 * INT8_RULES.CONV_2D; // { weight: { input: 1, axis: 0, bias: 2, act: 0 }, version: 3 }
 * ```
 */
import type { BuiltinOpName } from '../tflite-writer/types.js';

export interface Int8Rule {
  weight?: { input: number; axis: number; bias: number; act: number };
  fixed?: { scale: number; zeroPoint: number };
  same?: readonly number[] | 'all';
  /** UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's integer LSTM layout, written by int8-lstm.ts. */
  lstm?: true;
  version: number;
}

const SAME0: Int8Rule = { same: [0], version: 2 };

export const INT8_RULES: Partial<Record<BuiltinOpName, Int8Rule>> = {
  CONV_2D: { weight: { input: 1, axis: 0, bias: 2, act: 0 }, version: 3 },
  DEPTHWISE_CONV_2D: { weight: { input: 1, axis: 3, bias: 2, act: 0 }, version: 3 },
  FULLY_CONNECTED: { weight: { input: 1, axis: 0, bias: 2, act: 0 }, version: 4 },
  TRANSPOSE_CONV: { weight: { input: 1, axis: 0, bias: 3, act: 2 }, version: 3 },
  ADD: { version: 2 },
  SUB: { version: 2 },
  MUL: { version: 2 },
  MEAN: { version: 2 },
  SUM: { version: 2 },
  HARD_SWISH: { version: 1 },
  LEAKY_RELU: { version: 2 },
  RELU: { version: 2 },
  RELU6: { version: 2 },
  BATCH_MATMUL: { version: 2 },
  ARG_MAX: { version: 2 },
  LOGISTIC: { fixed: { scale: 1 / 256, zeroPoint: -128 }, version: 2 },
  SOFTMAX: { fixed: { scale: 1 / 256, zeroPoint: -128 }, version: 2 },
  TANH: { fixed: { scale: 1 / 128, zeroPoint: 0 }, version: 2 },
  LOG_SOFTMAX: { fixed: { scale: 16 / 256, zeroPoint: 127 }, version: 2 },
  L2_NORMALIZATION: { fixed: { scale: 1 / 128, zeroPoint: 0 }, version: 2 },
  MAX_POOL_2D: SAME0,
  AVERAGE_POOL_2D: SAME0,
  RESHAPE: { same: [0], version: 1 },
  SQUEEZE: { same: [0], version: 1 },
  EXPAND_DIMS: { same: [0], version: 1 },
  TRANSPOSE: SAME0,
  PAD: SAME0,
  PADV2: { same: [0, 2], version: 2 },
  SLICE: SAME0,
  STRIDED_SLICE: SAME0,
  GATHER: SAME0,
  SPLIT: { same: [1], version: 2 },
  SPLIT_V: SAME0,
  PACK: { same: 'all', version: 2 },
  UNPACK: SAME0,
  CONCATENATION: { same: 'all', version: 2 },
  MAXIMUM: { same: 'all', version: 2 },
  MINIMUM: { same: 'all', version: 2 },
  SPACE_TO_DEPTH: SAME0,
  DEPTH_TO_SPACE: SAME0,
  RESIZE_NEAREST_NEIGHBOR: SAME0,
  RESIZE_BILINEAR: SAME0,
  UNIDIRECTIONAL_SEQUENCE_LSTM: { lstm: true, version: 1 },
};

/** Ops whose int8 output is a copy of input values (no arithmetic): not worth keeping float. */
export const DATA_MOVEMENT = new Set<string>([
  'RESHAPE', 'SQUEEZE', 'EXPAND_DIMS', 'TRANSPOSE', 'PAD', 'PADV2', 'SLICE', 'STRIDED_SLICE', 'GATHER', 'SPLIT', 'SPLIT_V',
  'PACK', 'UNPACK', 'CONCATENATION', 'SPACE_TO_DEPTH', 'DEPTH_TO_SPACE', 'MAX_POOL_2D', 'MAXIMUM', 'MINIMUM', 'RESIZE_NEAREST_NEIGHBOR',
]);
