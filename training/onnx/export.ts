import type { DType } from '../dtype.js';
import { formatGraph, type Graph, type Node, type Value } from '../graph/ir.js';
import { cleanup } from '../graph/passes/index.js';
import { jit, type Forwardable } from '../jit/jit.js';
import { allOps, getOp } from '../ops/registry.js';
import { rawBytes, Emitter, ModelState, OnnxExportError, type OpExporter, type Sym } from './context.js';
import { DATA_TYPE, onnxTypes, type DimMsg, type GraphMsg, type ValueInfoMsg } from './proto.js';
import { writeFileAtomic } from './write.js';
import { checkDynamic } from './check-dynamic.js';
import { whileExporting } from './exporting.js';
import { Tensor } from '../tensor.js';
import { checkOptions, keysOf } from '../options.js';

/** Dynamic axes of an input or output: dim indices (named `<name>_dim<k>`) or { dim: name }. */
export type DynamicAxes = readonly number[] | Readonly<Record<number, string>>;

export interface ExportOptions {
  /** Names of the graph inputs (default input_0, ...). */
  inputNames?: readonly string[];
  /** Names of the graph outputs (default output_0, ...). */
  outputNames?: readonly string[];
  /** Dims left symbolic in the model, by input/output name (e.g. { input: [0] } for any batch size). */
  dynamicAxes?: Readonly<Record<string, DynamicAxes>>;
  /** ONNX opset (17, the default, or 18). */
  opset?: number;
  /** Write the model here (atomically) as well as returning it. */
  path?: string;
  /** Written into the model's doc_string. */
  docString?: string;
}

const EXPORT_KEYS = keysOf<ExportOptions>({ inputNames: true, outputNames: true, dynamicAxes: true, opset: true, path: true, docString: true });

/** Control flow nodes (not ops of the table): written from their subgraphs. */
const CONTROL: Readonly<Record<string, OpExporter>> = { cond: emitCond, while: emitWhile };

/** How a node's op exports (its definition's `onnx` field), or why it does not. */
function exporterOf(op: string): OpExporter | string {
  const control = Object.hasOwn(CONTROL, op) ? CONTROL[op] : undefined;
  if (control) return control;
  const onnx = getOp(op)?.onnx;
  if (typeof onnx === 'function') return onnx;
  if (onnx) return onnx.notExported;
  return op.startsWith('fused.') ? 'a jit executor op: export graphFor(...), not optimizedGraphFor(...)' : '';
}

/** Ops of the table that export (for coverage tables). */
export function exportableOps(): string[] {
  return allOps().filter((op) => typeof op.onnx === 'function').map((op) => op.name).sort();
}

/**
 * Traces `fn` (a function of tensors or a module, exported in eval mode) on
 * `exampleInputs` and writes an ONNX ModelProto: weights as initializers,
 * tg.cond / tg.whileLoop as If / Loop. Returns the bytes (and writes `path`).
 * @example
 * const bytes = tg.onnx.export(model, [tg.randn([1, 784])], { inputNames: ['x'], dynamicAxes: { x: [0] }, path: 'mlp.onnx' });
 */
export function exportModel(fn: ((...args: Tensor[]) => unknown) | Forwardable, exampleInputs: Tensor | readonly Tensor[], opts: ExportOptions = {}): Uint8Array {
  checkOptions('onnx.export', opts, EXPORT_KEYS);
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : [...exampleInputs];
  const mod = fn as { training?: unknown; eval?: () => unknown; train?: (mode?: boolean) => unknown };
  const wasTraining = typeof mod.eval === 'function' && typeof mod.train === 'function' && mod.training === true;
  if (wasTraining) mod.eval!();
  try {
    const build = (xs: Tensor[]) => buildGraph(cleanup(jit(fn as (...a: Tensor[]) => unknown, { optimize: false }).graphFor(...xs).clone()), opts);
    const built = whileExporting(() => build(inputs));
    // Traced again at other sizes along each dynamic axis: a model that would run wrong there is refused.
    whileExporting(() => checkDynamic(built, inputs, build));
    return encodeModel(built.g, opts);
  } finally {
    if (wasTraining) mod.train!(true);
  }
}

/**
 * Writes a graph of the IR (e.g. from `jitted.graphFor(...)`) as an ONNX model.
 * Unlike `export`, which traces the function again at other sizes, it cannot
 * check that dynamic axes stay right at every size.
 * @example const bytes = tg.onnx.exportGraph(f.graphFor(x), { inputNames: ['x'] });
 */
export function exportGraph(graph: Graph, opts: ExportOptions = {}): Uint8Array {
  checkOptions('onnx.exportGraph', opts, EXPORT_KEYS);
  return encodeModel(buildGraph(graph, opts).g, opts);
}

