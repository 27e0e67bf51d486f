/**
 * The CPU op resolver: builtin code -> `LiteOp`. Each op is one file in this folder
 * exporting one `LiteOp`; add it to `ALL_OPS` below (one import, one entry), or, when few models
 * use it, to `LAZY_OPS` and a lazy-*.ts chunk: `loadOps` (called by `loadModel`) imports the chunk
 * only for models that contain the op, so the runtime's main bundle does not carry it.
 *
 * Ops the real models in test/fixtures/tflite-micro use (subgraph 0, dtypes in -> out), do these first:
 * - hello_world_float: FULLY_CONNECTED v1 x3 (float32 [1,1] -> [1,16] -> [1,16] -> [1,1], fused RELU).
 * - hello_world_int8:  FULLY_CONNECTED v4 x3 (int8, per-tensor weights, int32 bias).
 * - person_detect:     DEPTHWISE_CONV_2D v3 x14, CONV_2D v2 x14 (int8, per-channel weights/bias),
 *                      AVERAGE_POOL_2D v2, RESHAPE v1, SOFTMAX v2 (int8 -> int8).
 * - micro_speech_quantized: RESHAPE v1 (int32 const shape), DEPTHWISE_CONV_2D v3 (int8 per-channel,
 *                      [1,49,40,1] * [1,10,8,8]), FULLY_CONNECTED v4 (int8, rank-4 input [1,25,20,8]
 *                      flattened to 4000), SOFTMAX v2 (int8 -> int8).
 * - keyword_scrambled: QUANTIZE v1 (int16 -> int8, and int16 -> int32 at the end), SVDF v3 x7
 *                      (int8 input/weights_feature, int16 weights_time, int32 bias, int16 variable
 *                      state [1,512]/[1,1024] that persists across runs), FULLY_CONNECTED v4 x5 (int8),
 *                      SOFTMAX v2 (int8 -> int16).
 *
 * ```ts
 * const def = resolveOp(BuiltinOp.CONV_2D); // LiteOp | undefined
 * ```
 */
import type { LiteOp } from './op.js';
import { BuiltinOp, type BuiltinOpName } from '../format/schema.js';
import { BackendError } from '../format/errors.js';
import { ADD } from './add.js';
import { AVERAGE_POOL_2D } from './average_pool_2d.js';
import { CONV_2D } from './conv_2d.js';
import { DEPTHWISE_CONV_2D } from './depthwise_conv_2d.js';
import { DEQUANTIZE } from './dequantize.js';
import { DIV } from './div.js';
import { EXP } from './exp.js';
import { FULLY_CONNECTED } from './fully_connected.js';
import { GELU } from './gelu.js';
import { HARD_SWISH } from './hard_swish.js';
import { LEAKY_RELU } from './leaky_relu.js';
import { LOGISTIC } from './logistic.js';
import { MAXIMUM } from './maximum.js';
import { MAX_POOL_2D } from './max_pool_2d.js';
import { MINIMUM } from './minimum.js';
import { MUL } from './mul.js';
import { QUANTIZE } from './quantize.js';
import { RELU } from './relu.js';
import { RELU6 } from './relu6.js';
import { RESHAPE } from './reshape.js';
import { RSQRT } from './rsqrt.js';
import { SOFTMAX } from './softmax.js';
import { SQRT } from './sqrt.js';
import { SUB } from './sub.js';
import { TANH } from './tanh.js';
import { SQUEEZE } from './squeeze.js';
import { EXPAND_DIMS } from './expand_dims.js';
import { TRANSPOSE } from './transpose.js';
import { SLICE } from './slice.js';
import { PAD } from './pad.js';
import { STRIDED_SLICE } from './strided_slice.js';
import { CONCATENATION } from './concatenation.js';
import { SPLIT } from './split.js';
import { GATHER } from './gather.js';
import { SHAPE } from './shape.js';
import { CAST } from './cast.js';
import { ARG_MAX } from './arg_max.js';
import { MEAN } from './mean.js';
import { SUM } from './sum.js';
import { LOG_SOFTMAX } from './log_softmax.js';
import { L2_NORMALIZATION } from './l2_normalization.js';
import { BATCH_MATMUL } from './batch_matmul.js';
import { TRANSPOSE_CONV } from './transpose_conv.js';
import { NEG } from './neg.js';
import { ABS } from './abs.js';
import { SQUARE } from './square.js';
import { FLOOR } from './floor.js';
import { CEIL } from './ceil.js';
import { ROUND } from './round.js';
import { LOG } from './log.js';
import { SIN } from './sin.js';
import { COS } from './cos.js';
import { SQUARED_DIFFERENCE } from './squared_difference.js';
import { POW } from './pow.js';
import { PACK } from './pack.js';
import { UNPACK } from './unpack.js';
import { SPLIT_V } from './split_v.js';
import { TILE } from './tile.js';
import { PRELU } from './prelu.js';
import { LESS } from './less.js';
import { GREATER } from './greater.js';
import { LESS_EQUAL } from './less_equal.js';
import { GREATER_EQUAL } from './greater_equal.js';
import { EQUAL } from './equal.js';
import { NOT_EQUAL } from './not_equal.js';
import { SELECT_V2 } from './select_v2.js';
import { RESIZE_BILINEAR } from './resize_bilinear.js';
import { RESIZE_NEAREST_NEIGHBOR } from './resize_nearest_neighbor.js';
import { REDUCE_MAX } from './reduce_max.js';
import { REDUCE_MIN } from './reduce_min.js';
import { REDUCE_PROD } from './reduce_prod.js';
import { ARG_MIN } from './arg_min.js';
import { RELU_N1_TO_1 } from './relu_n1_to_1.js';
import { RELU_0_TO_1 } from './relu_0_to_1.js';
import { ELU } from './elu.js';
import { PADV2 } from './padv2.js';
import { BROADCAST_TO } from './broadcast_to.js';
import { LOGICAL_AND } from './logical_and.js';
import { LOGICAL_OR } from './logical_or.js';
import { LOGICAL_NOT } from './logical_not.js';
import { FLOOR_DIV } from './floor_div.js';
import { FLOOR_MOD } from './floor_mod.js';
import { ZEROS_LIKE } from './zeros_like.js';
import { FILL } from './fill.js';

