/**
 * Builtin options of each op, as the writer serializes them: for every options table,
 * its BuiltinOptions union type, and per field its schema id (from
 * `lite-runtime/format/schema.ts`) and value kind. Option keys are the schema's own
 * field names (`stride_w`, `fused_activation_function`), so a description reads like
 * the schema and like Netron.
 *
 * Example: `{ op: 'CONV_2D', options: { padding: 'SAME', stride_w: 1, stride_h: 1 } }`.
 */
import * as S from '../../lite-runtime/format/schema.js';
import type { BuiltinOpName } from '../../lite-runtime/format/schema.js';
import type { LiteDType } from '../../lite-runtime/ops/op.js';

/** How one option field is stored. `u8`-sized enums accept their names. */
export type OptionKind = 'bool' | 'i32' | 'u32' | 'f32' | 'i32[]' | 'padding' | 'act' | 'dtype' | 'u8';

/** The JS value each kind takes. */
export interface OptionKindValue {
  bool: boolean;
  i32: number;
  u32: number;
  f32: number;
  'i32[]': readonly number[];
  padding: keyof typeof S.Padding;
  act: keyof typeof S.Activation;
  dtype: LiteDType;
  u8: number;
}

interface TableSpec {
  readonly type: keyof typeof S.BuiltinOptionsType;
  readonly ids: Readonly<Record<string, number>>;
  readonly kinds: Readonly<Record<string, OptionKind>>;
}

const spec = <T extends Record<string, TableSpec>>(t: T): T => t;
/** A schema id enum as a plain name -> id record (without the enum's id -> name entries). */
const idsOf = (e: Readonly<Record<string, string | number>>): Readonly<Record<string, number>> =>
  Object.fromEntries(Object.entries(e).filter((kv): kv is [string, number] => typeof kv[1] === 'number'));
const none = { ids: {}, kinds: {} } as const;

