/**
 * `convert(source, options)`: ONNX bytes, or a tg.jit function / nn.Module with
 * example inputs, to a `.tflite` model. The pipeline: import (ONNX -> IR) ->
 * freeze -> cleanup -> shape check -> fold batch norm -> fold pad -> remove
 * no-ops -> fuse bias/activation -> layout -> lower (op definitions' `tflite`)
 * -> quantize -> write (FlatBuffer). The bytes carry a `report`.
 * @example
 * import { convert } from 'tglite/converter';
 * const tflite = await convert(onnxBytes, { inputShapes: { input: [1, 3, 224, 224] } });
 * console.log(tflite.report.opsAfter, tflite.length);
 */
import '../training/ops/index.js';
import type { Graph } from '../training/graph/ir.js';
import { exportModel, type DynamicAxes } from '../training/onnx/export.js';
import type { Tensor } from '../training/tensor.js';
import { writeTflite } from './tflite-writer/index.js';
import type { ModelDesc } from './tflite-writer/types.js';
import { ConvertError } from './errors.js';
import { importOnnx } from './onnx-import/import.js';
import { assignLayouts, cleanup, foldBatchNorm, foldPad, freeze, fuseBiasActivation, fuseGelu, inferShapes, removeNoops } from './passes/index.js';
import { lowerGraph } from './lower/lower.js';
import { carrySignatures, dynamicDims, exampleFailure, exampleInputShapes, keepDynamic } from './dynamic-dims.js';
import { quantizeModel, type QuantizeMode, type TensorQuantError } from './quantize/index.js';
import type { KeepFloatCandidate } from './quantize/int8.js';

export type { QuantizeMode } from './quantize/index.js';

/** A function or module traced through tg.onnx.export. */
export interface TracedSource {
  model: ((...args: Tensor[]) => unknown) | { forward(...args: Tensor[]): unknown };
  inputs: readonly Tensor[];
  inputNames?: readonly string[];
  outputNames?: readonly string[];
  /** Dims kept dynamic, by input/output name, as `tg.onnx.export` takes them (e.g. `{ x: [0] }` for any batch). */
  dynamicAxes?: Readonly<Record<string, DynamicAxes>>;
}

export type ConvertSource = Uint8Array | ArrayBuffer | TracedSource;

