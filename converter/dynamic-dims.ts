/**
 * Dynamic dims (ONNX `dim_param` / unknown dims without an `inputShapes` entry) kept
 * dynamic in the .tflite file: `shape` holds the example size (1) and `shape_signature`
 * -1, on inputs, outputs and intermediates, as TFLite's converter writes them.
 *
 * The converter's passes work on static shapes, so the dims are found by converting
 * again with each dynamic dim at two other sizes (7, then 11 for one dim at a time) and
 * comparing the lowered models: tensor dims that change are dynamic; ops, options and
 * constants must not change. A RESHAPE shape that changes in one entry gets -1 there; in
 * more, each entry that is a dim of the reshape's input or of a graph input at every size
 * is read at run time (SHAPE -> GATHER -> CONCATENATION) and one left entry gets -1. A
 * constant repeated along the dims that change (an RNN's zero initial state folded to the
 * batch size), read only by broadcasting ops, keeps 1 there. Any other constant or op that
 * changes (a shape folded from the size, a weight sized by it, an index computed from it)
 * means the model would run wrong at another size, and is a DynamicDimError naming the
 * input, the dim and the op, suggesting `inputShapes`.
 * @example
 * const dims = dynamicDims(onnxBytes, {});            // [{ input: 'input', dim: 0, param: 'batch' }]
 * const desc = await keepDynamic(example, dims, shapes, (s) => lowerAt(s));
 */
import { fmtShape } from '../lite-runtime/errors.js';
import { DynamicDimError } from './errors.js';
import { loadWithOutputs } from './quantize/calibrate.js';
import { decodeOnnx } from './onnx-import/decode.js';
import type { ModelDesc, OperatorDesc, TensorData, TensorDesc } from './tflite-writer/types.js';

/** One dim of an input the ONNX file leaves open and `inputShapes` does not fix. */
export interface DynamicDim {
  input: string;
  dim: number;
  /** The ONNX dim_param ('batch'), when named; dims with the same name vary together. */
  param?: string;
}

/** The sizes the model is converted at to find what depends on a dynamic dim. */
const PROBE = [7, 11] as const;

/** The dynamic dims of an ONNX model's inputs that `inputShapes` leaves open (or marks -1). */
export function dynamicDims(bytes: Uint8Array, inputShapes?: Readonly<Record<string, readonly number[]>>): DynamicDim[] {
  const g = decodeOnnx(bytes).graph!;
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  const out: DynamicDim[] = [];
  for (const vi of g.input ?? []) {
    const name = vi.name ?? '';
    if (inits.has(name)) continue;
    const given = inputShapes?.[name];
    (vi.type?.tensor_type?.shape?.dim ?? []).forEach((d, k) => {
      if (given ? given[k] === -1 : !(Number(d.dim_value ?? 0) > 0)) out.push({ input: name, dim: k, ...(d.dim_param ? { param: d.dim_param } : {}) });
    });
  }
  return out;
}

/** `inputShapes` with each -1 (a dim kept dynamic) at its example size, 1: the shapes the model is imported at. */
export function exampleInputShapes(inputShapes?: Readonly<Record<string, readonly number[]>>): Record<string, number[]> | undefined {
  return inputShapes && Object.fromEntries(Object.entries(inputShapes).map(([k, s]) => [k, s.map((d) => (d === -1 ? 1 : d))]));
}

/**
 * Why the conversion at the example size failed, when the dims left dynamic are the cause:
 * if the model converts with them at another size, a DynamicDimError saying so; else `error`.
 */