/** Options tables the writer knows, by union type name. */
export const OPTION_TABLES = spec({
  Conv2D: {
    type: 'Conv2D', ids: idsOf(S.Conv2DOptions),
    kinds: { padding: 'padding', stride_w: 'i32', stride_h: 'i32', fused_activation_function: 'act', dilation_w_factor: 'i32', dilation_h_factor: 'i32', quantized_bias_type: 'dtype' },
  },
  DepthwiseConv2D: {
    type: 'DepthwiseConv2D', ids: idsOf(S.DepthwiseConv2DOptions),
    kinds: { padding: 'padding', stride_w: 'i32', stride_h: 'i32', depth_multiplier: 'i32', fused_activation_function: 'act', dilation_w_factor: 'i32', dilation_h_factor: 'i32' },
  },
  Pool2D: {
    type: 'Pool2D', ids: idsOf(S.Pool2DOptions),
    kinds: { padding: 'padding', stride_w: 'i32', stride_h: 'i32', filter_width: 'i32', filter_height: 'i32', fused_activation_function: 'act' },
  },
  FullyConnected: {
    type: 'FullyConnected', ids: idsOf(S.FullyConnectedOptions),
    kinds: { fused_activation_function: 'act', weights_format: 'u8', keep_num_dims: 'bool', asymmetric_quantize_inputs: 'bool', quantized_bias_type: 'dtype' },
  },
  TransposeConv: {
    type: 'TransposeConv', ids: idsOf(S.TransposeConvOptions),
    kinds: { padding: 'padding', stride_w: 'i32', stride_h: 'i32', fused_activation_function: 'act', quantized_bias_type: 'dtype' },
  },
  SVDF: { type: 'SVDF', ids: idsOf(S.SVDFOptions), kinds: { rank: 'i32', fused_activation_function: 'act', asymmetric_quantize_inputs: 'bool' } },
  Softmax: { type: 'Softmax', ids: idsOf(S.SoftmaxOptions), kinds: { beta: 'f32' } },
  Concatenation: { type: 'Concatenation', ids: idsOf(S.ConcatenationOptions), kinds: { axis: 'i32', fused_activation_function: 'act' } },
  Add: { type: 'Add', ids: idsOf(S.AddOptions), kinds: { fused_activation_function: 'act', pot_scale_int16: 'bool' } },
  Sub: { type: 'Sub', ids: idsOf(S.SubOptions), kinds: { fused_activation_function: 'act', pot_scale_int16: 'bool' } },
  Mul: { type: 'Mul', ids: idsOf(S.MulOptions), kinds: { fused_activation_function: 'act' } },
  Div: { type: 'Div', ids: idsOf(S.DivOptions), kinds: { fused_activation_function: 'act' } },
  L2Norm: { type: 'L2Norm', ids: idsOf(S.L2NormOptions), kinds: { fused_activation_function: 'act' } },
  Reshape: { type: 'Reshape', ids: idsOf(S.ReshapeOptions), kinds: { new_shape: 'i32[]' } },
  Gather: { type: 'Gather', ids: idsOf(S.GatherOptions), kinds: { axis: 'i32', batch_dims: 'i32' } },
  Reducer: { type: 'Reducer', ids: idsOf(S.ReducerOptions), kinds: { keep_dims: 'bool' } },
  Squeeze: { type: 'Squeeze', ids: idsOf(S.SqueezeOptions), kinds: { squeeze_dims: 'i32[]' } },
  Split: { type: 'Split', ids: idsOf(S.SplitOptions), kinds: { num_splits: 'i32' } },
  StridedSlice: {
    type: 'StridedSlice', ids: idsOf(S.StridedSliceOptions),
    kinds: { begin_mask: 'i32', end_mask: 'i32', ellipsis_mask: 'i32', new_axis_mask: 'i32', shrink_axis_mask: 'i32', offset: 'bool' },
  },
  Cast: { type: 'Cast', ids: idsOf(S.CastOptions), kinds: { in_data_type: 'dtype', out_data_type: 'dtype' } },
  ArgMax: { type: 'ArgMax', ids: idsOf(S.ArgMaxOptions), kinds: { output_type: 'dtype' } },
  ArgMin: { type: 'ArgMin', ids: idsOf(S.ArgMinOptions), kinds: { output_type: 'dtype' } },
  Shape: { type: 'Shape', ids: idsOf(S.ShapeOptions), kinds: { out_type: 'dtype' } },
  LeakyRelu: { type: 'LeakyRelu', ids: idsOf(S.LeakyReluOptions), kinds: { alpha: 'f32' } },
  UnidirectionalSequenceLSTM: {
    type: 'UnidirectionalSequenceLSTM', ids: idsOf(S.UnidirectionalSequenceLSTMOptions),
    kinds: { fused_activation_function: 'act', cell_clip: 'f32', proj_clip: 'f32', time_major: 'bool', asymmetric_quantize_inputs: 'bool', diagonal_recurrent_tensors: 'bool' },
  },
  BatchMatMul: { type: 'BatchMatMul', ids: idsOf(S.BatchMatMulOptions), kinds: { adj_x: 'bool', adj_y: 'bool', asymmetric_quantize_inputs: 'bool' } },
  Gelu: { type: 'Gelu', ids: idsOf(S.GeluOptions), kinds: { approximate: 'bool' } },
  If: { type: 'If', ids: idsOf(S.IfOptions), kinds: { then_subgraph_index: 'i32', else_subgraph_index: 'i32' } },
  While: { type: 'While', ids: idsOf(S.WhileOptions), kinds: { cond_subgraph_index: 'i32', body_subgraph_index: 'i32' } },
  Pack: { type: 'Pack', ids: idsOf(S.PackOptions), kinds: { values_count: 'i32', axis: 'i32' } },
  Unpack: { type: 'Unpack', ids: idsOf(S.UnpackOptions), kinds: { num: 'i32', axis: 'i32' } },
  SpaceToDepth: { type: 'SpaceToDepth', ids: idsOf(S.SpaceToDepthOptions), kinds: { block_size: 'i32' } },
  DepthToSpace: { type: 'DepthToSpace', ids: idsOf(S.DepthToSpaceOptions), kinds: { block_size: 'i32' } },
  ResizeBilinear: { type: 'ResizeBilinear', ids: idsOf(S.ResizeBilinearOptions), kinds: { align_corners: 'bool', half_pixel_centers: 'bool' } },
  ResizeNearestNeighbor: { type: 'ResizeNearestNeighbor', ids: idsOf(S.ResizeNearestNeighborOptions), kinds: { align_corners: 'bool', half_pixel_centers: 'bool' } },
  MirrorPad: { type: 'MirrorPad', ids: idsOf(S.MirrorPadOptions), kinds: { mode: 'u8' } },
  Pad: { type: 'Pad', ...none },
  PadV2: { type: 'PadV2', ...none },
  Transpose: { type: 'Transpose', ...none },
  Exp: { type: 'Exp', ...none },
  LogSoftmax: { type: 'LogSoftmax', ...none },
  Dequantize: { type: 'Dequantize', ...none },
  Quantize: { type: 'Quantize', ...none },
  MaximumMinimum: { type: 'MaximumMinimum', ...none },
  Slice: { type: 'Slice', ...none },
  ExpandDims: { type: 'ExpandDims', ...none },
  HardSwish: { type: 'HardSwish', ...none },
  Tile: { type: 'Tile', ...none },
  Abs: { type: 'Abs', ...none },
  Neg: { type: 'Neg', ...none },
  Square: { type: 'Square', ...none },
  SquaredDifference: { type: 'SquaredDifference', ...none },
  Pow: { type: 'Pow', ...none },
  SelectV2: { type: 'SelectV2', ...none },
});