export interface ConvertOptions {
  /** 'none' (default), 'float16' (fp16 weights + DEQUANTIZE), 'dynamic' (int8 weights, float activations), 'int8' (full integer, needs `calibration`). */
  quantize?: QuantizeMode;
  /** Input sets for int8 calibration (the forms `model.run` takes: arrays by position or records by input name). */
  calibration?: Iterable<unknown> | AsyncIterable<unknown>;
  /**
   * Fixed shapes by input name. Dynamic dims without one (or given as -1) stay dynamic (shape 1,
   * shape_signature -1) where the model allows it, else a DynamicDimError names the dim and the op.
   */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Rank-4 inputs and outputs stored NHWC (default: the model's layout). */
  nhwcIO?: boolean;
  /** For int8: 'int8' or 'float32' (default: QUANTIZE/DEQUANTIZE inside the model) inputs/outputs. */
  ioDtype?: 'int8' | 'float32';
  /** For int8: ops left in float32, by node name as in `report.quantError` (`CONV_2D_3`: op and index) or output tensor name. */
  keepFloat?: readonly string[];
  /**
   * Step-by-step (ONNX) LSTMs become one UNIDIRECTIONAL_SEQUENCE_LSTM; with int8, TFLite's integer LSTM. LiteRT.js
   * does not run it (variable tensors). Its state carries over from run to run, as in TFLite: `model.resetState()`
   * between sequences.
   */
  fuseLstm?: boolean;
  /** Called at each stage with a fraction done. */
  onProgress?: (stage: string, fraction: number) => void;
}

export interface ConvertReport {
  /** ONNX op counts of the source. */
  opsBefore: Record<string, number>;
  /** TFLite op counts of the result. */
  opsAfter: Record<string, number>;
  /** Bytes of the source (ONNX) and the result. */
  sizeBefore: number;
  sizeAfter: number;
  /** Per-tensor quantization error (weights for float16/dynamic; every activation on the calibration data for int8, worst first). */
  quantError: TensorQuantError[];
  /** int8: the nodes adding the most quantization noise, the first to try in `keepFloat`. */
  keepFloatCandidates?: KeepFloatCandidate[];
  /** int8: ops left in float32 and why. */
  floatOps?: { node: string; op: string; reason: string }[];
  /** Graph changes per pass. */
  passes: Record<string, number>;
  /** Notes: dynamic dims kept, etc. */
  warnings: string[];
  inputNames: string[];
  outputNames: string[];
}

export type ConvertResult = Uint8Array & { report: ConvertReport };

const PRODUCER = 'tglite 0.1.0';

function isTraced(s: ConvertSource): s is TracedSource {
  return !(s instanceof Uint8Array) && !(s instanceof ArrayBuffer) && typeof s === 'object' && s !== null && 'model' in s;
}

/** The passes of `convert` on an imported graph (exported for tests and tools). */
export function optimizeForTflite(g: Graph, passes: Record<string, number> = {}): Graph {
  passes.freeze = freeze(g);
  cleanup(g);
  passes.shapes = inferShapes(g);
  passes.foldBatchNorm = foldBatchNorm(g);
  passes.foldPad = foldPad(g);
  passes.removeNoops = removeNoops(g);
  cleanup(g);
  passes.fuseGelu = fuseGelu(g);
  passes.fuseBiasActivation = fuseBiasActivation(g);
  return g;
}

/** Converts a model to `.tflite` bytes; see the module comment. */
export async function convert(source: ConvertSource, options: ConvertOptions = {}): Promise<ConvertResult> {
  const progress = options.onProgress ?? (() => {});
  const quant = options.quantize ?? 'none';
  if (!['none', 'float16', 'dynamic', 'int8'].includes(quant)) throw new ConvertError(`quantize: '${quant}' is not one of none, float16, dynamic, int8`);
  let bytes: Uint8Array;
  if (isTraced(source)) {
    progress('export', 0);
    bytes = exportModel(source.model as never, [...source.inputs], { inputNames: source.inputNames, outputNames: source.outputNames, dynamicAxes: source.dynamicAxes });
  } else {
    bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
  }
  progress('import', 0);
  const passes: Record<string, number> = {};
  const lowerAt = (inputShapes: ConvertOptions['inputShapes'], passCounts: Record<string, number> = {}) => {
    const imported = importOnnx(bytes, { inputShapes });
    const g = imported.graph;
    optimizeForTflite(g, passCounts);
    const layouts = assignLayouts(g, { nhwcIO: options.nhwcIO });
    const { desc } = lowerGraph(g, layouts, {
      inputNames: imported.inputNames, outputNames: imported.outputNames, nhwcIO: options.nhwcIO, opset: imported.opset,
    });
    return { imported, desc };
  };
  // -1 in an inputShapes entry keeps that dim dynamic (example size 1)
  const fixed = exampleInputShapes(options.inputShapes);
  // dims left open keep shape_signature -1 where the model allows it (dynamic-dims.ts)
  let first: ReturnType<typeof lowerAt>;
  try {
    first = lowerAt(fixed, passes);
  } catch (e) {
    const open = dynamicDims(bytes, options.inputShapes);
    throw open.length ? exampleFailure(e, bytes, open, options.inputShapes, (s) => lowerAt({ ...fixed, ...s })) : e;
  }
  const { imported, desc: exampleDesc } = first;
  // (the file is decoded again only when the import left a dim open or inputShapes has a -1)
  const anyOpen = imported.fixedDims.length > 0 || Object.values(options.inputShapes ?? {}).some((s) => s.includes(-1));
  const dyn = anyOpen ? dynamicDims(bytes, options.inputShapes) : [];
  const exampleShapes = Object.fromEntries(imported.graph.inputs.map((v, k) => [imported.inputNames[k]!, [...v.shape]]));
  const desc = dyn.length ? await keepDynamic(exampleDesc, dyn, exampleShapes, (s) => lowerAt({ ...fixed, ...s }).desc) : exampleDesc;
  progress('lower', 0.5);
  progress('quantize', 0.7);
  const { desc: quantized, errors, int8 } = await quantizeModel(desc, quant, { ...options, onProgress: progress });
  const qdesc = dyn.length ? carrySignatures(quantized) : quantized;
  const full: ModelDesc = {
    ...qdesc,
    description: `converted by ${PRODUCER} from ${imported.producer || 'ONNX'} (opset ${imported.opset})`,
    metadata: [
      { name: 'min_runtime_version', data: minRuntimeVersion(qdesc) },
      { name: 'producer', data: new TextEncoder().encode(PRODUCER) },
    ],
  };
  progress('write', 0.9);
  const out = writeTflite(full) as ConvertResult;
  const opsAfter: Record<string, number> = {};
  for (const o of qdesc.operators) opsAfter[o.op] = (opsAfter[o.op] ?? 0) + 1;
  out.report = {
    opsBefore: imported.onnxOps, opsAfter, sizeBefore: bytes.length, sizeAfter: out.length, quantError: errors, passes,
    warnings: dyn.map((d) => `input '${d.input}' dim ${d.dim}${d.param ? ` '${d.param}'` : ''} is dynamic (shape_signature -1, example size ${exampleShapes[d.input]![d.dim]})`), inputNames: imported.inputNames, outputNames: imported.outputNames,
    ...(int8 ? { keepFloatCandidates: int8.keepFloatCandidates, floatOps: int8.floatOps } : {}),
  };
  progress('done', 1);
  return out;
}

/** TFLite's min_runtime_version metadata: a 16-byte, zero-padded version string. */
function minRuntimeVersion(desc: ModelDesc): Uint8Array {
  const ops = new Set(desc.operators.map((o) => o.op));
  const v = ops.has('GELU') ? '2.14.0' : ops.has('BROADCAST_TO') || ops.has('CUMSUM') ? '2.5.0' : ops.has('HARD_SWISH') ? '1.15.0' : '1.14.0';
  const b = new Uint8Array(16);
  b.set(new TextEncoder().encode(v));
  return b;
}