export function exampleFailure(
  error: unknown, bytes: Uint8Array, dims: readonly DynamicDim[], inputShapes: Readonly<Record<string, readonly number[]>> | undefined,
  lowerAt: (shapes: Record<string, number[]>) => unknown,
): unknown {
  const shapes: Record<string, number[]> = {};
  for (const vi of decodeOnnx(bytes).graph!.input ?? []) {
    const name = vi.name ?? '';
    if (!dims.some((d) => d.input === name)) continue;
    const given = inputShapes?.[name];
    shapes[name] = (vi.type?.tensor_type?.shape?.dim ?? []).map((d, k) => (dims.some((x) => x.input === name && x.dim === k) ? PROBE[0] : given?.[k] ?? Number(d.dim_value)));
  }
  try { lowerAt(shapes); } catch { return error; }
  const what = dims.map((d) => `input '${d.input}' dim ${d.dim}${d.param ? ` ('${d.param}')` : ''}`).join(', ');
  return new DynamicDimError(dims, `${what} left dynamic: at the example size 1 the conversion fails (${(error as Error).message}), at ${PROBE[0]} it does not; give inputShapes (CLI: --input-shape) to fix ${dims.length === 1 ? 'it' : 'them'}`);
}

type Group = DynamicDim[];

function describeGroup(g: Group): string {
  return g.map((d) => `input '${d.input}' dim ${d.dim}${d.param ? ` ('${d.param}')` : ''}`).join(' and ');
}

/** `RESHAPE_5`, as the report names ops, with its output's name when it has one of its own. */
function opName(desc: ModelDesc, k: number): string {
  const o = desc.operators[k]!;
  const out = o.outputs[0];
  const t = typeof out === 'number' ? desc.tensors[out] : desc.tensors.find((x) => x.name === out);
  return `${o.op}_${k}${t && !/^t\d+/.test(t.name) ? ` (output '${t.name}')` : ''}`;
}

function sameData(a: TensorData, b: TensorData): boolean {
  const view = (d: TensorData): ArrayLike<number> => (ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : d);
  const x = view(a), y = view(b);
  if (x.length !== y.length || ArrayBuffer.isView(a) !== ArrayBuffer.isView(b)) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function ints(d: TensorData | undefined): number[] | null {
  if (!d) return null;
  if (d instanceof Int32Array) return Array.from(d);
  if (!ArrayBuffer.isView(d)) return Array.from(d as ArrayLike<number>);
  return null;
}

function tensorIndex(desc: ModelDesc, ref: number | string): number {
  return typeof ref === 'number' ? ref : desc.tensors.findIndex((t) => t.name === ref);
}

/** What differs between two conversions of the same model at different sizes. */
interface Diff {
  /** tensor index -> dims that differ */
  dims: Map<number, Set<number>>;
  /** RESHAPE op index -> entries of its shape (tensor or new_shape) that differ */
  reshape: Map<number, Set<number>>;
  /** constants repeated along the dims that change (zero initial states...) read by broadcasting ops: those dims become 1 */
  uniform: Set<number>;
}

/** Ops that broadcast their two inputs: a repeated constant may have 1 where the other input follows the size. */
const BROADCASTING = new Set(['ADD', 'SUB', 'MUL', 'DIV', 'MAXIMUM', 'MINIMUM', 'SQUARED_DIFFERENCE']);

/** A constant repeated along `dims` as its first slice (those dims 1), or undefined when it is not. */
function repeatedSlice(d: TensorData, shape: readonly number[], dims: ReadonlySet<number>): ArrayLike<number | bigint> | undefined {
  if (!ArrayBuffer.isView(d) || d instanceof DataView) return undefined;
  const v = d as unknown as ArrayLike<number | bigint> & { constructor: new (n: number) => { [i: number]: number | bigint } & ArrayLike<number | bigint> };
  if (v.length !== shape.reduce((x, y) => x * y, 1)) return undefined; // raw bytes of another dtype
  const small = shape.map((n, k) => (dims.has(k) ? 1 : n));
  const out = new v.constructor(small.reduce((x, y) => x * y, 1));
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < v.length; i++) {
    let j = 0;
    for (let k = 0; k < shape.length; k++) j = j * small[k]! + (dims.has(k) ? 0 : idx[k]!);
    if (idx.every((x, k) => !dims.has(k) || x === 0)) out[j] = v[i]!;
    else if (out[j] !== v[i]) return undefined;
    for (let k = shape.length - 1; k >= 0 && ++idx[k]! === shape[k]; k--) idx[k] = 0;
  }
  return out;
}

