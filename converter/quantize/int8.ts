/**
 * Full-integer (int8) quantization of a lowered float model, calibrated:
 * 1. the float model runs in the lite runtime on the calibration inputs with every
 *    activation exposed (calibrate.ts), giving each tensor's range;
 * 2. each op with an int8 rule (int8-rules.ts) and not named in `keepFloat` runs int8:
 *    weights symmetric int8 per channel, biases int32 (scale = input x weight scale),
 *    activations asymmetric int8 per tensor from their range, fixed ranges for
 *    LOGISTIC/SOFTMAX/TANH/..., one shared quantization across data-movement ops,
 *    pooling and concatenation; other ops stay float32 with QUANTIZE / DEQUANTIZE
 *    at the borders (also at the model's edges when `ioDtype` is 'float32');
 * 3. float and int8 models run side by side on the calibration inputs: the SQNR of every
 *    tensor, worst first, and the nodes that add the most error (keepFloat candidates).
 *
 * ```ts
 * const { desc: q, errors, keepFloatCandidates } = await quantizeInt8(desc, { calibration: sets, ioDtype: 'int8' });
 * ```
 */
import type { ModelDesc, OperatorDesc, QuantDesc, TensorDesc, TensorRef } from '../tflite-writer/types.js';
import { ConvertError } from '../errors.js';
import type { LiteModel, OutputTensor } from '../../lite-runtime/index.js';
import { calibrate, collectSamples, inputSpecs, loadWithOutputs, type Range, type Sample } from './calibrate.js';
import { DATA_MOVEMENT, INT8_RULES } from './int8-rules.js';
import { lstmInt8, lstmUnsupported, newLstmStats, observeLstm, type LstmStats } from './int8-lstm.js';

export interface Int8Options {
  calibration?: Iterable<unknown> | AsyncIterable<unknown>;
  /** 'float32' (default): float inputs/outputs with QUANTIZE/DEQUANTIZE inside; 'int8': int8 inputs/outputs. */
  ioDtype?: 'int8' | 'float32';
  /** Ops left in float32: node names as in the report (`CONV_2D_3`: the op and its index), or output tensor names. */
  keepFloat?: readonly string[];
  /** quantizeModel, any mode: LSTMs imported step by step become one UNIDIRECTIONAL_SEQUENCE_LSTM (fuse-lstm.ts). */
  fuseLstm?: boolean;
  onProgress?: (stage: string, fraction: number) => void;
}

/** The quantization error of one tensor on the calibration data. */
export interface Int8TensorError {
  tensor: string;
  /** The producing node, as `keepFloat` names it. */
  node: string;
  /** The op producing it. */
  op: string;
  /** 'int8' where it is stored quantized, 'float32' where its op was kept float. */
  dtype: 'int8' | 'float32';
  sqnrDb: number;
  maxAbsError: number;
}

/** A node that adds much quantization error: keeping it float would remove `localSqnrDb` worth of noise. */
export interface KeepFloatCandidate {
  node: string;
  op: string;
  /** SQNR of the noise this node adds (its output's noise less its inputs' noise). Lower: more to gain. */
  localSqnrDb: number;
  /** The node's output SQNR. */
  sqnrDb: number;
}

export interface Int8Result {
  desc: ModelDesc;
  errors: Int8TensorError[];
  keepFloatCandidates: KeepFloatCandidate[];
  /** Ops left float32: the keepFloat ones and those without an int8 kernel. */
  floatOps: { node: string; op: string; reason: string }[];
}

const I8 = { min: -128, max: 127 };
/** Smallest scale of a RELU6 / RELU_N1_TO_1 output: TFLite quantizes the bound (6 / scale) into int32 at prepare. */
const BOUNDED_MIN_SCALE = Math.fround(6 / 2 ** 31 * 1.01);

/** TFLite's asymmetric int8 parameters for a range (zero exactly representable). */
export function activationQuant(r: Range, minScale = 0): { scale: number; zeroPoint: number } {
  const lo = Math.min(r.min, 0), hi = Math.max(r.max, 0);
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return { scale: Math.fround(1 / 255), zeroPoint: Number.isFinite(span) ? -128 : 0 };
  const scale = Math.fround(Math.max(span / 255, minScale));
  const zp = Math.round(I8.min - lo / scale);
  return { scale, zeroPoint: Math.max(I8.min, Math.min(I8.max, zp)) };
}