export type OptionsTableName = keyof typeof OPTION_TABLES;

/** Which options table each builtin op carries (ops absent here have none). */
export const OP_OPTIONS = {
  ADD: 'Add', SUB: 'Sub', MUL: 'Mul', DIV: 'Div',
  CONV_2D: 'Conv2D', DEPTHWISE_CONV_2D: 'DepthwiseConv2D', TRANSPOSE_CONV: 'TransposeConv',
  FULLY_CONNECTED: 'FullyConnected', SVDF: 'SVDF',
  AVERAGE_POOL_2D: 'Pool2D', MAX_POOL_2D: 'Pool2D', L2_POOL_2D: 'Pool2D',
  MEAN: 'Reducer', SUM: 'Reducer', REDUCE_MAX: 'Reducer', REDUCE_MIN: 'Reducer', REDUCE_PROD: 'Reducer',
  RESHAPE: 'Reshape', SQUEEZE: 'Squeeze', EXPAND_DIMS: 'ExpandDims', TRANSPOSE: 'Transpose',
  CONCATENATION: 'Concatenation', SPLIT: 'Split', STRIDED_SLICE: 'StridedSlice', SLICE: 'Slice',
  PAD: 'Pad', PADV2: 'PadV2', MIRROR_PAD: 'MirrorPad', GATHER: 'Gather', TILE: 'Tile',
  SOFTMAX: 'Softmax', LOG_SOFTMAX: 'LogSoftmax', LEAKY_RELU: 'LeakyRelu', HARD_SWISH: 'HardSwish', GELU: 'Gelu',
  QUANTIZE: 'Quantize', DEQUANTIZE: 'Dequantize', BATCH_MATMUL: 'BatchMatMul', L2_NORMALIZATION: 'L2Norm',
  EXP: 'Exp', MAXIMUM: 'MaximumMinimum', MINIMUM: 'MaximumMinimum', ARG_MAX: 'ArgMax', ARG_MIN: 'ArgMin', SHAPE: 'Shape', CAST: 'Cast',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'UnidirectionalSequenceLSTM', IF: 'If', WHILE: 'While',
  PACK: 'Pack', UNPACK: 'Unpack', SPACE_TO_DEPTH: 'SpaceToDepth', DEPTH_TO_SPACE: 'DepthToSpace',
  RESIZE_BILINEAR: 'ResizeBilinear', RESIZE_NEAREST_NEIGHBOR: 'ResizeNearestNeighbor',
  ABS: 'Abs', NEG: 'Neg', SQUARE: 'Square', SQUARED_DIFFERENCE: 'SquaredDifference', POW: 'Pow', SELECT_V2: 'SelectV2',
} as const satisfies Partial<Record<BuiltinOpName, OptionsTableName>>;

type Kinds<T extends OptionsTableName> = (typeof OPTION_TABLES)[T]['kinds'];

/** The options object of one options table, e.g. `OptionsOf<'Pool2D'>`. */
export type OptionsOf<T extends OptionsTableName> = {
  [F in keyof Kinds<T>]?: Kinds<T>[F] extends OptionKind ? OptionKindValue[Kinds<T>[F]] : never;
};

/** The options object an op takes: `OpOptions<'SOFTMAX'>` is `{ beta?: number }`; ops without options take `{}`. */
export type OpOptions<N extends BuiltinOpName> = N extends keyof typeof OP_OPTIONS
  ? OptionsOf<(typeof OP_OPTIONS)[N]>
  : Record<string, never>;

/**
 * The options table spec of an op, or undefined when it has none.
 * Example: `optionsTableOf('SOFTMAX')!.ids.beta === 0`.
 */
export function optionsTableOf(op: BuiltinOpName): TableSpec | undefined {
  const name = (OP_OPTIONS as Partial<Record<BuiltinOpName, OptionsTableName>>)[op];
  return name === undefined ? undefined : OPTION_TABLES[name];
}
