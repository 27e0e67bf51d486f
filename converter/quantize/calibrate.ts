/**
 * Calibration for full-integer quantization: the float model, written with every
 * activation tensor as an output, runs in the lite runtime on each input set and
 * the range (min, max) of every tensor is kept.
 *
 * Input sets take the forms `model.run` accepts: an array by position or a record by
 * input name, each value a typed array, a number array, `{ data, shape }` or a tensor
 * (anything with `data()` and `shape`); a bare array stands for a single-input model.
 *
 * ```ts
 * const samples = await collectSamples(gen(), inputs);        // validated, in input order
 * const model = await loadWithOutputs(desc, acts);               // every activation exposed
 * const ranges = calibrate(model, desc.inputs as number[], acts, samples, (f) => bar(f));
 * ```
 */
import { loadModel, type LiteModel } from '../../lite-runtime/index.js';
import { writeTflite } from '../tflite-writer/index.js';
import type { ModelDesc } from '../tflite-writer/types.js';
import { CalibrationError } from '../errors.js';

/** One validated input value. */
export interface SampleInput { data: Float32Array | Int32Array | Int8Array | Uint8Array; shape: number[] }
export type Sample = SampleInput[];

/** An input of the model: name, shape and dtype. */
export interface InputSpec {
  name: string; shape: readonly number[]; dtype: string;
  /** -1 where a dim is dynamic: a sample given with its `shape` may differ there. */
  shapeSignature?: readonly number[];
}

const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

function isArrayish(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) || Array.isArray(v);
}

function flatten(v: unknown): number[] {
  const out: number[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) for (const e of x) walk(e);
    else out.push(Number(x));
  };
  walk(v);
  return out;
}

/** One input value of sample `s`, checked against `spec`. */
function inputValue(v: unknown, spec: InputSpec, s: number): SampleInput {
  const where = `calibration sample ${s}, input '${spec.name}'`;
  let data: unknown = v, shape: number[] | undefined;
  if (v && typeof v === 'object' && !isArrayish(v)) {
    const o = v as { data?: unknown; shape?: unknown };
    if (typeof o.data === 'function') data = (o.data as () => unknown).call(v);
    else data = o.data;
    if (Array.isArray(o.shape)) shape = o.shape.map(Number);
  }
  if (!isArrayish(data)) throw new CalibrationError(`${where}: expected a typed array, a number array, { data, shape } or a tensor`);
  const flat = ArrayBuffer.isView(data) ? (data as unknown as ArrayLike<number>) : flatten(data);
  const sig = spec.shapeSignature ?? spec.shape;
  if (shape && (shape.length !== sig.length || shape.some((d, i) => !(d === sig[i] || (sig[i] === -1 && Number.isInteger(d) && d > 0))))) {
    throw new CalibrationError(`${where}: shape ${fmt(shape)} does not match the model's input shape ${fmt(sig)}`);
  }
  const want = shape ?? spec.shape;
  if (flat.length !== count(want)) {
    throw new CalibrationError(`${where}: ${flat.length} values${shape ? '' : ''}; the model's input shape ${fmt(want)} holds ${count(want)}`);
  }
  const out = spec.dtype === 'int32' ? Int32Array.from(flat) : spec.dtype === 'int8' ? Int8Array.from(flat)
    : spec.dtype === 'uint8' || spec.dtype === 'bool' ? Uint8Array.from(flat) : Float32Array.from(flat);
  return { data: out, shape: [...want] };
}

/** One input set, in the order of `inputs`. */
export function normalizeSample(set: unknown, inputs: readonly InputSpec[], s: number): Sample {
  if (set === null || typeof set !== 'object') throw new CalibrationError(`calibration sample ${s}: expected an array or a record of input values, got ${set === null ? 'null' : typeof set}`);
  // a bare typed array / numbers / tensor for a single-input model
  const single = ArrayBuffer.isView(set) || (Array.isArray(set) && set.length > 0 && typeof set[0] === 'number')
    || (!Array.isArray(set) && ('data' in (set as object)) && inputs.length === 1 && !(inputs[0].name in (set as object)));
  if (single) {
    if (inputs.length !== 1) throw new CalibrationError(`calibration sample ${s}: one value given; the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')})`);
    return [inputValue(set, inputs[0], s)];
  }
  if (Array.isArray(set)) {
    if (set.length !== inputs.length) throw new CalibrationError(`calibration sample ${s}: ${set.length} values; the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')})`);
    return inputs.map((spec, k) => inputValue(set[k], spec, s));
  }
  const rec = set as Record<string, unknown>;
  const unknown = Object.keys(rec).filter((k) => !inputs.some((i) => i.name === k));
  if (unknown.length) throw new CalibrationError(`calibration sample ${s}: unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; the model's inputs are ${inputs.map((i) => i.name).join(', ')}`);
  return inputs.map((spec) => {
    if (!(spec.name in rec)) throw new CalibrationError(`calibration sample ${s}: no value for input '${spec.name}'`);
    return inputValue(rec[spec.name], spec, s);
  });
}