function floatOf(t: TensorDesc): Float32Array {
  const d = t.data!;
  if (d instanceof Float32Array) return d;
  if (ArrayBuffer.isView(d)) return new Float32Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  return Float32Array.from(d as ArrayLike<number>);
}

/** Symmetric int8 per channel along `axis` (zero point 0, range -127..127), scales rounded to float32. */
export function quantizePerChannel(f: Float32Array, shape: readonly number[], axis: number): { q: Int8Array; scales: number[] } {
  const ch = shape[axis] ?? 1;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = Math.round(f.length / (ch * inner));
  const mx = new Float64Array(ch);
  // element i is in channel floor(i / inner) % ch: walk [outer, ch, inner]
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < ch; c++) {
      let m = mx[c];
      for (const end = i + inner; i < end; i++) m = Math.max(m, Math.abs(f[i]));
      mx[c] = m;
    }
  }
  const scales = Array.from(mx, (m) => Math.fround(m > 0 ? m / 127 : 1e-9));
  const q = new Int8Array(f.length);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < ch; c++) {
      const s = scales[c];
      for (const end = i + inner; i < end; i++) q[i] = Math.max(-127, Math.min(127, Math.round(f[i] / s)));
    }
  }
  return { q, scales };
}

function quantizeWith(f: Float32Array, scale: number, zp: number): Int8Array {
  return Int8Array.from(f, (v) => Math.max(I8.min, Math.min(I8.max, Math.round(v / scale) + zp)));
}

/** Disjoint sets of tensor indices (tensors that must share one quantization). */
class Groups {
  private parent = new Map<number, number>();
  find(i: number): number {
    let p = this.parent.get(i) ?? i;
    if (p !== i) { p = this.find(p); this.parent.set(i, p); }
    return p;
  }
  union(a: number, b: number): void { const x = this.find(a), y = this.find(b); if (x !== y) this.parent.set(x, y); }
}

interface Plan {
  ops: readonly OperatorDesc[];
  int8: boolean[];
  quant: Map<number, { scale: number; zeroPoint: number }>;
  floatOps: Int8Result['floatOps'];
  /** Per-channel int8 weights by `tensor:axis`, made once for both models built from the plan. */
  weights: Map<string, { q: Int8Array; scales: number[] }>;
  /** Calibrated internals of each LSTM op, by op index. */
  lstm: Map<number, LstmStats>;
}

export async function quantizeInt8(desc0: ModelDesc, opts: Int8Options): Promise<Int8Result> {
  const progress = opts.onProgress ?? (() => {});
  const io = opts.ioDtype ?? 'float32';
  if (io !== 'int8' && io !== 'float32') throw new ConvertError(`ioDtype: '${String(io)}' is not one of int8, float32`);
  const desc = resolveRefs(desc0);
  const T = desc.tensors;
  const ops = desc.operators;
  // (variable tensors, an LSTM's states, are the op's own)
  const isAct = (i: number) => i >= 0 && T[i].dtype === 'float32' && T[i].data === undefined && !T[i].isVariable;
  const inputs = desc.inputs as number[];
  const producer = new Map<number, number>();
  ops.forEach((o, k) => (o.outputs as number[]).forEach((t) => producer.set(t, k)));
  const acts = [...producer.keys()].filter(isAct).sort((a, b) => a - b);
  // stable across conversions of one source: the op and its index (tensor names of traced values are not)
  const nodeName = (k: number) => `${ops[k].op}_${k}`;
  const byTensor = new Map(ops.map((o, k) => [T[o.outputs[0] as number]?.name, nodeName(k)]));

  // keepFloat names must exist
  const keep = new Set((opts.keepFloat ?? []).map((n) => byTensor.get(n) ?? n));
  const known = new Set(ops.map((_, k) => nodeName(k)));
  const missing = [...keep].filter((n) => !known.has(n));
  if (missing.length) {
    throw new ConvertError(`keepFloat: no op named ${missing.map((n) => `'${n}'`).join(', ')} (ops are named OP_INDEX as in the report's node names, or by their output tensor; e.g. ${[...known].slice(0, 5).map((n) => `'${n}'`).join(', ')})`);
  }

  const specs = inputSpecs(desc0);
  const samples = await collectSamples(opts.calibration, specs);
  progress('calibrate', 0);
  // the float model with every activation exposed: loaded once, for calibration and the report
  const fm = await loadWithOutputs(desc, acts);
  try {
    // LSTMs: the ranges inside the cell, from a float replay on each sample's LSTM input
    const lstm = new Map<number, LstmStats>();
    ops.forEach((o, k) => { if (INT8_RULES[o.op]?.lstm && !lstmUnsupported(T, o)) lstm.set(k, newLstmStats()); });
    const observe = lstm.size ? (value: (t: number) => ArrayLike<number>) => {
      for (const [k, st] of lstm) observeLstm(T, ops[k], value(ops[k].inputs[0] as number), st);
    } : undefined;
    const ranges = calibrate(fm, inputs, acts, samples, (f) => progress('calibrate', f), observe);
    const plan = planInt8(desc, ranges, keep, isAct, nodeName, lstm);
    const build = (ioDtype: 'int8' | 'float32') => buildInt8(desc, plan, ioDtype, isAct);
    const out = compact(build(io).desc);

    progress('measure', 0);
    const { errors, candidates } = await measure(fm, desc, build('float32').desc, plan, acts, samples, (f) => progress('measure', f), isAct, nodeName, producer);
    return { desc: out, errors, keepFloatCandidates: candidates, floatOps: plan.floatOps };
  } finally {
    fm.dispose();
  }
}