/** The ops the CPU backend loads with the runtime (one line each, new ops at the end; op files export the op's TFLite name). */
export const ALL_OPS: ReadonlyArray<LiteOp> = [
  ADD,
  AVERAGE_POOL_2D,
  CONV_2D,
  DEPTHWISE_CONV_2D,
  DEQUANTIZE,
  DIV,
  EXP,
  FULLY_CONNECTED,
  GELU,
  HARD_SWISH,
  LEAKY_RELU,
  LOGISTIC,
  MAXIMUM,
  MAX_POOL_2D,
  MINIMUM,
  MUL,
  QUANTIZE,
  RELU,
  RELU6,
  RESHAPE,
  RSQRT,
  SOFTMAX,
  SQRT,
  SUB,
  TANH,
  SQUEEZE,
  EXPAND_DIMS,
  TRANSPOSE,
  SLICE,
  PAD,
  STRIDED_SLICE,
  CONCATENATION,
  SPLIT,
  GATHER,
  SHAPE,
  CAST,
  ARG_MAX,
  MEAN,
  SUM,
  LOG_SOFTMAX,
  L2_NORMALIZATION,
  BATCH_MATMUL,
  TRANSPOSE_CONV,
  NEG,
  ABS,
  SQUARE,
  FLOOR,
  CEIL,
  ROUND,
  LOG,
  SIN,
  COS,
  SQUARED_DIFFERENCE,
  POW,
  PACK,
  UNPACK,
  SPLIT_V,
  TILE,
  PRELU,
  LESS,
  GREATER,
  LESS_EQUAL,
  GREATER_EQUAL,
  EQUAL,
  NOT_EQUAL,
  SELECT_V2,
  RESIZE_BILINEAR,
  RESIZE_NEAREST_NEIGHBOR,
  REDUCE_MAX,
  REDUCE_MIN,
  REDUCE_PROD,
  ARG_MIN,
  RELU_N1_TO_1,
  RELU_0_TO_1,
  ELU,
  PADV2,
  BROADCAST_TO,
  LOGICAL_AND,
  LOGICAL_OR,
  LOGICAL_NOT,
  FLOOR_DIV,
  FLOOR_MOD,
  ZEROS_LIKE,
  FILL,
];

/** An op of the CPU backend kept out of the runtime's main bundle: `load` imports its chunk. */
export interface LazyOp {
  readonly code: number;
  readonly name: string;
  load(): Promise<LiteOp>;
}

/**
 * Ops few models use, in two chunks that `loadOps` imports for the models that contain one of them:
 * the recurrent ops, and the control-flow and rarely used data-movement ops.
 */
export const LAZY_OPS: ReadonlyArray<LazyOp> = [
  ...chunk(() => import('./lazy-recurrent.js'), ['SVDF', 'UNIDIRECTIONAL_SEQUENCE_LSTM']),
  ...chunk(() => import('./lazy-rare.js'), [
    'IF', 'WHILE', 'SPACE_TO_DEPTH', 'DEPTH_TO_SPACE', 'SPACE_TO_BATCH_ND', 'BATCH_TO_SPACE_ND',
    'MIRROR_PAD', 'GATHER_ND', 'REVERSE_V2', 'CUMSUM',
  ]),
];

/** The lazy ops of one chunk: `load` imports the chunk, whose exports are named after their ops. */
function chunk<M extends Record<keyof M, LiteOp>>(load: () => Promise<M>, names: ReadonlyArray<BuiltinOpName & keyof M>): LazyOp[] {
  return names.map((name) => ({ code: BuiltinOp[name], name, load: async () => (await load())[name] }));
}

const BY_CODE = new Map<number, LiteOp>();
for (const op of ALL_OPS) BY_CODE.set(op.code, op);

/** The CPU op for a builtin code, or undefined when the runtime lacks it or it is a lazy op not yet loaded by `loadOps`. */
export function resolveOp(code: number): LiteOp | undefined {
  return BY_CODE.get(code);
}

/**
 * Imports the lazy ops among `codes` (a model's builtin codes) once, so `resolveOp` finds them.
 * @example await loadOps(parseModel(bytes).opCodes.map((c) => c.code));
 */
export async function loadOps(codes: Iterable<number>): Promise<void> {
  const wanted = new Set(codes);
  await Promise.all(LAZY_OPS.filter((l) => wanted.has(l.code) && !BY_CODE.has(l.code)).map(async (l) => {
    let op: LiteOp;
    try {
      op = await l.load();
    } catch (e) {
      throw new BackendError(`the CPU op ${l.name} is a chunk of its own and could not be imported: ${(e as Error).message}`);
    }
    BY_CODE.set(l.code, op);
  }));
}
