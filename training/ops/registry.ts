import type { DType, Storage } from '../dtype.js';
import type { Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { OpExporter } from '../onnx/context.js';
import type { OnnxImportRules, TfliteLowering } from './convert-traits.js';

/** Attribute values are plain data so graphs can print, hash and export them. */
export type AttrValue = number | boolean | string | null | readonly number[] | readonly (number | null)[] | readonly string[];
export type Attrs = Readonly<Record<string, AttrValue | undefined>>;

/** Shape and dtype of a tensor without its values: what inference and tracing see. */
export interface TensorMeta {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A concrete value handed to a kernel. */
export interface TensorValue extends TensorMeta {
  readonly data: Storage;
}

/** What an op's gradient function receives. Gradients are written with other ops. */
export interface GradContext<A extends Attrs> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
  /** One entry per output; null where the output got no gradient. */
  readonly gradOutputs: readonly (Tensor | null)[];
}

/**
 * The scalar expression of an elementwise op, for the jit's fused loops: JS
 * source over operand expressions (plain names), equal to the eager kernel
 * element for element. Generated kernels declare two-slot Float64Array
 * scratches `sel` (sel[0] = 0) and `sw` that selects use instead of branches.
 * @example { arity: 2, expr: ([x, y]) => `${x} + ${y}` }
 */
export interface FuseRule<A extends Attrs = Attrs> {
  readonly arity: number;
  expr(args: readonly string[], attrs: A): string;
  /** Numeric functions the expression calls by name: the eager kernel's own (e.g. `erf`), bound into the generated code. */
  readonly calls?: Readonly<Record<string, (x: number) => number>>;
}

/** An op with no ONNX export, and why (listed in docs/training-ops.md). */
export interface NotExported {
  readonly notExported: string;
}

/**
 * One op, defined once. Eager mode, tracing, autograd, the jit (fusion,
 * memory planning, in-place updates), the ONNX exporter and the converter read
 * its fields. Other modules look ops up by name (`getOp`) and keep no tables of
 * their own keyed by op name.
 */
export interface OpDef<A extends Attrs = Attrs> {
  readonly name: string;
  /** Output shapes/dtypes from input metas; throws TgliteError subclasses on bad input. */
  infer(inputs: readonly TensorMeta[], attrs: A): TensorMeta[];
  /** Eager kernel: computes every output. `outputs` are the inferred metas. */
  forward(inputs: readonly TensorValue[], attrs: A, outputs: readonly TensorMeta[]): Storage[];
  /**
   * Optional kernel writing every element of the given output buffers (they may
   * hold stale data). tg.jit runs an op that has one straight into the buffers of
   * its memory plan, or into variable storage. Outputs never share memory with
   * inputs unless the op is `inPlace`.
   */
  forwardInto?(inputs: readonly TensorValue[], attrs: A, outputs: readonly Storage[]): void;
  /**
   * `forwardInto` may be given its own inputs as outputs (each element read
   * before it is written): state updates (optimizer steps) run in place eagerly
   * and under tg.jit.
   */
  readonly inPlace?: boolean;
  /** Vector-Jacobian product, one entry per input (null: no gradient). Absent: not differentiable. */
  grad?(ctx: GradContext<A>): (Tensor | null)[];
  /** Same-shape or broadcast, no cross-element reads: the op must give a `fuse` expression (test/training/op-table.test.ts checks). */
  readonly elementwise?: boolean;
  /** Ops with side effects (assign, print, random draws like dropout) are never removed or deduplicated by graph passes. */
  readonly sideEffect?: boolean;
  /** The jit fuses elementwise ops with this expression (every `elementwise` op has one). */
  readonly fuse?: FuseRule<A>;
  /** The kernel may return an input's storage as its output (reshape, print): memory plans extend that input's lifetime. */
  readonly aliasesInput?: boolean;
  /** How `tg.onnx.export` writes the op, or why it cannot. */
  readonly onnx: OpExporter | NotExported;
  /** Lowering to TFLite builtins (converter/lower reads it). Absent: the converter reports the op as unsupported. */
  readonly tflite?: TfliteLowering;
  /** ONNX op types that import as this op, and how (converter/onnx-import reads it). */
  readonly onnxImport?: OnnxImportRules;
}

const table = new Map<string, OpDef<Attrs>>();

/** Registers an op once; returns it typed. Duplicate names are a programming error. */
export function defineOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  if (table.has(def.name)) throw new Error(`op '${def.name}' is defined twice`);
  table.set(def.name, def as unknown as OpDef<Attrs>);
  return def;
}

export function getOp(name: string): OpDef<Attrs> | undefined {
  return table.get(name);
}

/** Every registered op, in registration order: for coverage tables, docs and tests that walk the table. */
export function allOps(): OpDef<Attrs>[] {
  return [...table.values()];
}

/**
 * A public function written in other ops, with no definition of its own: it
 * traces, differentiates and exports through its parts (`parts`: the op names
 * it dispatches). Listed in docs/training-ops.md beside the ops.
 */
export interface CompositeDef {
  readonly name: string;
  readonly parts: readonly string[];
}

const composites = new Map<string, CompositeDef>();

/** Registers a composite function for the op table's docs; its parts must be ops (test/training/op-table.test.ts checks). */
export function defineComposite(name: string, parts: readonly string[]): void {
  if (composites.has(name) || table.has(name)) throw new Error(`op or composite '${name}' is defined twice`);
  composites.set(name, { name, parts });
}

/** Every registered composite function, in registration order. */
export function allComposites(): CompositeDef[] {
  return [...composites.values()];
}