/**
 * Compares two lowered models; null when the same dims/reshape entries explain every
 * difference, else a message saying what else changed (naming the op).
 */
function compare(a: ModelDesc, b: ModelDesc, diff: Diff): string | null {
  if (a.operators.length !== b.operators.length || a.tensors.length !== b.tensors.length) {
    let k = 0;
    while (k < a.operators.length && k < b.operators.length && a.operators[k]!.op === b.operators[k]!.op) k++;
    const at = k < a.operators.length ? opName(a, k) : `the end (op ${k})`;
    return `the graph changes with the size from ${at} on (${a.operators.length} ops at one size, ${b.operators.length} at the other)`;
  }
  if (JSON.stringify(a.subgraphs ?? []) !== JSON.stringify(b.subgraphs ?? [])) return 'a control-flow subgraph changes with the size';
  const add = (m: Map<number, Set<number>>, k: number, v: number) => { let s = m.get(k); if (!s) m.set(k, (s = new Set())); s.add(v); };
  // RESHAPE shape operands: which tensors they are
  const reshapeOf = new Map<number, number[]>();
  const otherUse = new Set<number>();
  a.operators.forEach((o, k) => o.inputs.forEach((r, i) => {
    if (r === -1) return;
    const t = tensorIndex(a, r);
    if (o.op === 'RESHAPE' && i === 1) reshapeOf.set(t, [...(reshapeOf.get(t) ?? []), k]);
    else otherUse.add(t);
  }));
  for (let k = 0; k < a.operators.length; k++) {
    const x = a.operators[k]!, y = b.operators[k]!;
    const opts = (o: OperatorDesc) => {
      if (o.op !== 'RESHAPE' || !o.options) return o.options;
      const { new_shape: _, ...rest } = o.options as Record<string, unknown>;
      return rest;
    };
    if (x.op !== y.op || JSON.stringify([x.inputs, x.outputs, x.intermediates, x.version]) !== JSON.stringify([y.inputs, y.outputs, y.intermediates, y.version])) {
      return `${opName(a, k)} becomes ${opName(b, k)}: the graph changes with the size`;
    }
    if (JSON.stringify(opts(x)) !== JSON.stringify(opts(y))) return `${opName(a, k)} has options computed from the size (${JSON.stringify(opts(x))} vs ${JSON.stringify(opts(y))})`;
    if (x.op === 'RESHAPE') {
      const s = (x.options as { new_shape?: number[] } | null | undefined)?.new_shape, t = (y.options as { new_shape?: number[] } | null | undefined)?.new_shape;
      if (s && t) {
        if (s.length !== t.length) return `${opName(a, k)}: its new_shape changes rank with the size`;
        s.forEach((v, i) => { if (v !== t[i]) add(diff.reshape, k, i); });
      }
    }
  }
  // every reader of constant `i` broadcasts it against an input that has its size where it changes
  const broadcastable = (i: number, xs: readonly number[], ys: readonly number[]) => a.operators.every((o, k) => {
    const at = o.inputs.findIndex((r) => r !== -1 && tensorIndex(a, r) === i);
    if (at < 0) return true;
    if (!BROADCASTING.has(o.op) || o.inputs.length !== 2 || at > 1 || o.inputs[1 - at] === o.inputs[at]) return false;
    const other = tensorIndex(a, o.inputs[1 - at]!);
    const [p, q] = [a.tensors[other]!.shape, b.tensors[other]!.shape];
    return p.length === xs.length && xs.every((d, j) => d === ys[j] || (p[j] === d && q[j] === ys[j])) && b.operators[k]!.op === o.op;
  });
  for (let i = 0; i < a.tensors.length; i++) {
    const x: TensorDesc = a.tensors[i]!, y: TensorDesc = b.tensors[i]!;
    // (names may differ: they hold the IR's value ids)
    if (x.dtype !== y.dtype || x.shape.length !== y.shape.length || !x.data !== !y.data) {
      return `tensor '${x.name}' ${x.dtype}${fmtShape(x.shape)} becomes ${y.dtype}${fmtShape(y.shape)}: the graph changes with the size`;
    }
    x.shape.forEach((d, k) => { if (d !== y.shape[k]) add(diff.dims, i, k); });
    if (!x.data || sameData(x.data, y.data!)) continue;
    const users = reshapeOf.get(i);
    const xs = ints(x.data), ys = ints(y.data);
    const reader = () => {
      const k = a.operators.findIndex((o) => o.inputs.some((r) => r !== -1 && tensorIndex(a, r) === i));
      return k >= 0 ? opName(a, k) : `tensor '${x.name}'`;
    };
    const changing = new Set(x.shape.map((d, k) => (d !== y.shape[k] ? k : -1)).filter((k) => k >= 0));
    const [rx, ry] = changing.size ? [repeatedSlice(x.data, x.shape, changing), repeatedSlice(y.data!, y.shape, changing)] : [undefined, undefined];
    if (rx && ry && rx.length === ry.length && Array.from(rx).every((v, j) => v === ry[j]) && broadcastable(i, x.shape, y.shape)) { diff.uniform.add(i); continue; }
    if (!users || otherUse.has(i) || !xs || !ys || xs.length !== ys.length) {
      return `${reader()} reads constant '${x.name}', computed from the size at conversion (${xs && ys && xs.length <= 8 ? `${fmtShape(xs)} at one size, ${fmtShape(ys)} at the other` : `shape ${fmtShape(x.shape)} at one size, ${fmtShape(y.shape)} at the other`})`;
    }
    for (const k of users) xs.forEach((v, p) => { if (v !== ys[p]) add(diff.reshape, k, p); });
  }
  return null;
}

