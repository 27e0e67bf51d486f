/**
 * The converter's traits of an op, as fields of its definition (`OpDef.tflite`,
 * `OpDef.onnxImport`). Only types live here: the converter (converter/lower,
 * converter/onnx-import) implements the contexts and reads the fields.
 *
 * @example
 * defineOp({ name: 'exp', ..., tflite: { builtin: 'EXP' }, onnxImport: { Exp: (c) => c.op('exp', [c.input(0)]) } });
 */
import type { BuiltinOpName } from '../../lite-runtime/format/schema.js';
import type { DType, Storage } from '../dtype.js';
import type { Node, Value } from '../graph/ir.js';
import type { Attrs, OpDef } from './registry.js';

/** A physical layout: physical dim i holds logical dim perm[i] (identity = the IR's own layout). */
export type Perm = readonly number[];

/** TFLite fused activations the lowering may attach to an op's output. */
export type FusedActivation = 'NONE' | 'RELU' | 'RELU6' | 'RELU_N1_TO_1' | 'TANH';

/** What an op's lowering sees while the converter flattens a graph into TFLite operators. */
export interface TfliteLowerContext {
  readonly node: Node;
  /** Tensor index of input `i` stored in layout `perm` (default: the logical layout); a TRANSPOSE or a permuted constant is made when needed. */
  input(i: number, perm?: Perm): number;
  /** Input `i` broadcast-aligned to rank `rank` (leading 1s) and stored in layout `perm`. */
  inputAligned(i: number, rank: number, perm: Perm): number;
  /** The layout input `i` is stored in now. */
  layoutOf(i: number): Perm;
  /** The data of input `i` when it is a constant. */
  constant(i: number): Storage | undefined;
  /** The layout the layout pass chose for output `i`. */
  outputLayout(i: number): Perm;
  /** Tensor index of output `i` (stored in `outputLayout(i)`). */
  output(i: number): number;
  /** Output `i` is tensor `t` as it is (already in `outputLayout(i)`): no operator, e.g. a permute the layout absorbed. */
  alias(i: number, t: number): void;
  /** A new constant tensor (physical shape). */
  addConstant(name: string, shape: readonly number[], dtype: DType | 'int64' | 'float16' | 'int8', data: ArrayBufferView | ArrayLike<number>): number;
  /** A new intermediate tensor (physical shape). */
  addTensor(name: string, shape: readonly number[], dtype: DType): number;
  /** Appends one operator; tensor -1 marks an omitted optional input. */
  emit(op: BuiltinOpName, inputs: readonly number[], outputs: readonly number[], options?: Record<string, unknown> | null, version?: number): void;
  /** The activation the fusion pass attached to this node ('NONE' when none). */
  readonly activation: FusedActivation;
  /** Ends lowering of this node with an UnsupportedError naming it and `reason`. */
  unsupported(reason: string): never;
}

/**
 * How the layout pass treats an op: 'channelsLast' ops (conv, pool) read and write rank-4
 * values as NHWC; 'elementwise' ops keep their inputs' layout; 'logical' (the default) ops
 * read and write the IR's own layout. A function picks the output layout from the input
 * layouts (null: logical); the lowering then maps its axes.
 */
export type LayoutRule = 'channelsLast' | 'elementwise' | 'logical' | ((inputs: readonly Perm[], node: Node) => Perm | null);

/** An op's lowering to TFLite builtins. */
export interface TfliteLowering {
  /** One builtin with the node's inputs and outputs in order (elementwise ops): the common case. */
  readonly builtin?: BuiltinOpName;
  /** Options of `builtin` from the node (e.g. LEAKY_RELU's alpha). */
  readonly options?: (node: Node) => Record<string, unknown>;
  /** A lowering that emits its own operators (overrides `builtin`). */
  readonly lower?: (ctx: TfliteLowerContext) => void;
  /** Default 'logical'; 'elementwise' when `builtin` is set. */
  readonly layout?: LayoutRule;
  /** TFLite ops that can carry this node's activation as `fused_activation_function`. */
  readonly fusesActivation?: boolean;
  /** Whether this node can lower at all (e.g. conv2d with groups that TFLite cannot express): a reason when not. */
  readonly check?: (node: Node) => string | null;
}

/** An ONNX attribute value, decoded. */
export type OnnxAttr = number | string | readonly number[] | readonly string[] | OnnxTensorData | undefined;

/** A decoded ONNX tensor (initializer, Constant value, tensor attribute). int64 is read into int32 when it fits. */
export interface OnnxTensorData { readonly dims: readonly number[]; readonly dtype: DType; readonly data: Storage }

/** What an ONNX import rule sees for one ONNX node. */
export interface OnnxImportContext {
  /** The ONNX node's type, name and the model's opset for its domain. */
  readonly opType: string;
  readonly nodeName: string;
  readonly opset: number;
  /** Number of inputs given (empty names count as absent). */
  readonly inputCount: number;
  /** Input `i` as an IR value (undefined when absent). */
  input(i: number): Value;
  has(i: number): boolean;
  /** Constant data of input `i`, or undefined when it is computed at run time. */
  constant(i: number): Storage | undefined;
  /** Constant integer values of input `i` (shapes, axes, pads), or a failure naming the input. */
  ints(i: number): number[];
  /** Attribute value or `fallback`. */
  attr(name: string, fallback: number): number;
  attr(name: string, fallback: string): string;
  attr<T extends OnnxAttr>(name: string, fallback: T): T;
  attr(name: string): OnnxAttr;
  /** Adds a node of the op table (output metas inferred; folded when every input is constant); returns its outputs. */
  ops(op: string, inputs: readonly Value[], attrs?: Attrs): Value[];
  /** `ops(...)[0]`. */
  op(op: string, inputs: readonly Value[], attrs?: Attrs): Value;
  /** A new constant. */
  constantValue(shape: readonly number[], dtype: DType, data: Storage): Value;
  /** An int32 constant whose int64 values (beyond int32, e.g. Slice ends) are kept for `ints`. */
  constantInts(shape: readonly number[], values: readonly number[]): Value;
  /** A scalar or 1-D float32 constant. */
  f32(values: number | readonly number[]): Value;
  /** Fails this node: an unsupported-op entry with `reason` and the closest supported alternative. */
  unsupported(reason: string, alternative?: string): never;
}

/** Imports one ONNX node; returns its outputs in order (undefined for outputs it does not produce). */
export type OnnxImporter = (ctx: OnnxImportContext) => Value | readonly (Value | undefined)[];

/** ONNX op types (default domain) this op imports from, each with its rule. */
export type OnnxImportRules = Readonly<Record<string, OnnxImporter>>;

/** The common rule: the ONNX node's inputs, in order, into one op of the table. */
export function importAs(op: string, attrs: (c: OnnxImportContext) => Attrs = () => ({})): OnnxImporter {
  return (c) => c.op(op, Array.from({ length: c.inputCount }, (_, i) => c.input(i)), attrs(c));
}

/** The converter's fields of a definition. */
export type ConvertTraits = Pick<OpDef, 'tflite' | 'onnxImport'>;

/**
 * Sets an op's converter fields, once, in the op's own file (beside its
 * definition; ops made by a shared factory get theirs this way too).
 * @example withTraits(EXP, { tflite: builtin('EXP'), onnxImport: onnx('Exp', 'exp') });
 */
export function withTraits<A extends Attrs>(def: OpDef<A>, traits: ConvertTraits): void {
  Object.assign(def, traits);
}
