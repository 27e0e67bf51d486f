/**
 * Facts from the TFLite FlatBuffer schema, version 3 (`tensorflow/lite/schema/schema.fbs`):
 * builtin op codes, tensor types, the field ids of every table the runtime reads,
 * and the BuiltinOptions union type ids. Field ids are 0-based vtable slots; a union
 * field `u` takes two slots: `u_type` (id n, a ubyte) then `u` (id n + 1, the table).
 * The id tables are TypeScript enums so that a bundler writes their numbers in place and the
 * runtime's bundle carries no table; an enum also maps each number back to its name, so take
 * its ids as `Object.values(T).filter((v) => typeof v === 'number')`.
 *
 * Example: `BuiltinOp.CONV_2D === 3`, `TensorField.shape === 0`.
 */
import type { LiteDType } from '../ops/op.js';

/** The file identifier at bytes 4..8 of every TFLite model. */
export const FILE_IDENTIFIER = 'TFL3';
/** The schema version the runtime reads (Model.version). */
export const SCHEMA_VERSION = 3;

/** TFLite BuiltinOperator codes (enum BuiltinOperator : int32). */
export const BuiltinOp = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4, DEPTH_TO_SPACE: 5, DEQUANTIZE: 6, EMBEDDING_LOOKUP: 7,
  FLOOR: 8, FULLY_CONNECTED: 9, HASHTABLE_LOOKUP: 10, L2_NORMALIZATION: 11,
  L2_POOL_2D: 12, LOCAL_RESPONSE_NORMALIZATION: 13, LOGISTIC: 14, LSH_PROJECTION: 15,
  LSTM: 16, MAX_POOL_2D: 17, MUL: 18, RELU: 19,
  RELU_N1_TO_1: 20, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23,
  RNN: 24, SOFTMAX: 25, SPACE_TO_DEPTH: 26, SVDF: 27,
  TANH: 28, CONCAT_EMBEDDINGS: 29, SKIP_GRAM: 30, CALL: 31,
  CUSTOM: 32, EMBEDDING_LOOKUP_SPARSE: 33, PAD: 34, UNIDIRECTIONAL_SEQUENCE_RNN: 35,
  GATHER: 36, BATCH_TO_SPACE_ND: 37, SPACE_TO_BATCH_ND: 38, TRANSPOSE: 39,
  MEAN: 40, SUB: 41, DIV: 42, SQUEEZE: 43,
  UNIDIRECTIONAL_SEQUENCE_LSTM: 44, STRIDED_SLICE: 45, BIDIRECTIONAL_SEQUENCE_RNN: 46, EXP: 47,
  TOPK_V2: 48, SPLIT: 49, LOG_SOFTMAX: 50, DELEGATE: 51,
  BIDIRECTIONAL_SEQUENCE_LSTM: 52, CAST: 53, PRELU: 54, MAXIMUM: 55,
  ARG_MAX: 56, MINIMUM: 57, LESS: 58, NEG: 59,
  PADV2: 60, GREATER: 61, GREATER_EQUAL: 62, LESS_EQUAL: 63,
  SELECT: 64, SLICE: 65, SIN: 66, TRANSPOSE_CONV: 67,
  SPARSE_TO_DENSE: 68, TILE: 69, EXPAND_DIMS: 70, EQUAL: 71,
  NOT_EQUAL: 72, LOG: 73, SUM: 74, SQRT: 75,
  RSQRT: 76, SHAPE: 77, POW: 78, ARG_MIN: 79,
  FAKE_QUANT: 80, REDUCE_PROD: 81, REDUCE_MAX: 82, PACK: 83,
  LOGICAL_OR: 84, ONE_HOT: 85, LOGICAL_AND: 86, LOGICAL_NOT: 87,
  UNPACK: 88, REDUCE_MIN: 89, FLOOR_DIV: 90, REDUCE_ANY: 91,
  SQUARE: 92, ZEROS_LIKE: 93, FILL: 94, FLOOR_MOD: 95,
  RANGE: 96, RESIZE_NEAREST_NEIGHBOR: 97, LEAKY_RELU: 98, SQUARED_DIFFERENCE: 99,
  MIRROR_PAD: 100, ABS: 101, SPLIT_V: 102, UNIQUE: 103,
  CEIL: 104, REVERSE_V2: 105, ADD_N: 106, GATHER_ND: 107,
  COS: 108, WHERE: 109, RANK: 110, ELU: 111,
  REVERSE_SEQUENCE: 112, MATRIX_DIAG: 113, QUANTIZE: 114, MATRIX_SET_DIAG: 115,
  ROUND: 116, HARD_SWISH: 117, IF: 118, WHILE: 119,
  NON_MAX_SUPPRESSION_V4: 120, NON_MAX_SUPPRESSION_V5: 121, SCATTER_ND: 122, SELECT_V2: 123,
  DENSIFY: 124, SEGMENT_SUM: 125, BATCH_MATMUL: 126, PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
  CUMSUM: 128, CALL_ONCE: 129, BROADCAST_TO: 130, RFFT2D: 131,
  CONV_3D: 132, IMAG: 133, REAL: 134, COMPLEX_ABS: 135,
  HASHTABLE: 136, HASHTABLE_FIND: 137, HASHTABLE_IMPORT: 138, HASHTABLE_SIZE: 139,
  REDUCE_ALL: 140, CONV_3D_TRANSPOSE: 141, VAR_HANDLE: 142, READ_VARIABLE: 143,
  ASSIGN_VARIABLE: 144, BROADCAST_ARGS: 145, RANDOM_STANDARD_NORMAL: 146, BUCKETIZE: 147,
  RANDOM_UNIFORM: 148, MULTINOMIAL: 149, GELU: 150, DYNAMIC_UPDATE_SLICE: 151,
  RELU_0_TO_1: 152, UNSORTED_SEGMENT_PROD: 153, UNSORTED_SEGMENT_MAX: 154, UNSORTED_SEGMENT_SUM: 155,
  ATAN2: 156, UNSORTED_SEGMENT_MIN: 157, SIGN: 158, BITCAST: 159,
  BITWISE_XOR: 160, RIGHT_SHIFT: 161,
} as const;
export type BuiltinOpName = keyof typeof BuiltinOp;