/**
 * The example model with its dynamic dims kept: `lowerAt(shapes)` converts the model with
 * the given input shapes (ModelDesc before quantization); `example` is its result at the
 * example shapes `exampleShapes` (by input name). Throws DynamicDimError where a dim
 * cannot stay dynamic.
 */
export async function keepDynamic(
  example: ModelDesc, dims: readonly DynamicDim[], exampleShapes: Readonly<Record<string, readonly number[]>>,
  lowerAt: (shapes: Record<string, number[]>) => ModelDesc,
): Promise<ModelDesc> {
  const groups = new Map<string, Group>();
  for (const d of dims) {
    const key = d.param !== undefined ? `param:${d.param}` : `${d.input}:${d.dim}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const all = [...groups.values()];
  const fix = `give inputShapes (CLI: --input-shape) to fix ${all.length === 1 && all[0]!.length === 1 ? 'it' : 'them'}, e.g. ${Object.entries(exampleShapes).map(([n, s]) => `${n}=${s.join('x')}`).join(' ')}`;
  const fail = (g: Group[], why: string) => new DynamicDimError(g.flat(), `${g.map(describeGroup).join(' and ')} cannot stay dynamic: ${why}; ${fix}`);
  const shapesFor = (size: (g: Group) => number): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    for (const g of all) for (const d of g) (out[d.input] ??= [...exampleShapes[d.input]!])[d.dim] = size(g);
    return out;
  };
  const at = (size: (g: Group) => number, varied: Group[], what: string): ModelDesc => {
    try { return lowerAt(shapesFor(size)); } catch (e) { throw fail(varied, `converted at ${what} it fails (${(e as Error).message})`); }
  };
  const base = at(() => PROBE[0], all, `size ${PROBE[0]}`);
  const probes = [base];
  const diff: Diff = { dims: new Map(), reshape: new Map(), uniform: new Set() };
  for (const g of all) {
    const other = at((h) => (h === g ? PROBE[1] : PROBE[0]), [g], `size ${PROBE[1]}`);
    const why = compare(base, other, diff);
    if (why) throw fail([g], why);
    probes.push(other);
  }
  // the example model, unless the passes simplified it for its size (a dim of 1 lets a
  // transpose become a reshape...): then the general model, shapes prepared at the example
  const exDiff: Diff = {
    dims: new Map([...diff.dims].map(([k, v]) => [k, new Set(v)])), reshape: new Map([...diff.reshape].map(([k, v]) => [k, new Set(v)])), uniform: new Set(diff.uniform),
  };
  const special = compare(base, example, exDiff) !== null;
  const model = special ? base : example;
  const use = special ? diff : exDiff;
  const seen = special ? probes : [...probes, example];
  const tensors: TensorDesc[] = model.tensors.map((t, i) => {
    const dyn = use.dims.get(i);
    return dyn && !t.data ? { ...t, shapeSignature: t.shape.map((d, k) => (dyn.has(k) ? -1 : d)) } : t;
  });
  for (const i of use.uniform) {
    const t = tensors[i]!, dyn = use.dims.get(i) ?? new Set<number>();
    tensors[i] = { ...t, shape: t.shape.map((d, k) => (dyn.has(k) ? 1 : d)), data: repeatedSlice(t.data!, t.shape, dyn) as unknown as ArrayBufferView };
  }
  const add = (t: TensorDesc) => tensors.push(t) - 1;
  const operators: OperatorDesc[] = [];
  model.operators.forEach((o, k) => {
    const pos = use.reshape.get(k);
    if (!pos) { operators.push(o); return; }
    const shapeIn = o.inputs[1] !== undefined && o.inputs[1] !== -1 ? tensorIndex(model, o.inputs[1]) : -1;
    const valuesIn = (d: ModelDesc) => (shapeIn >= 0 ? ints(d.tensors[shapeIn]!.data)! : [...(d.operators[k]!.options as { new_shape: number[] }).new_shape]);
    const vals = seen.map(valuesIn), cur = valuesIn(model);
    if (cur.some((v, i) => !pos.has(i) && v < 0)) throw fail(all, `${opName(model, k)} already infers a dim of ${fmtShape(cur)}`);
    // entries that are a dim of the reshape's input or of a graph input at every size converted: read at run time (SHAPE)
    const cands: [number, number][] = [];
    for (const t of [tensorIndex(model, o.inputs[0]!), ...model.inputs.map((r) => tensorIndex(model, r))]) model.tensors[t]!.shape.forEach((_, j) => cands.push([t, j]));
    const atRun = new Map<number, [number, number]>();
    const open: number[] = [];
    for (const p of [...pos].sort((a, b) => a - b)) {
      const c = pos.size > 1 ? cands.find(([t, j]) => seen.every((d, i) => d.tensors[t]!.shape[j] === vals[i]![p])) : undefined;
      if (c) atRun.set(p, c); else open.push(p);
    }
    if (open.length > 1) {
      throw fail(all, `${opName(model, k)} takes a shape computed from the size in ${pos.size} entries (${[...pos].join(', ')}); ${open.length} of them are no dim of a tensor at run time, and only one can be -1`);
    }
    const minus = open[0] ?? [...atRun.keys()][0]!;
    atRun.delete(minus);
    const entries = cur.map((v, i) => (i === minus ? -1 : v));
    if (atRun.size === 0) {
      // one entry follows the size: -1 there
      if (shapeIn >= 0) tensors[shapeIn] = { ...tensors[shapeIn]!, data: Int32Array.from(entries) };
      const ns = (o.options as { new_shape?: number[] } | null | undefined)?.new_shape;
      operators.push(ns ? { ...o, options: { ...o.options, new_shape: entries } } as OperatorDesc : o);
      return;
    }
    // more: SHAPE -> GATHER the dims -> CONCATENATION with the constant entries, then RESHAPE
    const stem = `${opName(model, k).split(" ")[0]}_shape`;
    const shapeOf = new Map<number, number>();
    const pieces: number[] = [];
    let run: number[] = [];
    const flush = () => { if (run.length) pieces.push(add({ name: `${stem}_const${pieces.length}`, shape: [run.length], dtype: 'int32', data: Int32Array.from(run) })); run = []; };
    entries.forEach((v, p) => {
      const src = atRun.get(p);
      if (!src) { run.push(v); return; }
      flush();
      const [t, j] = src;
      let sh = shapeOf.get(t);
      if (sh === undefined) {
        sh = add({ name: `${stem}_of${t}`, shape: [model.tensors[t]!.shape.length], dtype: 'int32' });
        operators.push({ op: 'SHAPE', inputs: [t], outputs: [sh], options: { out_type: 'int32' } } as OperatorDesc);
        shapeOf.set(t, sh);
      }
      const idx = add({ name: `${stem}_idx${p}`, shape: [1], dtype: 'int32', data: Int32Array.from([j]) });
      const dim = add({ name: `${stem}_dim${p}`, shape: [1], dtype: 'int32' });
      operators.push({ op: 'GATHER', inputs: [sh, idx], outputs: [dim], options: { axis: 0, batch_dims: 0 } });
      pieces.push(dim);
    });
    flush();
    const full = add({ name: stem, shape: [entries.length], dtype: 'int32' });
    operators.push({ op: 'CONCATENATION', inputs: pieces, outputs: [full], options: { axis: 0, fused_activation_function: 'NONE' } });
    operators.push({ ...o, inputs: [o.inputs[0]!, full], options: {} } as OperatorDesc);
  });
  const out: ModelDesc = { ...model, tensors, operators };
  if (special) await prepareAt(out, example);
  return out;
}

/** Sets the shapes of `desc`'s inputs to those of `example`, and of every other dynamic tensor to what the lite runtime prepares from them. */
async function prepareAt(desc: ModelDesc, example: ModelDesc): Promise<void> {
  const tensors = desc.tensors as TensorDesc[];
  const inputs = desc.inputs.map((r) => tensorIndex(desc, r));
  inputs.forEach((t, k) => { tensors[t] = { ...tensors[t]!, shape: [...example.tensors[tensorIndex(example, example.inputs[k]!)]!.shape] }; });
  const acts = tensors.map((t, i) => (t.data || inputs.includes(i) || !t.shapeSignature?.includes(-1) ? -1 : i)).filter((i) => i >= 0);
  const m = await loadWithOutputs(desc, acts);
  try {
    const outs = m.runSync(inputs.map((t) => ({ data: new (tensors[t]!.dtype === 'float32' ? Float32Array : Int32Array)(tensors[t]!.shape.reduce((a, b) => a * b, 1)), shape: [...tensors[t]!.shape] })));
    acts.forEach((t, k) => { tensors[t] = { ...tensors[t]!, shape: [...outs[k]!.shape] }; });
  } finally {
    m.dispose();
  }
}

/**
 * Gives the tensors quantization added (the QUANTIZE/DEQUANTIZE at int8 inputs and outputs)
 * the shape_signature of the tensor they convert.
 */
export function carrySignatures(desc: ModelDesc): ModelDesc {
  const tensors = [...desc.tensors];
  for (const o of desc.operators) {
    if (o.op !== 'QUANTIZE' && o.op !== 'DEQUANTIZE') continue;
    const [a, b] = [tensorIndex(desc, o.inputs[0]!), tensorIndex(desc, o.outputs[0]!)];
    const [x, y] = [tensors[a]!, tensors[b]!];
    if (x.data || x.shape.length !== y.shape.length) continue;
    if (x.shapeSignature && !y.shapeSignature) tensors[b] = { ...y, shapeSignature: x.shapeSignature };
    else if (y.shapeSignature && !x.shapeSignature) tensors[a] = { ...x, shapeSignature: y.shapeSignature };
  }
  return { ...desc, tensors };
}
