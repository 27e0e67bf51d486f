import type { DType, Storage } from '../dtype.js';
import { TgliteError } from '../errors.js';
import type { Node, Value } from '../graph/ir.js';
import { ATTR_TYPE, DATA_TYPE, type AttrMsg, type GraphMsg, type NodeMsg, type TensorMsg } from './messages.js';

/** An export problem: an op without an ONNX mapping, bad options, a graph ONNX cannot express. */
export class OnnxExportError extends TgliteError {
  constructor(message: string) { super('onnx-export', message); }
}

/** Attribute values, typed as ONNX wants them. */
export type AttrSpec = { i: number } | { f: number } | { ints: readonly number[] } | { floats: readonly number[] } | { s: string } | { strs: readonly string[] } | { g: GraphMsg };

/** Per-dim symbolic names (dynamic axes) of a value; null = a fixed size. */
export type Sym = readonly (string | null)[];

/** State shared by every scope of one export: initializers, symbolic dims, name counters. */
export class ModelState {
  readonly initializers: TensorMsg[] = [];
  readonly syms = new Map<Value, Sym>();
  /** Dynamic axes of the graph inputs by symbol: where each is read at run time, and its example size. */
  readonly bases = new Map<string, { readonly input: string; readonly axis: number; readonly size: number }>();
  /** The node of the IR each ONNX node was written for (error messages of the export check). */
  readonly origins = new Map<NodeMsg, Node>();
  /** The node of the IR being written. */
  current: Node | null = null;
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();

  /** A name no other value of the model has. */
  unique(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 't';
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** An initializer (deduplicated by content for small tensors). */
  initializer(hint: string, dtype: keyof typeof DATA_TYPE, dims: readonly number[], bytes: Uint8Array): string {
    const key = bytes.length <= 64 ? `${dtype}|${dims.join(',')}|${Array.from(bytes).join(',')}` : null;
    if (key) { const hit = this.constCache.get(key); if (hit) return hit; }
    const name = this.unique(hint);
    this.initializers.push({ name, dims: [...dims], data_type: DATA_TYPE[dtype], raw_data: bytes });
    if (key) this.constCache.set(key, name);
    return name;
  }
}

/** Little-endian bytes of a storage (booleans one byte each, as ONNX raw_data wants). */
export function rawBytes(data: Storage | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/**
 * Emits ONNX nodes for one graph scope (the main graph, or a branch / loop
 * body). Names of values are local to the scope; outer values a subgraph
 * reads are seeded with their outer names (ONNX subgraphs see outer scope).
 */
export class Emitter {
  readonly nodes: NodeMsg[] = [];
  private readonly names = new Map<Value, string>();

  constructor(readonly model: ModelState, readonly opset: number) {}

  /** Binds a value to a name (inputs, initializers, captures). */
  bind(v: Value, name: string): void {
    this.names.set(v, name);
  }

  name(v: Value): string {
    const n = this.names.get(v);
    if (n === undefined) throw new OnnxExportError(`internal: value %${v.id} is used before it is defined`);
    return n;
  }

  /** A fresh name for a node output. */
  define(v: Value, hint: string): string {
    const name = this.model.unique(hint);
    this.names.set(v, name);
    return name;
  }

  /** A fresh temporary name. */
  temp(hint: string): string {
    return this.model.unique(hint);
  }

  /** Appends a node; returns its first output. */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrSpec> = {}): string {
    const msg: NodeMsg = {
      name: this.model.unique(`${opType}_node`), op_type: opType, input: [...inputs], output: [...outputs],
      attribute: Object.entries(attrs).map(([name, a]) => attrMsg(name, a)),
    };
    this.nodes.push(msg);
    if (this.model.current) this.model.origins.set(msg, this.model.current);
    return outputs[0];
  }

  /** A one-output node with a temporary output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrSpec> = {}): string {
    return this.node(opType, inputs, [this.temp(opType.toLowerCase())], attrs);
  }

  /** An int64 constant (shapes, axes, pads...). */
  i64(values: readonly number[], scalar = false): string {
    return this.model.initializer('i64', 'int64', scalar ? [] : [values.length], rawBytes(BigInt64Array.from(values.map((v) => BigInt(v)))));
  }

  /** A constant of a training dtype. */
  constant(dtype: DType, values: readonly number[], dims: readonly number[] = []): string {
    const data = dtype === 'float32' ? Float32Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values);
    return this.model.initializer(`c_${dtype}`, dtype, dims, rawBytes(data));
  }

  /** `name` converted from one dtype to another (no node when equal). */
  cast(name: string, from: DType, to: DType): string {
    return from === to ? name : this.op('Cast', [name], { to: { i: DATA_TYPE[to] } });
  }

  /** Symbolic dims of a value (all fixed when unknown). */
  sym(v: Value): Sym {
    return this.model.syms.get(v) ?? v.shape.map(() => null);
  }
}

function attrMsg(name: string, a: AttrSpec): AttrMsg {
  if ('i' in a) return { name, type: ATTR_TYPE.INT, i: a.i };
  if ('f' in a) return { name, type: ATTR_TYPE.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: ATTR_TYPE.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: ATTR_TYPE.FLOATS, floats: [...a.floats] };
  if ('s' in a) return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(a.s) };
  if ('strs' in a) return { name, type: ATTR_TYPE.STRINGS, strings: a.strs.map((x) => new TextEncoder().encode(x)) };
  return { name, type: ATTR_TYPE.GRAPH, g: a.g };
}

/** How an op of the table becomes ONNX nodes: `ins` and `outs` are the node's value names. */
export type OpExporter = (e: Emitter, n: Node, ins: readonly string[], outs: readonly string[]) => void;