/** Reads (and validates) every input set of an iterable or async iterable. */
export async function collectSamples(source: Iterable<unknown> | AsyncIterable<unknown> | undefined, inputs: readonly InputSpec[]): Promise<Sample[]> {
  if (source === undefined || source === null) {
    throw new CalibrationError("quantize 'int8' needs calibration data: pass `calibration` (an iterable of input sets, e.g. 32-100 typical inputs), or use quantize 'dynamic'");
  }
  const it = source as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
  if (typeof it[Symbol.iterator] !== 'function' && typeof it[Symbol.asyncIterator] !== 'function') {
    throw new CalibrationError('calibration: expected an iterable or async iterable of input sets');
  }
  const out: Sample[] = [];
  for await (const set of source as AsyncIterable<unknown>) out.push(normalizeSample(set, inputs, out.length));
  if (out.length === 0) throw new CalibrationError('calibration: no input sets (the iterable was empty)');
  return out;
}

/** The float model with `outputs` as its outputs (no signature), loaded in the lite runtime. */
export async function loadWithOutputs(desc: ModelDesc, outputs: readonly number[]): Promise<LiteModel> {
  const { signatureDefs: _s, metadata: _m, ...rest } = desc;
  return loadModel(writeTflite({ ...rest, outputs }), { backend: 'cpu' });
}

/** The specs of a model description's inputs. */
export function inputSpecs(desc: ModelDesc, names?: readonly string[]): InputSpec[] {
  return desc.inputs.map((r, k) => {
    const t = typeof r === 'number' ? desc.tensors[r] : desc.tensors.find((x) => x.name === r)!;
    const sig = desc.signatureDefs?.[0]?.inputs.find((m) => m.tensor === r)?.name;
    return { name: names?.[k] ?? sig ?? t.name, shape: t.shape, dtype: t.dtype, ...(t.shapeSignature ? { shapeSignature: t.shapeSignature } : {}) };
  });
}

export interface Range { min: number; max: number }

/** Widens `r` to the values of `d`; padding sentinels (|v| >= 1e30: PADV2 before max pooling writes -FLT_MAX) are not part of the range. */
function widen(r: Range, d: ArrayLike<number>): void {
  let lo = r.min, hi = r.max;
  for (let k = 0; k < d.length; k++) {
    const v = d[k];
    if ((v < lo || v > hi) && Math.abs(v) < 1e30) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  r.min = lo; r.max = hi;
}

/**
 * Runs the float model (loaded with `loadWithOutputs(desc, acts)`) once per sample and
 * widens the range of every exposed tensor in that pass, reading the outputs in place;
 * returns the range of each (by tensor index) and of each input (`inputs`: their indices).
 * `observe`, if given, sees each sample's values by tensor index (inputs and `acts`).
 */
export function calibrate(
  model: LiteModel, inputs: readonly number[], acts: readonly number[], samples: readonly Sample[], progress: (f: number) => void,
  observe?: (value: (tensor: number) => ArrayLike<number>) => void,
): Map<number, Range> {
  const ranges = new Map<number, Range>();
  const range = (i: number) => {
    let r = ranges.get(i);
    if (!r) ranges.set(i, (r = { min: Infinity, max: -Infinity }));
    return r;
  };
  samples.forEach((sample, s) => {
    sample.forEach((x, k) => widen(range(inputs[k]), x.data));
    model.resetState(); // each sample from zero recurrent states
    const outs = model.runSync(sample.map((x) => ({ data: x.data, shape: x.shape })), { views: true });
    outs.forEach((o, k) => widen(range(acts[k]), o.data as Float32Array));
    observe?.((t) => (inputs.includes(t) ? sample[inputs.indexOf(t)].data : outs[acts.indexOf(t)].data as Float32Array));
    progress((s + 1) / samples.length);
  });
  return ranges;
}
