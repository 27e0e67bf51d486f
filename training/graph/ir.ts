import type { DType, Storage } from '../dtype.js';
import type { Attrs } from '../ops/registry.js';

/**
 * The graph IR shared by tg.jit, the ONNX exporter and the converter. It holds
 * no eager tensors: variables carry a name and a reference to read their
 * storage, constants carry typed arrays.
 *
 * @example
 * const g = new Graph();
 * const x = g.addInput([2, 3], 'float32', 'x');
 * const [y] = g.addNode('relu', [x], {}, [{ shape: [2, 3], dtype: 'float32' }]);
 * g.outputs.push(y);
 * console.log(g.toString());
 */

/** A value flowing between nodes: a graph input, variable, constant or node output. */
export interface Value {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** A readable name (inputs, variables); printing falls back to `%id`. */
  name?: string;
}

/** One op application. `op` names an entry of the op table (or a fused/control op of the jit). */
export interface Node {
  op: string;
  inputs: Value[];
  outputs: Value[];
  attrs: Attrs;
  /** Branches of `cond` ([then, else]) and `while` ([cond, body]). */
  subgraphs?: Graph[];
}

/** How a variable's current storage is read (and state is written back) at run time. */
export interface VariableRef {
  /** The storage now (re-read on every run, so training updates are seen). */
  read(): Storage;
  /** Bumped whenever the storage is written (lets kernels cache packed weights). */
  version(): number;
  /** Writes new values in place (the commit of an `assign`). */
  write(values: Storage): void;
}

/** A captured tensor read by reference on every run (parameters, buffers, optimizer state). */
export interface Variable {
  readonly value: Value;
  name: string;
  readonly ref: VariableRef;
}

/** A value known at trace time. */
export interface Constant {
  readonly value: Value;
  readonly data: Storage;
}

let nextId = 0;

/** A fresh value (ids are unique across all graphs of a process). */
export function newValue(shape: readonly number[], dtype: DType, name?: string): Value {
  const v: Value = { id: nextId++, shape: Object.freeze([...shape]), dtype };
  if (name !== undefined) v.name = name;
  return v;
}

export class Graph {
  inputs: Value[] = [];
  outputs: Value[] = [];
  nodes: Node[] = [];
  variables: Variable[] = [];
  constants: Constant[] = [];

  /** Adds a graph input. */
  addInput(shape: readonly number[], dtype: DType, name?: string): Value {
    const v = newValue(shape, dtype, name);
    this.inputs.push(v);
    return v;
  }

  /** Adds a constant holding `data` (not copied). */
  addConstant(shape: readonly number[], dtype: DType, data: Storage): Value {
    const v = newValue(shape, dtype);
    this.constants.push({ value: v, data });
    return v;
  }

  /** Adds a variable read through `ref`. */
  addVariable(shape: readonly number[], dtype: DType, name: string, ref: VariableRef): Value {
    const v = newValue(shape, dtype, name);
    this.variables.push({ value: v, name, ref });
    return v;
  }

  /** Appends a node with fresh output values of the given metas; returns the outputs. */
  addNode(op: string, inputs: Value[], attrs: Attrs, outputs: readonly { shape: readonly number[]; dtype: DType }[], subgraphs?: Graph[]): Value[] {
    const outs = outputs.map((m) => newValue(m.shape, m.dtype));
    const node: Node = { op, inputs, outputs: outs, attrs };
    if (subgraphs) node.subgraphs = subgraphs;
    this.nodes.push(node);
    return outs;
  }

  /** The constant data of `v`, or undefined. */
  constantOf(v: Value): Storage | undefined {
    return this.constants.find((c) => c.value === v)?.data;
  }

  /** The variable of `v`, or undefined. */
  variableOf(v: Value): Variable | undefined {
    return this.variables.find((x) => x.value === v);
  }

  /** Node producing each value. */
  producers(): Map<Value, Node> {
    const m = new Map<Value, Node>();
    for (const n of this.nodes) for (const o of n.outputs) m.set(o, n);
    return m;
  }

