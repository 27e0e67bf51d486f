/**
 * ONNX (opset 11-22) -> the graph IR of training/graph. Initializers become
 * constants; each node is imported by the rule that an op definition of the
 * table lists for its ONNX type (`OpDef.onnxImport`), or by a structural rule
 * (structural.ts: Constant, Identity, Shape, Cast, LSTM, GRU...). Nodes whose
 * inputs are all constants fold as they are imported, so shape computations
 * (Shape -> Gather -> Concat -> Reshape) end as constants. Every unsupported op
 * is collected and reported at once.
 * @example
 * const { graph } = importOnnx(bytes, { inputShapes: { input: [1, 3, 224, 224] } });
 * console.log(graph.toString());
 */
import type { DType, Storage } from '../../training/dtype.js';
import { Graph, type Value } from '../../training/graph/ir.js';
import { allOps, getOp, type Attrs } from '../../training/ops/registry.js';
import type { OnnxAttr, OnnxImportContext, OnnxImporter } from '../../training/ops/convert-traits.js';
import { sizeOf } from '../../training/shape.js';
import { ConvertError, OnnxFormatError, UnsupportedOpsError, type UnsupportedOp } from '../errors.js';
import { decodeOnnx, decodeTensor, irDType, type OnnxAttrMsg, type OnnxNodeMsg } from './decode.js';
import { STRUCTURAL_RULES, ALTERNATIVES } from './structural.js';

export interface ImportOptions {
  /** Fixed shapes for inputs by name (dynamic dims of the others default to 1). */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
}

export interface ImportResult {
  graph: Graph;
  /** ONNX names of the graph inputs and outputs, in order. */
  inputNames: string[];
  outputNames: string[];
  opset: number;
  producer: string;
  /** ONNX node count per op type. */
  onnxOps: Record<string, number>;
  /** Dynamic dims imported at 1 because no input shape was given (convert keeps them dynamic where it can): "input 'x' dim 0 'batch' ...". */
  fixedDims: string[];
}

/**
 * The newest opset read (ONNX 1.17). Opsets 19-22 changed the ops the rules claim only by
 * element types (bfloat16, float8, int4) and attributes the rules check (AveragePool
 * dilations, Pad 'wrap', Resize modes); rules whose semantics moved read `c.opset`.
 */
export const MAX_OPSET = 22;

/**
 * Below opset 11 only models made of these ops are read: each op with the opset since which its
 * definition is the one its rule reads (unchanged up to MAX_OPSET).
 */
const OLD_OPSET_OPS: Readonly<Record<string, number>> = { Not: 1, And: 7, Or: 7, Xor: 7, Shrink: 9, Scatter: 9, ReverseSequence: 10, Upsample: 9 };

/** Folded results above this many elements stay nodes. */
const MAX_FOLD = 1 << 20;

class NodeFailure extends Error {
  constructor(readonly reason: string, readonly alternative?: string) { super(reason); }
}

/** The op table's import rules by ONNX type (first definition wins). */
function tableRules(): Map<string, OnnxImporter> {
  const m = new Map<string, OnnxImporter>();
  for (const def of allOps()) for (const [type, rule] of Object.entries(def.onnxImport ?? {})) if (!m.has(type)) m.set(type, rule);
  for (const [type, rule] of Object.entries(STRUCTURAL_RULES)) if (!m.has(type)) m.set(type, rule);
  return m;
}

/** Every ONNX op type the importer handles. */
export function importableOnnxOps(): string[] {
  return [...tableRules().keys()].sort();
}

/**
 * Imports ONNX bytes into a Graph. Throws OnnxFormatError for a malformed
 * file, UnsupportedOpsError listing every op it cannot import.
 */