/** Operators and model inputs/outputs refer to tensors by index. */
export function resolveRefs(d: ModelDesc): ModelDesc {
  const byName = new Map(d.tensors.map((t, i) => [t.name, i]));
  const ix = (r: TensorRef) => (typeof r === 'number' ? r : byName.get(r) ?? -1);
  return {
    ...d,
    operators: d.operators.map((o) => ({ ...o, inputs: o.inputs.map(ix), outputs: o.outputs.map(ix) }) as OperatorDesc),
    inputs: d.inputs.map(ix), outputs: d.outputs.map(ix),
    signatureDefs: d.signatureDefs?.map((s) => ({ ...s, inputs: s.inputs.map((m) => ({ ...m, tensor: ix(m.tensor) })), outputs: s.outputs.map((m) => ({ ...m, tensor: ix(m.tensor) })) })),
  };
}

/** Which ops run int8 and the quantization of every float activation. */
function planInt8(
  desc: ModelDesc, ranges: Map<number, Range>, keep: Set<string>, isAct: (i: number) => boolean, nodeName: (k: number) => string, lstm: Map<number, LstmStats>,
): Plan {
  const T = desc.tensors;
  const ops = desc.operators;
  const floatOps: Plan['floatOps'] = [];
  const int8 = ops.map((o, k) => {
    const rule = INT8_RULES[o.op];
    const floats = [...o.inputs, ...o.outputs].some((i) => (i as number) >= 0 && T[i as number].dtype === 'float32');
    if (!floats) return false; // integer-only ops (shapes) are left as they are
    let reason = '';
    if (keep.has(nodeName(k))) reason = 'keepFloat';
    else if (!rule) reason = `no int8 kernel for ${o.op}`;
    else if (rule.lstm) reason = lstmUnsupported(T, o) ?? '';
    else if (rule.weight && !(T[o.inputs[rule.weight.input] as number]?.data)) reason = 'weights computed at run time';
    else if (rule.weight && (o.inputs[rule.weight.bias] as number) >= 0 && !(T[o.inputs[rule.weight.bias] as number]?.data)) reason = 'bias computed at run time';
    else if (o.outputs.some((i) => T[i as number].dtype !== 'float32' && o.op !== 'ARG_MAX')) reason = 'non-float output';
    if (reason) { floatOps.push({ node: nodeName(k), op: o.op, reason }); return false; }
    return true;
  });

  const groups = new Groups();
  const fixed = new Map<number, { scale: number; zeroPoint: number }>();
  ops.forEach((o, k) => {
    if (!int8[k]) return;
    const rule = INT8_RULES[o.op]!;
    const outs = (o.outputs as number[]).filter(isAct);
    if (rule.fixed) for (const t of outs) fixed.set(t, rule.fixed);
    if (rule.same) {
      const ins = rule.same === 'all' ? (o.inputs as number[]) : rule.same.map((i) => o.inputs[i] as number);
      const members = [...outs, ...ins.filter((i) => i !== undefined && isAct(i))];
      for (let m = 1; m < members.length; m++) groups.union(members[0], members[m]);
    }
  });
  // an integer LSTM without projection stores its output with the zero point negated (int8-lstm.ts):
  // the range reaches below zero, so that the zero point is above -128
  ops.forEach((o, k) => {
    const r = ranges.get(o.outputs[0] as number);
    if (int8[k] && INT8_RULES[o.op]?.lstm && ((o.inputs[16] as number | undefined) ?? -1) < 0 && r) r.min = Math.min(r.min, -Math.abs(r.max) / 250);
  });
  // a group's range: the union of its members'; a fixed member pins it
  const groupRange = new Map<number, Range>();
  const groupFixed = new Map<number, { scale: number; zeroPoint: number }>();
  const all = new Set<number>([...ranges.keys()]);
  for (const t of all) {
    const g = groups.find(t), r = ranges.get(t)!;
    const cur = groupRange.get(g);
    groupRange.set(g, cur ? { min: Math.min(cur.min, r.min), max: Math.max(cur.max, r.max) } : { ...r });
    const f = fixed.get(t);
    if (f && !groupFixed.has(g)) groupFixed.set(g, f);
  }
  // bounded activations need a scale whose bound fits int32
  const bounded = new Set<number>();
  ops.forEach((o, k) => {
    const act = (o.options as { fused_activation_function?: string } | undefined | null)?.fused_activation_function;
    if (int8[k] && (act === 'RELU6' || act === 'RELU_N1_TO_1' || o.op === 'RELU6' || o.op === 'RELU_N1_TO_1')) for (const t of o.outputs as number[]) if (isAct(t)) bounded.add(groups.find(t));
  });
  const quant = new Map<number, { scale: number; zeroPoint: number }>();
  for (const t of all) {
    const g = groups.find(t);
    quant.set(t, groupFixed.get(g) ?? activationQuant(groupRange.get(g)!, bounded.has(g) ? BOUNDED_MIN_SCALE : 0));
  }
  return { ops, int8, quant, floatOps, weights: new Map(), lstm };
}

