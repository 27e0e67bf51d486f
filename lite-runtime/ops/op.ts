/**
 * The contract between the interpreter and one TFLite op. Each op is one file
 * in this folder exporting one `LiteOp`; the op resolver (`resolver.ts`) maps
 * builtin codes to them. The CPU backend runs them. The WebGPU backend
 * (`backends/webgpu/`) does not implement this contract: it runs a prepared
 * subgraph with its own kernels, keyed by builtin code, and falls back to an
 * op's `run` on the CPU where it has no kernel.
 *
 * Changes (all backward compatible):
 * - OpNode.prepareSubgraph added (control flow needs the callee's output shapes at prepare).
 * - OpNode.maxLoopIterations added (the loader's limit for WHILE).
 * - OpNode.intermediates added (the integer LSTM's gate and hidden scales).
 */

/** Element types, named as TFLite's TensorType enum, lower-cased. */
export type LiteDType =
  | 'float32' | 'float16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64'
  | 'bool' | 'string';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | BigInt64Array;

/** Affine quantization: real = scale * (q - zeroPoint); per-tensor when length 1, else per `axis`. */
export interface Quantization {
  scale: Float32Array;
  zeroPoint: Int32Array;
  axis: number;
}

/** A tensor as the interpreter holds it while a model is loaded. */
export interface RtTensor {
  readonly index: number;
  readonly name: string;
  dtype: LiteDType;
  shape: number[];
  /** Element view into the arena (activations) or the model bytes (constants); set by the planner. */
  data: TypedArray;
  /** True for tensors backed by a model buffer (weights, constant shapes). */
  readonly isConst: boolean;
  quant?: Quantization;
}

/** Read access to one op's builtin options table (TFLite schema field ids, 0-based). */
export interface OptionsTable {
  bool(field: number, def: boolean): boolean;
  i8(field: number, def: number): number;
  u8(field: number, def: number): number;
  i16(field: number, def: number): number;
  i32(field: number, def: number): number;
  f32(field: number, def: number): number;
  i32Vector(field: number): Int32Array | null;
  str(field: number): string | null;
}

/** What an op sees: its tensors, its options, and a way to run subgraphs (control flow). */
export interface OpNode {
  /** Operator index in the subgraph, for error messages. */
  readonly index: number;
  /** Missing optional inputs (index -1 in the model) are null. */
  readonly inputs: ReadonlyArray<RtTensor | null>;
  readonly outputs: ReadonlyArray<RtTensor>;
  readonly options: OptionsTable | null;
  /** Op version from the model's operator code. */
  readonly version: number;
  /** Runs subgraph `index` with the given inputs, copying into `outputs` (IF, WHILE). */
  runSubgraph?(index: number, inputs: RtTensor[], outputs: RtTensor[]): void;
  /**
   * Prepares subgraph `index` for inputs of these shapes/dtypes (at the caller's prepare)
   * and returns its output tensors, whose shapes are then known and whose data holds the
   * results after each `runSubgraph` call (IF, WHILE).
   */
  prepareSubgraph?(index: number, inputs: ReadonlyArray<RtTensor>): ReadonlyArray<RtTensor>;
  /** Most iterations a loop op (WHILE) may run before it is treated as runaway. */
  readonly maxLoopIterations?: number;
  /** The operator's intermediate tensors (quantization only; the integer LSTM reads its gate scales here). */
  readonly intermediates?: ReadonlyArray<RtTensor>;
}

/**
 * One TFLite builtin op.
 * - `prepare` runs at load time and again when an input shape changes: it checks
 *   dtypes and options, sets every output's `shape` (and dtype/quant if unset),
 *   and returns per-node state (packed weights, requantization multipliers,
 *   scratch buffers). It may allocate; `run` must not.
 * - `run` computes outputs from inputs in place in the arena.
 * Errors: throw `LiteError` subclasses (format/errors.ts) naming the op, node and tensors.
 */
export interface LiteOp<S = unknown> {
  /** TFLite BuiltinOperator code (format/schema.ts). */
  readonly code: number;
  /** TFLite builtin name, e.g. 'CONV_2D'. */
  readonly name: string;
  prepare(node: OpNode): S;
  run(node: OpNode, state: S): void;
}