  /** Nodes reading each value (subgraph captures count as reads by the owning node). */
  consumers(): Map<Value, Node[]> {
    const m = new Map<Value, Node[]>();
    for (const n of this.nodes) {
      for (const i of n.inputs) {
        const list = m.get(i);
        if (list) { if (!list.includes(n)) list.push(n); } else m.set(i, [n]);
      }
    }
    return m;
  }

  /** A copy passes can rewrite: new node lists and node objects (subgraphs too); values and constant data are shared. */
  clone(): Graph {
    const g = new Graph();
    g.inputs = [...this.inputs];
    g.outputs = [...this.outputs];
    g.nodes = this.nodes.map((n) => {
      const copy: Node = { ...n, inputs: [...n.inputs], outputs: [...n.outputs] };
      if (n.subgraphs) copy.subgraphs = n.subgraphs.map((s) => s.clone());
      return copy;
    });
    g.variables = [...this.variables];
    g.constants = [...this.constants];
    return g;
  }

  /** Replaces every use of `from` by `to` (node inputs and graph outputs). */
  replaceUses(from: Value, to: Value): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
    this.outputs = this.outputs.map((o) => (o === from ? to : o));
  }

  /** A readable listing, one line per node (see `formatGraph`). */
  toString(): string {
    return formatGraph(this);
  }
}

/** Name of a value in listings: its name when it has one, else `%id`. */
export function valueName(v: Value): string {
  return v.name !== undefined ? `%${v.name}` : `%${v.id}`;
}

function typeOf(v: Value): string {
  return `${v.dtype}[${v.shape.join(', ')}]`;
}

function fmtAttr(a: unknown): string {
  if (Array.isArray(a)) {
    const items = a.map((x) => (x === null ? 'null' : String(x)));
    return items.length > 12 ? `[${items.slice(0, 8).join(', ')}, ... (${items.length})]` : `[${items.join(', ')}]`;
  }
  if (typeof a === 'string') return JSON.stringify(a);
  return String(a);
}

function fmtConst(c: Constant): string {
  const d = c.data;
  if (d.length <= 4) return `[${Array.from(d).join(', ')}]`;
  return `[${Array.from(d.subarray(0, 3)).join(', ')}, ... (${d.length})]`;
}

/**
 * Prints a graph like a jaxpr: header lines for inputs, variables and
 * constants, then one line per node, then the outputs.
 * @example
 * graph(%x: float32[3])
 *   %5: float32[3] = mul(%x, %x)
 *   return %5
 */
export function formatGraph(g: Graph, indent = ''): string {
  const lines: string[] = [];
  lines.push(`${indent}graph(${g.inputs.map((v) => `${valueName(v)}: ${typeOf(v)}`).join(', ')})`);
  for (const v of g.variables) lines.push(`${indent}  var ${valueName(v.value)}: ${typeOf(v.value)}`);
  for (const c of g.constants) lines.push(`${indent}  const ${valueName(c.value)}: ${typeOf(c.value)} = ${fmtConst(c)}`);
  for (const n of g.nodes) {
    const outs = n.outputs.map((o) => `${valueName(o)}: ${typeOf(o)}`).join(', ');
    // A fused elementwise node prints its expression; its program arrays are for the kernel.
    const shown = n.op === 'fused.elementwise' ? { expr: n.attrs.expr } : n.attrs;
    const attrs = Object.entries(shown).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${fmtAttr(v)}`);
    const attrText = attrs.length ? ` {${attrs.join(', ')}}` : '';
    lines.push(`${indent}  ${outs} = ${n.op}(${n.inputs.map(valueName).join(', ')})${attrText}`);
    n.subgraphs?.forEach((s, i) => {
      lines.push(`${indent}    branch ${i}:`);
      lines.push(formatGraph(s, `${indent}      `));
    });
  }
  lines.push(`${indent}  return ${g.outputs.map(valueName).join(', ')}`);
  return lines.join('\n');
}