/** The ONNX graph message of `graph` (see exportGraph), and the state its export built. */
export function buildGraph(graph: Graph, opts: ExportOptions = {}): { g: GraphMsg; model: ModelState } {
  const opset = opts.opset ?? 17;
  if (opset !== 17 && opset !== 18) throw new OnnxExportError(`onnx.export: opset ${opset} is not supported (17 or 18)`);
  const model = new ModelState();
  const e = new Emitter(model, opset);
  const inputNames = graph.inputs.map((_, i) => model.unique(opts.inputNames?.[i] ?? `input_${i}`));
  const outputNames = graph.outputs.map((_, i) => model.unique(opts.outputNames?.[i] ?? `output_${i}`));
  const known = new Set([...inputNames, ...outputNames]);
  for (const name of Object.keys(opts.dynamicAxes ?? {})) {
    if (!known.has(name)) throw new OnnxExportError(`onnx.export: dynamicAxes names '${name}', which is not an input or output (${[...known].join(', ')})`);
  }
  graph.inputs.forEach((v, i) => {
    e.bind(v, inputNames[i]);
    const sym = symOf(v, inputNames[i], opts.dynamicAxes);
    model.syms.set(v, sym);
    sym.forEach((s, axis) => {
      if (s === null) return;
      const seen = model.bases.get(s);
      if (seen && seen.size !== v.shape[axis]) {
        throw new OnnxExportError(`onnx.export: dynamic axis '${s}' is ${seen.size} in input '${seen.input}' but ${v.shape[axis]} in input '${inputNames[i]}' of the example`);
      }
      if (!seen) model.bases.set(s, { input: inputNames[i], axis, size: v.shape[axis] });
    });
  });
  for (const c of graph.constants) e.bind(c.value, model.initializer(`const_${c.value.id}`, c.value.dtype, c.value.shape, rawBytes(c.data)));
  for (const x of graph.variables) {
    const data = x.ref.read();
    const name = model.unique(x.name);
    model.initializers.push({ name, dims: [...x.value.shape], data_type: DATA_TYPE[x.value.dtype], raw_data: rawBytes(data) });
    e.bind(x.value, name);
  }
  emitNodes(e, graph);
  const outputs = graph.outputs.map((v, i) => {
    e.node('Identity', [e.name(v)], [outputNames[i]]);
    const given = opts.dynamicAxes?.[outputNames[i]];
    return valueInfo(outputNames[i], v, given ? symOf(v, outputNames[i], opts.dynamicAxes) : e.sym(v));
  });
  const g: GraphMsg = {
    name: 'tglite', node: e.nodes, initializer: model.initializers,
    input: graph.inputs.map((v, i) => valueInfo(inputNames[i], v, e.sym(v))), output: outputs,
  };
  return { g, model };
}

/** Encodes a graph message as a ModelProto (and writes `opts.path`). */
export function encodeModel(g: GraphMsg, opts: ExportOptions): Uint8Array {
  const opset = opts.opset ?? 17;
  const { ModelProto } = onnxTypes();
  const msg = ModelProto.fromObject({
    ir_version: 8, opset_import: [{ domain: '', version: opset }], producer_name: 'tglite', producer_version: '0.1.0',
    doc_string: opts.docString ?? '', graph: g,
  });
  const bytes = ModelProto.encode(msg).finish();
  if (opts.path) writeFileAtomic(opts.path, bytes);
  return bytes;
}

function symOf(v: Value, name: string, dyn: ExportOptions['dynamicAxes']): Sym {
  const axes = dyn?.[name];
  const sym: (string | null)[] = v.shape.map(() => null);
  if (!axes) return sym;
  const entries: [number, string][] = Array.isArray(axes)
    ? (axes as readonly number[]).map((d) => [d, `${name}_dim${d}`])
    : Object.entries(axes).map(([d, s]) => [Number(d), s as string]);
  for (const [d, s] of entries) {
    const k = d < 0 ? d + v.shape.length : d;
    if (!Number.isInteger(k) || k < 0 || k >= v.shape.length) {
      throw new OnnxExportError(`onnx.export: dynamicAxes of '${name}' names dim ${d}, but it has shape [${v.shape.join(', ')}]`);
    }
    sym[k] = s;
  }
  return sym;
}

function valueInfo(name: string, v: Value, sym: Sym | null): ValueInfoMsg {
  const tensor: ValueInfoMsg['type']['tensor_type'] = { elem_type: DATA_TYPE[v.dtype] };
  if (sym) tensor.shape = { dim: v.shape.map((d, i): DimMsg => (sym[i] ? { dim_param: sym[i]! } : { dim_value: d })) };
  return { name, type: { tensor_type: tensor } };
}