/** The int8 model of a plan, with inputs/outputs in `ioDtype`; tensor indices of the float model are kept. */
function buildInt8(desc: ModelDesc, plan: Plan, ioDtype: 'int8' | 'float32', isAct: (i: number) => boolean): { desc: ModelDesc } {
  const T: TensorDesc[] = desc.tensors.map((t) => ({ ...t }));
  const src = desc.tensors;
  const out: OperatorDesc[] = [];
  const inputs = desc.inputs as number[];
  const q = (i: number): QuantDesc => { const p = plan.quant.get(i)!; return { scale: [p.scale], zeroPoint: [p.zeroPoint] }; };
  // the dtype each activation is stored in
  const dom = new Map<number, 'int8' | 'float32'>();
  for (const i of inputs) if (isAct(i)) dom.set(i, ioDtype);
  plan.ops.forEach((o, k) => { for (const t of o.outputs as number[]) if (isAct(t)) dom.set(t, plan.int8[k] ? 'int8' : 'float32'); });
  for (const [i, d] of dom) if (d === 'int8') T[i] = { ...T[i], dtype: 'int8', quant: q(i) };

  const add = (t: TensorDesc) => { T.push(t); return T.length - 1; };
  const conv = new Map<string, number>();
  /** Activation `i` in dtype `want` (a QUANTIZE / DEQUANTIZE made once, before its first reader). */
  const as = (i: number, want: 'int8' | 'float32'): number => {
    if (dom.get(i) === want) return i;
    const key = `${i}:${want}`;
    const hit = conv.get(key);
    if (hit !== undefined) return hit;
    const n = want === 'int8'
      ? add({ name: `${src[i].name}_int8`, shape: src[i].shape, dtype: 'int8', quant: q(i) })
      : add({ name: `${src[i].name}_float`, shape: src[i].shape, dtype: 'float32' });
    out.push(want === 'int8' ? { op: 'QUANTIZE', inputs: [i], outputs: [n], version: 1 } as OperatorDesc : { op: 'DEQUANTIZE', inputs: [i], outputs: [n], version: 2 } as OperatorDesc);
    conv.set(key, n);
    return n;
  };
  const constCache = new Map<string, number>();
  const constant = (i: number, key: string, make: () => TensorDesc): number => {
    const k = `${i}:${key}`;
    const hit = constCache.get(k);
    if (hit !== undefined) return hit;
    const n = add(make());
    constCache.set(k, n);
    return n;
  };

  plan.ops.forEach((o, k) => {
    const ins = o.inputs as number[];
    if (!plan.int8[k]) {
      const mapped = ins.map((i) => (i >= 0 && isAct(i) ? as(i, 'float32') : i));
      out.push({ ...o, inputs: mapped } as OperatorDesc);
      return;
    }
    const rule = INT8_RULES[o.op]!;
    if (rule.lstm) {
      const x = ins[0], y = o.outputs[0] as number;
      out.push(lstmInt8(src, o, plan.lstm.get(k)!, as(x, 'int8'), plan.quant.get(x)!, plan.quant.get(y)!, add));
      return;
    }
    const w = rule.weight;
    const mapped = ins.map((i) => (i >= 0 && isAct(i) ? as(i, 'int8') : i));
    let wScales: number[] | null = null;
    if (w) {
      const wi = ins[w.input];
      const wkey = `${wi}:${w.axis}`;
      let made = plan.weights.get(wkey);
      if (!made) plan.weights.set(wkey, (made = quantizePerChannel(floatOf(src[wi]), src[wi].shape, w.axis)));
      const { q: wq, scales } = made;
      wScales = scales;
      mapped[w.input] = constant(wi, `w${w.axis}`, () => ({
        name: `${src[wi].name}_int8`, shape: src[wi].shape, dtype: 'int8', data: wq,
        quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: w.axis },
      }));
      const bi = ins[w.bias];
      if (bi !== undefined && bi >= 0) {
        const xs = plan.quant.get(ins[w.act])!.scale;
        const bf = floatOf(src[bi]);
        const bs = bf.length === scales.length ? scales.map((s) => Math.fround(xs * s)) : [Math.fround(xs * scales[0])];
        mapped[w.bias] = constant(bi, `b:${ins[w.act]}:${ins[w.input]}`, () => ({
          name: `${src[bi].name}_int32`, shape: src[bi].shape, dtype: 'int32',
          data: Int32Array.from(bf, (v, c) => Math.max(-2147483647, Math.min(2147483647, Math.round(v / bs[bs.length > 1 ? c : 0])))),
          quant: { scale: bs, zeroPoint: bs.map(() => 0), ...(bs.length > 1 ? { axis: 0 } : {}) },
        }));
      }
    }
    // other float constants: the output's quantization where shared, else their own range
    ins.forEach((i, j) => {
      if (i < 0 || src[i].dtype !== 'float32' || src[i].data === undefined || (w && (j === w.input || j === w.bias))) return;
      const shared = rule.same === 'all' || (rule.same?.includes(j) ?? false);
      const f = floatOf(src[i]);
      let p: { scale: number; zeroPoint: number };
      if (shared) p = plan.quant.get((o.outputs as number[])[0])!;
      else {
        let lo = Infinity, hi = -Infinity;
        for (const v of f) { if (v < lo) lo = v; if (v > hi) hi = v; }
        p = activationQuant({ min: lo, max: hi });
      }
      mapped[j] = constant(i, `c:${p.scale}:${p.zeroPoint}`, () => ({
        name: `${src[i].name}_int8`, shape: src[i].shape, dtype: 'int8', data: quantizeWith(f, p.scale, p.zeroPoint),
        quant: { scale: [p.scale], zeroPoint: [p.zeroPoint] },
      }));
    });
    out.push({ ...o, inputs: mapped, version: Math.max(rule.version, o.version ?? 1) } as OperatorDesc);
    void wScales;
  });

  // outputs in ioDtype, keeping their names
  const swap = new Map<number, number>();
  const outputs = (desc.outputs as number[]).map((i) => {
    if (!isAct(i) || dom.get(i) === ioDtype) return i;
    const n = as(i, ioDtype);
    const name = T[i].name;
    T[i] = { ...T[i], name: `${name}_${dom.get(i)}` };
    T[n] = { ...T[n], name };
    swap.set(i, n);
    return n;
  });
  const signatureDefs = desc.signatureDefs?.map((s) => ({ ...s, outputs: s.outputs.map((m) => ({ ...m, tensor: swap.get(m.tensor as number) ?? m.tensor })) }));
  return { desc: { ...desc, tensors: T, operators: out, outputs, ...(signatureDefs ? { signatureDefs } : {}) } };
}