const OP_NAMES: string[] = [];
for (const [name, code] of Object.entries(BuiltinOp)) OP_NAMES[code] = name;

/** Name of a builtin op code, e.g. `opName(3) === 'CONV_2D'`; unknown codes read `'BUILTIN_<code>'`. */
export function opName(code: number): string {
  return OP_NAMES[code] ?? `BUILTIN_${code}`;
}

/**
 * OperatorCode: `deprecated_builtin_code` (int8) predates `builtin_code` (int32);
 * writers fill both (the old one saturated at 127), so the effective code is the max.
 */
export function effectiveOpCode(deprecatedCode: number, builtinCode: number): number {
  return Math.max(deprecatedCode, builtinCode);
}

/** TensorType enum values (enum TensorType : byte). */
export const TensorType = {
  FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3,
  INT64: 4, STRING: 5, BOOL: 6, INT16: 7,
  COMPLEX64: 8, INT8: 9, FLOAT64: 10, COMPLEX128: 11,
  UINT64: 12, RESOURCE: 13, VARIANT: 14, UINT32: 15,
  UINT16: 16, INT4: 17,
} as const;

const TYPE_NAMES: string[] = [];
for (const [name, code] of Object.entries(TensorType)) TYPE_NAMES[code] = name;

/** Name of a TensorType value, e.g. `tensorTypeName(9) === 'INT8'`. */
export function tensorTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE_${type}`;
}

/** TensorType -> runtime dtype; types the runtime does not support map to undefined. */
export const TENSOR_TYPE_TO_DTYPE: Readonly<Partial<Record<number, LiteDType>>> = {
  [TensorType.FLOAT32]: 'float32',
  [TensorType.FLOAT16]: 'float16',
  [TensorType.FLOAT64]: 'float64',
  [TensorType.INT8]: 'int8',
  [TensorType.UINT8]: 'uint8',
  [TensorType.INT16]: 'int16',
  [TensorType.INT32]: 'int32',
  [TensorType.INT64]: 'int64',
  [TensorType.BOOL]: 'bool',
  [TensorType.STRING]: 'string',
};

/** Runtime dtype -> TensorType (for writers). */
export const DTYPE_TO_TENSOR_TYPE: Readonly<Record<LiteDType, number>> = {
  float32: TensorType.FLOAT32, float16: TensorType.FLOAT16, float64: TensorType.FLOAT64,
  int8: TensorType.INT8, uint8: TensorType.UINT8, int16: TensorType.INT16,
  int32: TensorType.INT32, int64: TensorType.INT64, bool: TensorType.BOOL, string: TensorType.STRING,
};

/** Bytes per element; 0 for 'string' (variable length). */
export const DTYPE_BYTES: Readonly<Record<LiteDType, number>> = {
  float32: 4, float16: 2, float64: 8, int8: 1, uint8: 1, int16: 2,
  int32: 4, int64: 8, bool: 1, string: 0,
};

/** enum Padding : byte */
export const Padding = { SAME: 0, VALID: 1 } as const;

/** enum ActivationFunctionType : byte */
export const Activation = {
  NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5,
} as const;

/** table Model */
export enum ModelField {
  version = 0, operator_codes = 1, subgraphs = 2, description = 3,
  buffers = 4, metadata_buffer = 5, metadata = 6, signature_defs = 7,
}

/** table OperatorCode */
export enum OperatorCodeField {
  deprecated_builtin_code = 0, custom_code = 1, version = 2, builtin_code = 3,
}

/** table SubGraph */
export enum SubGraphField {
  tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4,
}

/** table Tensor */
export enum TensorField {
  shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, is_variable = 5,
  sparsity = 6, shape_signature = 7, has_rank = 8, variant_tensors = 9,
}

/** table QuantizationParameters (details is a union: type id 4, value id 5) */
export enum QuantizationField {
  min = 0, max = 1, scale = 2, zero_point = 3, details_type = 4, details = 5, quantized_dimension = 6,
}

/** table Operator (builtin_options: type id 3, value id 4; builtin_options_2: 11, 12) */
export enum OperatorField {
  opcode_index = 0, inputs = 1, outputs = 2, builtin_options_type = 3, builtin_options = 4,
  custom_options = 5, custom_options_format = 6, mutating_variable_inputs = 7, intermediates = 8,
  large_custom_options_offset = 9, large_custom_options_size = 10,
  builtin_options_2_type = 11, builtin_options_2 = 12,
}

/** table Buffer (offset/size locate data outside the FlatBuffer in models > 2 GB; valid when offset > 1) */
export enum BufferField { data = 0, offset = 1, size = 2 }

/** table Metadata */
export enum MetadataField { name = 0, buffer = 1 }

/** table TensorMap (SignatureDef entries) */
export enum TensorMapField { name = 0, tensor_index = 1 }

/** table SignatureDef (field 3, deprecated_tag, is unused) */
export enum SignatureDefField {
  inputs = 0, outputs = 1, signature_key = 2, deprecated_tag = 3, subgraph_index = 4,
}

/** BuiltinOptions union type ids (0 = NONE), named without the `Options` suffix. */
export enum BuiltinOptionsType {
  NONE = 0,
  Conv2D = 1,
  DepthwiseConv2D = 2,
  ConcatEmbeddings = 3,
  LSHProjection = 4,
  Pool2D = 5,
  SVDF = 6,
  RNN = 7,
  FullyConnected = 8,
  Softmax = 9,
  Concatenation = 10,
  Add = 11,
  L2Norm = 12,
  LocalResponseNormalization = 13,
  LSTM = 14,
  ResizeBilinear = 15,
  Call = 16,
  Reshape = 17,
  SkipGram = 18,
  SpaceToDepth = 19,
  EmbeddingLookupSparse = 20,
  Mul = 21,
  Pad = 22,
  Gather = 23,
  BatchToSpaceND = 24,
  SpaceToBatchND = 25,
  Transpose = 26,
  Reducer = 27,
  Sub = 28,
  Div = 29,
  Squeeze = 30,
  SequenceRNN = 31,
  StridedSlice = 32,
  Exp = 33,
  TopKV2 = 34,
  Split = 35,
  LogSoftmax = 36,
  Cast = 37,
  Dequantize = 38,
  MaximumMinimum = 39,
  ArgMax = 40,
  Less = 41,
  Neg = 42,
  PadV2 = 43,
  Greater = 44,
  GreaterEqual = 45,
  LessEqual = 46,
  Select = 47,
  Slice = 48,
  TransposeConv = 49,
  SparseToDense = 50,
  Tile = 51,
  ExpandDims = 52,
  Equal = 53,
  NotEqual = 54,
  Shape = 55,
  Pow = 56,
  ArgMin = 57,
  FakeQuant = 58,
  Pack = 59,
  LogicalOr = 60,
  OneHot = 61,
  LogicalAnd = 62,
  LogicalNot = 63,
  Unpack = 64,
  FloorDiv = 65,
  Square = 66,
  ZerosLike = 67,
  Fill = 68,
  BidirectionalSequenceLSTM = 69,
  BidirectionalSequenceRNN = 70,
  UnidirectionalSequenceLSTM = 71,
  FloorMod = 72,
  Range = 73,
  ResizeNearestNeighbor = 74,
  LeakyRelu = 75,
  SquaredDifference = 76,
  MirrorPad = 77,
  Abs = 78,
  SplitV = 79,
  Unique = 80,
  ReverseV2 = 81,
  AddN = 82,
  GatherNd = 83,
  Cos = 84,
  Where = 85,
  Rank = 86,
  ReverseSequence = 87,
  MatrixDiag = 88,
  Quantize = 89,
  MatrixSetDiag = 90,
  HardSwish = 91,
  If = 92,
  While = 93,
  DepthToSpace = 94,
  NonMaxSuppressionV4 = 95,
  NonMaxSuppressionV5 = 96,
  ScatterNd = 97,
  SelectV2 = 98,
  Densify = 99,
  SegmentSum = 100,
  BatchMatMul = 101,
  Cumsum = 102,
  CallOnce = 103,
  BroadcastTo = 104,
  Rfft2d = 105,
  Conv3D = 106,
  Hashtable = 107,
  HashtableFind = 108,
  HashtableImport = 109,
  HashtableSize = 110,
  VarHandle = 111,
  ReadVariable = 112,
  AssignVariable = 113,
  Random = 114,
  Bucketize = 115,
  Gelu = 116,
  DynamicUpdateSlice = 117,
  UnsortedSegmentProd = 118,
  UnsortedSegmentMax = 119,
  UnsortedSegmentMin = 120,
  UnsortedSegmentSum = 121,
  ATan2 = 122,
  Sign = 123,
  Bitcast = 124,
  BitwiseXor = 125,
  RightShift = 126,
}

/**
 * Field ids inside the options tables the runtime's ops read, named as in the schema.
 * Example: `Conv2DOptions.stride_w === 1`, read with `options.i32(Conv2DOptions.stride_w, 0)`.
 */
export enum Conv2DOptions {
  padding = 0, stride_w = 1, stride_h = 2, fused_activation_function = 3,
  dilation_w_factor = 4, dilation_h_factor = 5, quantized_bias_type = 6,
}
export enum DepthwiseConv2DOptions {
  padding = 0, stride_w = 1, stride_h = 2, depth_multiplier = 3,
  fused_activation_function = 4, dilation_w_factor = 5, dilation_h_factor = 6,
}
export enum Pool2DOptions {
  padding = 0, stride_w = 1, stride_h = 2, filter_width = 3, filter_height = 4, fused_activation_function = 5,
}
export enum FullyConnectedOptions {
  fused_activation_function = 0, weights_format = 1, keep_num_dims = 2,
  asymmetric_quantize_inputs = 3, quantized_bias_type = 4,
}
export enum SoftmaxOptions { beta = 0 }
export enum ConcatenationOptions { axis = 0, fused_activation_function = 1 }
export enum AddOptions { fused_activation_function = 0, pot_scale_int16 = 1 }
export enum SubOptions { fused_activation_function = 0, pot_scale_int16 = 1 }
export enum MulOptions { fused_activation_function = 0 }
export enum DivOptions { fused_activation_function = 0 }
export enum L2NormOptions { fused_activation_function = 0 }
export enum SVDFOptions { rank = 0, fused_activation_function = 1, asymmetric_quantize_inputs = 2 }
export enum ReshapeOptions { new_shape = 0 }
export enum GatherOptions { axis = 0, batch_dims = 1 }
export enum ReducerOptions { keep_dims = 0 }
export enum SqueezeOptions { squeeze_dims = 0 }
export enum SplitOptions { num_splits = 0 }
export enum StridedSliceOptions {
  begin_mask = 0, end_mask = 1, ellipsis_mask = 2, new_axis_mask = 3, shrink_axis_mask = 4, offset = 5,
}
export enum CastOptions { in_data_type = 0, out_data_type = 1 }
export enum ArgMaxOptions { output_type = 0 }
export enum ArgMinOptions { output_type = 0 }
export enum TransposeConvOptions {
  padding = 0, stride_w = 1, stride_h = 2, fused_activation_function = 3, quantized_bias_type = 4,
}
export enum ShapeOptions { out_type = 0 }
export enum LeakyReluOptions { alpha = 0 }
export enum UnidirectionalSequenceLSTMOptions {
  fused_activation_function = 0, cell_clip = 1, proj_clip = 2, time_major = 3,
  asymmetric_quantize_inputs = 4, diagonal_recurrent_tensors = 5,
}
export enum BatchMatMulOptions { adj_x = 0, adj_y = 1, asymmetric_quantize_inputs = 2 }
export enum GeluOptions { approximate = 0 }
export enum IfOptions { then_subgraph_index = 0, else_subgraph_index = 1 }
export enum WhileOptions { cond_subgraph_index = 0, body_subgraph_index = 1 }
export enum CallOnceOptions { init_subgraph_index = 0 }
export enum PackOptions { values_count = 0, axis = 1 }
export enum UnpackOptions { num = 0, axis = 1 }
export enum SpaceToDepthOptions { block_size = 0 }
export enum DepthToSpaceOptions { block_size = 0 }
/** new_height/new_width (ids 0, 1) are deprecated but keep their slots. */
export enum ResizeBilinearOptions { new_height = 0, new_width = 1, align_corners = 2, half_pixel_centers = 3 }
export enum ResizeNearestNeighborOptions { align_corners = 0, half_pixel_centers = 1 }
export enum MirrorPadOptions { mode = 0 }
export enum CumsumOptions { exclusive = 0, reverse = 1 }