/** Emits every node of `g` into `e` (inputs already bound). */
function emitNodes(e: Emitter, g: Graph): void {
  for (const n of g.nodes) {
    const exporter = exporterOf(n.op);
    if (typeof exporter === 'string') {
      const why = exporter ? ` (${exporter})` : '';
      throw new OnnxExportError(`onnx.export: op '${n.op}' has no ONNX mapping${why}; node: ${nodeLine(n)}`);
    }
    const ins = n.inputs.map((v) => e.name(v));
    const outs = n.outputs.map((o) => e.define(o, n.op));
    const outer = e.model.current;
    e.model.current = n;
    try {
      exporter(e, n, ins, outs);
    } finally {
      e.model.current = outer;
    }
    for (const o of n.outputs) if (!e.model.syms.has(o)) e.model.syms.set(o, propagateSym(e, n, o));
  }
}

function nodeLine(n: Node): string {
  const g = { inputs: [], outputs: [], nodes: [n], variables: [], constants: [] } as unknown as Graph;
  return formatGraph(g).split('\n')[1].trim();
}

/** Symbolic dims of an output from inputs with the same size at the same (right-aligned) position. */
function propagateSym(e: Emitter, n: Node, o: Value): Sym {
  return o.shape.map((d, i) => {
    for (const x of n.inputs) {
      const j = i - (o.shape.length - x.shape.length);
      const s = e.sym(x);
      if (j >= 0 && x.shape[j] === d && s[j] !== null) return s[j];
    }
    return null;
  });
}

function toBoolScalar(e: Emitter, name: string, dtype: DType): string {
  const b = dtype === 'bool' ? name : e.op('Cast', [name], { to: { i: DATA_TYPE.bool } });
  return e.op('Reshape', [b, e.i64([])]);
}

function subgraph(e: Emitter, g: Graph, bindings: readonly string[], tag: string, extraInputs: ValueInfoMsg[] = []): GraphMsg {
  const sub = new Emitter(e.model, e.opset);
  g.inputs.forEach((v, i) => sub.bind(v, bindings[i]));
  emitNodes(sub, g);
  const output = g.outputs.map((v) => {
    const name = sub.temp(`${tag}_out`);
    sub.node('Identity', [sub.name(v)], [name]);
    return valueInfo(name, v, null);
  });
  return { name: e.temp(tag), node: sub.nodes, initializer: [], input: extraInputs, output };
}

/** tg.cond -> If: branches read outer values by name. */
function emitCond(e: Emitter, n: Node, ins: readonly string[], outs: readonly string[]): void {
  const [thenG, elseG] = n.subgraphs!;
  const caps = ins.slice(1);
  const pred = toBoolScalar(e, ins[0], n.inputs[0].dtype);
  e.node('If', [pred], outs, {
    then_branch: { g: subgraph(e, thenG, caps, 'then') },
    else_branch: { g: subgraph(e, elseG, caps, 'else') },
  });
}

/** tg.whileLoop -> Loop: the condition is evaluated before the loop and at the end of each body run. */
function emitWhile(e: Emitter, n: Node, ins: readonly string[], outs: readonly string[]): void {
  const k = n.attrs.numLoopVars as number;
  const [condG, bodyG] = n.subgraphs!;
  const caps = ins.slice(k);
  const inline = (em: Emitter, g: Graph, vars: readonly string[]) => {
    g.inputs.forEach((v, i) => em.bind(v, i < k ? vars[i] : caps[i - k]));
    emitNodes(em, g);
    return g.outputs.map((v) => em.name(v));
  };
  const c0 = toBoolScalar(e, inline(e, condG, ins.slice(0, k))[0], condG.outputs[0].dtype);
  const b = new Emitter(e.model, e.opset);
  const iter = b.temp('iter'), condIn = b.temp('cond_in');
  const vin = bodyG.inputs.slice(0, k).map(() => b.temp('loop_in'));
  const next = inline(b, bodyG, vin);
  const cOut = toBoolScalar(b, inline(b, condG, next)[0], condG.outputs[0].dtype);
  const condOut = b.node('Identity', [cOut], [b.temp('cond_out')]);
  const vout = next.map((name) => b.node('Identity', [name], [b.temp('loop_out')]));
  const scalar = (name: string, dtype: number): ValueInfoMsg => ({ name, type: { tensor_type: { elem_type: dtype, shape: { dim: [] } } } });
  const body: GraphMsg = {
    name: e.temp('loop_body'), node: b.nodes, initializer: [],
    input: [scalar(iter, DATA_TYPE.int64), scalar(condIn, DATA_TYPE.bool), ...vin.map((name, i) => valueInfo(name, bodyG.inputs[i], null))],
    output: [scalar(condOut, DATA_TYPE.bool), ...vout.map((name, i) => valueInfo(name, bodyG.outputs[i], null))],
  };
  // ONNX Loop stops quietly at M iterations where tg.whileLoop raises: the exported model cannot raise.
  const max = n.attrs.maxIterations as number | null;
  e.node('Loop', [max === null || max === undefined ? '' : e.i64([max], true), c0, ...ins.slice(0, k)], outs, { body: { g: body } });
}