/** Per tensor over the samples: signal power, noise power and the largest error. */
interface ErrorSums { sig: Float64Array; noise: Float64Array; maxErr: Float64Array }

/**
 * Adds one sample of tensor `k`: `ref` (float, from offset `at`) against `got`, int8 with
 * `scale`/`zeroPoint` (dequantized to float32 as `run({ dequantize })` does) or float.
 */
function addError(e: ErrorSums, k: number, ref: Float32Array, at: number, got: OutputTensor['data'], scale: number, zeroPoint: number): void {
  let r;
  if (got instanceof Int8Array) {
    const real = new Float64Array(256); // the 256 dequantized values, by q + 128
    for (let v = -128; v < 128; v++) real[v + 128] = Math.fround(scale * (v - zeroPoint));
    r = sumsInt8(ref, at, got, real, e.maxErr[k]);
  } else {
    r = sumsFloat(ref, at, got as Float32Array, e.maxErr[k]);
  }
  e.sig[k] += r.sig; e.noise[k] += r.noise; e.maxErr[k] = r.max;
}

// one loop per dtype (each stays monomorphic); padding sentinels (|ref| >= 1e30) are skipped
function sumsInt8(ref: Float32Array, at: number, got: Int8Array, real: Float64Array, max: number): { sig: number; noise: number; max: number } {
  let sig = 0, noise = 0;
  for (let i = 0; i < got.length; i++) {
    const a = ref[at + i];
    if (Math.abs(a) >= 1e30) continue;
    const d = a - real[got[i] + 128];
    sig += a * a; noise += d * d;
    if (d > max || -d > max) max = Math.abs(d);
  }
  return { sig, noise, max };
}