export function importOnnx(bytes: Uint8Array, opts: ImportOptions = {}): ImportResult {
  const model = decodeOnnx(bytes);
  const main = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = Number(main?.version ?? 0);
  const old = opset < 11 && opset > 0 && (model.graph?.node ?? []).every((n) => (OLD_OPSET_OPS[n.op_type ?? ''] ?? 99) <= opset);
  if ((opset < 11 && !old) || opset > MAX_OPSET) throw new OnnxFormatError(`ONNX opset ${opset || '(none)'} is not supported (11 to ${MAX_OPSET})`);
  const gm = model.graph!;
  const graph = new Graph();
  const values = new Map<string, Value>();
  const int64 = new Map<Value, readonly number[]>();
  const constData = new Map<Value, Storage>();
  const fixedDims: string[] = [];

  for (const t of gm.initializer ?? []) {
    const name = t.name ?? '';
    const d = decodeTensor(t, `initializer '${name}'`);
    const v = graph.addConstant(d.dims, d.dtype, d.data);
    v.name = name;
    constData.set(v, d.data);
    if (d.ints) int64.set(v, d.ints);
    values.set(name, v);
  }
  const inputNames: string[] = [];
  for (const vi of gm.input ?? []) {
    const name = vi.name ?? '';
    if (values.has(name)) continue; // IR < 4 lists initializers as inputs too
    const tt = vi.type?.tensor_type;
    if (!tt) throw new ConvertError(`input '${name}' is not a tensor (sequence, map and optional values are not supported)`);
    const dtype = irDType(tt.elem_type ?? 0, `input '${name}'`);
    const given = opts.inputShapes?.[name];
    const dims = tt.shape?.dim ?? [];
    let shape: number[];
    if (given) {
      if (given.length !== dims.length || given.some((d, i) => dims[i].dim_value !== undefined && Number(dims[i].dim_value) > 0 && Number(dims[i].dim_value) !== d)) {
        throw new ConvertError(`inputShapes['${name}'] = [${given.join(', ')}] does not fit the model's input [${dims.map((d) => d.dim_param ?? d.dim_value ?? '?').join(', ')}]`);
      }
      shape = [...given];
    } else {
      shape = dims.map((d, k) => {
        const n = Number(d.dim_value ?? 0);
        if (n > 0) return n;
        fixedDims.push(`input '${name}' dim ${k}${d.dim_param ? ` '${d.dim_param}'` : ''} is dynamic (imported at 1; convert keeps it dynamic where the model allows, inputShapes fixes it)`);
        return 1;
      });
    }
    const v = graph.addInput(shape, dtype, name);
    values.set(name, v);
    inputNames.push(name);
  }
  if (opts.inputShapes) {
    for (const k of Object.keys(opts.inputShapes)) {
      if (!inputNames.includes(k)) throw new ConvertError(`inputShapes names '${k}', which is not an input (${inputNames.join(', ')})`);
    }
  }

  const rules = tableRules();
  const unsupported: UnsupportedOp[] = [];
  const onnxOps: Record<string, number> = {};
  const nodes = gm.node ?? [];
  // names some node or the graph reads: an output a rule does not produce fails only when it is read
  const read = new Set([...nodes.flatMap((n) => n.input ?? []), ...(gm.output ?? []).map((o) => o.name ?? '')]);
  nodes.forEach((n, k) => {
    const type = n.op_type ?? '';
    onnxOps[type] = (onnxOps[type] ?? 0) + 1;
    const nodeName = n.name || `${type}_${k}`;
    const fail = (reason: string, alternative?: string) => unsupported.push({ opType: type, node: nodeName, opset, reason, alternative });
    if (n.domain && n.domain !== 'ai.onnx') { fail(`domain '${n.domain}' is not supported`); return; }
    const rule = rules.get(type);
    if (!rule) { fail('no import rule', ALTERNATIVES[type]); return; }
    const ins = (n.input ?? []).map((s) => (s === '' ? undefined : values.get(s)));
    const missing = (n.input ?? []).findIndex((s, i) => s !== '' && ins[i] === undefined);
    if (missing >= 0) {
      // an input produced by an unsupported node: that node is already reported
      if (unsupported.length) return;
      throw new OnnxFormatError(`node '${nodeName}' (${type}) reads '${n.input![missing]}', which no earlier node, input or initializer defines`);
    }
    const ctx = new ImportCtx(graph, n, nodeName, opset, ins, constData, int64);
    let outs: readonly (Value | undefined)[];
    try {
      const r = rule(ctx);
      outs = Array.isArray(r) ? r : [r as Value];
    } catch (e) {
      if (e instanceof NodeFailure) { fail(e.reason, e.alternative ?? ALTERNATIVES[type]); return; }
      if (e instanceof Error && !(e instanceof ConvertError) && (e as { code?: string }).code !== undefined) {
        fail(e.message);
        return;
      }
      throw e;
    }
    (n.output ?? []).forEach((name, i) => {
      if (name === '') return;
      const v = outs[i];
      if (!v) { if (i === 0 || read.has(name)) fail(`output ${i} ('${name}') is not supported`); return; }
      values.set(name, v);
    });
  });
  if (unsupported.length) throw new UnsupportedOpsError(unsupported);

  const outputNames: string[] = [];
  for (const vi of gm.output ?? []) {
    const name = vi.name ?? '';
    const v = values.get(name);
    if (!v) throw new OnnxFormatError(`output '${name}' is not produced by any node`);
    graph.outputs.push(v);
    outputNames.push(name);
  }
  return { graph, inputNames, outputNames, opset, producer: `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim(), onnxOps, fixedDims };
}

function attrValue(a: OnnxAttrMsg, what: string): OnnxAttr {
  switch (a.type) {
    case 1: return a.f ?? 0;
    case 2: return Number(a.i ?? 0);
    case 3: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case 4: return decodeTensor(a.t ?? {}, what);
    case 6: return a.floats ?? [];
    case 7: return (a.ints ?? []).map(Number);
    case 8: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default:
      // Files without types: guess from the fields present.
      if (a.ints?.length) return a.ints.map(Number);
      if (a.floats?.length) return a.floats;
      if (a.t) return decodeTensor(a.t, what);
      if (a.s?.length) return new TextDecoder().decode(a.s);
      if (a.g) throw new NodeFailure(`attribute '${a.name}' holds a subgraph (If/Loop/Scan are not supported)`);
      if (a.f !== undefined) return a.f;
      return a.i !== undefined ? Number(a.i) : undefined;
  }
}

class ImportCtx implements OnnxImportContext {
  readonly opType: string;
  readonly inputCount: number;
  /** Number of outputs the ONNX node names (Split without sizes splits into that many). */
  readonly outputCount: number;
  private readonly attrs = new Map<string, OnnxAttrMsg>();

  constructor(private readonly graph: Graph, n: OnnxNodeMsg, readonly nodeName: string, readonly opset: number,
    private readonly ins: (Value | undefined)[], private readonly constData: Map<Value, Storage>,
    private readonly int64: Map<Value, readonly number[]>) {
    this.opType = n.op_type ?? '';
    this.inputCount = ins.length;
    this.outputCount = (n.output ?? []).length;
    for (const a of n.attribute ?? []) this.attrs.set(a.name, a);
  }

  input(i: number): Value {
    const v = this.ins[i];
    if (!v) throw new NodeFailure(`input ${i} is required`);
    return v;
  }

  has(i: number): boolean {
    return this.ins[i] !== undefined;
  }

  constant(i: number): Storage | undefined {
    const v = this.ins[i];
    return v ? this.constData.get(v) : undefined;
  }

  ints(i: number): number[] {
    const v = this.input(i);
    const big = this.int64.get(v);
    if (big) return [...big];
    const d = this.constData.get(v);
    if (!d) throw new NodeFailure(`input ${i} must be a constant (it is computed at run time)`);
    return Array.from(d, Number);
  }

  attr(name: string, fallback: number): number;
  attr(name: string, fallback: string): string;
  attr<T extends OnnxAttr>(name: string, fallback: T): T;
  attr(name: string): OnnxAttr;
  attr(name: string, fallback?: OnnxAttr): OnnxAttr {
    const a = this.attrs.get(name);
    if (!a) return fallback;
    return attrValue(a, `node '${this.nodeName}' attribute '${name}'`);
  }

  ops(op: string, inputs: readonly Value[], attrs: Attrs = {}): Value[] {
    const def = getOp(op);
    if (!def) throw new Error(`internal: import rule of ${this.opType} names op '${op}', which is not in the table`);
    const metas = def.infer(inputs.map((v) => ({ shape: v.shape, dtype: v.dtype })), attrs);
    const datas = inputs.map((v) => this.constData.get(v));
    if (!def.sideEffect && datas.every((d) => d !== undefined) && metas.every((m) => sizeOf(m.shape) <= MAX_FOLD)) {
      const res = def.forward(inputs.map((v, i) => ({ shape: v.shape, dtype: v.dtype, data: datas[i]! })), attrs, metas);
      return metas.map((m, i) => this.constantValue(m.shape, m.dtype, res[i]));
    }
    return this.graph.addNode(op, [...inputs], attrs, metas);
  }

  op(op: string, inputs: readonly Value[], attrs: Attrs = {}): Value {
    return this.ops(op, inputs, attrs)[0];
  }

  constantValue(shape: readonly number[], dtype: DType, data: Storage): Value {
    const v = this.graph.addConstant(shape, dtype, data);
    this.constData.set(v, data);
    if (dtype === 'int32') this.int64.set(v, Array.from(data));
    return v;
  }

  /** int64 constants that do not fit int32 (e.g. Slice ends of INT64_MAX). */
  constantInts(shape: readonly number[], values: readonly number[]): Value {
    const data = Int32Array.from(values, (x) => Math.max(-2147483648, Math.min(2147483647, x)));
    const v = this.constantValue(shape, 'int32', data);
    this.int64.set(v, [...values]);
    return v;
  }

  f32(values: number | readonly number[]): Value {
    const arr = typeof values === 'number' ? [values] : values;
    return this.constantValue(typeof values === 'number' ? [] : [arr.length], 'float32', Float32Array.from(arr));
  }

  unsupported(reason: string, alternative?: string): never {
    throw new NodeFailure(reason, alternative);
  }
}

export { ImportCtx };