function sumsFloat(ref: Float32Array, at: number, got: Float32Array, max: number): { sig: number; noise: number; max: number } {
  let sig = 0, noise = 0;
  for (let i = 0; i < got.length; i++) {
    const a = ref[at + i];
    if (Math.abs(a) >= 1e30) continue;
    const d = a - got[i];
    sig += a * a; noise += d * d;
    if (d > max || -d > max) max = Math.abs(d);
  }
  return { sig, noise, max };
}

/**
 * SQNR of every activation (int8 model vs the float model `fm`, both with `acts` exposed)
 * over the samples, each model run once per sample, and the nodes adding most noise.
 */
async function measure(
  fm: LiteModel, fdesc: ModelDesc, qdesc: ModelDesc, plan: Plan, acts: number[], samples: readonly Sample[], progress: (f: number) => void,
  isAct: (i: number) => boolean, nodeName: (k: number) => string, producer: Map<number, number>,
): Promise<{ errors: Int8TensorError[]; candidates: KeepFloatCandidate[] }> {
  const qm = await loadWithOutputs(qdesc, acts);
  const e: ErrorSums = { sig: new Float64Array(acts.length), noise: new Float64Array(acts.length), maxErr: new Float64Array(acts.length) };
  const sig = e.sig, noise = e.noise, maxErr = e.maxErr;
  // the float outputs, copied side by side (running the int8 model may move the float model's memory);
  // sized per sample, as dynamic dims may differ between samples
  const at = new Array<number>(acts.length);
  let ref = new Float32Array(acts.reduce((n, t) => n + fdesc.tensors[t].shape.reduce((a, b) => a * b, 1), 0));
  const qparams = qm.outputs.map((o) => ({ scale: o.quantization?.scale[0] ?? 1, zeroPoint: o.quantization?.zeroPoint[0] ?? 0 }));
  // input quantization noise (for the local error of the first ops)
  const inputs = fdesc.inputs as number[];
  const inSig = new Float64Array(inputs.length), inNoise = new Float64Array(inputs.length);
  try {
    samples.forEach((sample, s) => {
      const feed = sample.map((x) => ({ data: x.data, shape: x.shape }));
      fm.resetState(); qm.resetState();
      const fo = fm.runSync(feed, { views: true });
      let total = 0;
      fo.forEach((o, k) => { at[k] = total; total += o.data.length; });
      if (total > ref.length) ref = new Float32Array(total);
      fo.forEach((o, k) => ref.set(o.data as Float32Array, at[k]));
      qm.runSync(feed, { views: true }).forEach((o, k) => addError(e, k, ref, at[k], o.data, qparams[k].scale, qparams[k].zeroPoint));
      sample.forEach((x, k) => {
        const p = plan.quant.get(inputs[k]);
        if (!p || !(x.data instanceof Float32Array)) return;
        for (const v of x.data) {
          const r = (Math.max(-128, Math.min(127, Math.round(v / p.scale) + p.zeroPoint)) - p.zeroPoint) * p.scale;
          inSig[k] += v * v; inNoise[k] += (v - r) * (v - r);
        }
      });
      progress((s + 1) / samples.length);
    });
  } finally {
    qm.dispose();
  }
  const db = (s: number, n: number) => (n === 0 ? Infinity : s === 0 ? -Infinity : 10 * Math.log10(s / n));
  const rel = new Map<number, number>();
  const errors: Int8TensorError[] = acts.map((t, k) => {
    rel.set(t, sig[k] > 0 ? noise[k] / sig[k] : 0);
    const op = producer.get(t)!;
    return { tensor: fdesc.tensors[t].name, node: nodeName(op), op: plan.ops[op].op, dtype: plan.int8[op] ? 'int8' : 'float32', sqnrDb: db(sig[k], noise[k]), maxAbsError: maxErr[k] };
  });
  inputs.forEach((t, k) => rel.set(t, inSig[k] > 0 ? inNoise[k] / inSig[k] : 0));
  errors.sort((a, b) => a.sqnrDb - b.sqnrDb);
  const candidates: KeepFloatCandidate[] = [];
  plan.ops.forEach((o, k) => {
    if (!plan.int8[k] || DATA_MOVEMENT.has(o.op)) return;
    const outT = (o.outputs as number[]).find(isAct);
    if (outT === undefined) return;
    const rin = Math.max(0, ...(o.inputs as number[]).filter((i) => i >= 0 && isAct(i)).map((i) => rel.get(i) ?? 0));
    const local = (rel.get(outT) ?? 0) - rin;
    if (!(local > 0)) return;
    const k2 = acts.indexOf(outT);
    candidates.push({ node: nodeName(k), op: o.op, localSqnrDb: -10 * Math.log10(local), sqnrDb: db(sig[k2], noise[k2]) });
  });
  candidates.sort((a, b) => a.localSqnrDb - b.localSqnrDb);
  return { errors, candidates: candidates.slice(0, 5) };
}

/** Drops tensors no operator, input, output or signature refers to (the float weights replaced by int8 ones). */
function compact(d: ModelDesc): ModelDesc {
  const used = new Set<number>();
  const mark = (r: TensorRef) => { if (typeof r === 'number' && r >= 0) used.add(r); };
  for (const o of d.operators) { o.inputs.forEach(mark); o.outputs.forEach(mark); o.intermediates?.forEach(mark); }
  d.inputs.forEach(mark); d.outputs.forEach(mark);
  const order = [...used].sort((a, b) => a - b);
  const at = new Map(order.map((t, k) => [t, k]));
  const ix = (r: TensorRef) => (typeof r === 'number' && r >= 0 ? at.get(r)! : r);
  return {
    ...d,
    tensors: order.map((t) => d.tensors[t]),
    operators: d.operators.map((o) => ({ ...o, inputs: o.inputs.map(ix), outputs: o.outputs.map(ix), ...(o.intermediates ? { intermediates: o.intermediates.map(ix) } : {}) }) as OperatorDesc),
    inputs: d.inputs.map(ix), outputs: d.outputs.map(ix),
    ...(d.signatureDefs ? { signatureDefs: d.signatureDefs.map((s) => ({ ...s, inputs: s.inputs.map((m) => ({ ...m, tensor: ix(m.tensor) })), outputs: s.outputs.map((m) => ({ ...m, tensor: ix(m.tensor) })) })) } : {}),
  };
}
