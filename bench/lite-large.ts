/**
 * Real-size models of the lite benchmark, written with converter/tflite-writer (seeded
 * random weights: the figures are for speed, the outputs are checked against the peers):
 * - MobileNetV2 (alpha 1, 224x224x3, 1000 classes), int8 (scripts/mobilenet-int8.ts, PyTorch-style
 *   explicit PADs) and float32 (SAME padding, as TFLite's converter writes Keras models);
 * - ResNet18 (224x224x3: conv7x7/2, max pool, 4 stages of 2 basic blocks, 1000 classes), int8 and float32;
 * - a transformer encoder, float32: 4 layers, 128 tokens, width 256, 4 heads, FFN 1024;
 * - an LSTM sequence model, float32: 100 steps of 64 features, 256 units; and int8 (TFLite's
 *   integer LSTM, quantized as TFLite's converter does: scripts/lstm-int8.ts).
 * int8 models quantize weights per channel (symmetric) and activations per tensor from the
 * float twin's ranges on a seeded input.
 *
 * ```ts
 * for (const m of await largeModels()) fs.writeFileSync(`${m.file}.tflite`, m.bytes);
 * ```
 */
import { writeTflite, type ModelDesc, type OperatorDesc, type TensorDesc } from '../converter/tflite-writer/index.js';
import { loadModel } from '../lite-runtime/index.js';
import { mobilenetV2Int8 } from '../scripts/mobilenet-int8.js';
import { makeLstmInt8 } from '../scripts/lstm-int8.js';

export interface LargeModel { name: string; file: string; bytes: Uint8Array }

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

type Act = 'NONE' | 'RELU' | 'RELU6';
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A float network over named tensors, written as float32, or as int8 after calibration. */
class Graph {
  readonly ops: OperatorDesc[] = [];
  readonly shapes = new Map<string, number[]>();
  /** Activations in creation order; `same` keeps its input's quantization (max pool). */
  readonly acts: { name: string; same?: string }[] = [];
  readonly weights = new Map<string, { f: Float32Array; shape: number[]; axis: number }>();
  readonly biases = new Map<string, { f: Float32Array; w: string; x: string }>();
  readonly consts: TensorDesc[] = [];
  private k = 0;
  private readonly R: () => number;
  constructor(seed: number, readonly input: string, inShape: number[]) {
    this.R = rng(seed);
    this.shapes.set(input, inShape);
  }

  private act(prefix: string, shape: number[], same?: string): string {
    const name = `${prefix}_${this.k++}`;
    this.shapes.set(name, shape);
    this.acts.push(same ? { name, same } : { name });
    return name;
  }

  private weight(shape: number[], axis: number, fanIn: number): string {
    const name = `w_${this.k++}`, b = Math.sqrt(6 / fanIn);
    this.weights.set(name, { f: Float32Array.from({ length: numel(shape) }, () => (this.R() * 2 - 1) * b), shape, axis });
    return name;
  }

  private bias(n: number, w: string, x: string): string {
    const name = `b_${this.k++}`;
    this.biases.set(name, { f: Float32Array.from({ length: n }, () => (this.R() * 2 - 1) * 0.1), w, x });
    return name;
  }

  shape(x: string): number[] { return this.shapes.get(x)!; }

  conv(x: string, co: number, k: number, stride: number, act: Act): string {
    const [, h, w, ci] = this.shape(x) as [number, number, number, number];
    const wt = this.weight([co, k, k, ci], 0, k * k * ci), b = this.bias(co, wt, x);
    const y = this.act('conv', [1, Math.ceil(h / stride), Math.ceil(w / stride), co]);
    this.ops.push({ op: 'CONV_2D', inputs: [x, wt, b], outputs: [y],
      options: { padding: 'SAME', stride_w: stride, stride_h: stride, fused_activation_function: act } });
    return y;
  }

  dw(x: string, stride: number, act: Act): string {
    const [, h, w, c] = this.shape(x) as [number, number, number, number];
    const wt = this.weight([1, 3, 3, c], 3, 9), b = this.bias(c, wt, x);
    const y = this.act('dw', [1, Math.ceil(h / stride), Math.ceil(w / stride), c]);
    this.ops.push({ op: 'DEPTHWISE_CONV_2D', inputs: [x, wt, b], outputs: [y],
      options: { padding: 'SAME', stride_w: stride, stride_h: stride, depth_multiplier: 1, fused_activation_function: act } });
    return y;
  }

  add(a: string, b: string, act: Act): string {
    const y = this.act('add', this.shape(a));
    this.ops.push({ op: 'ADD', inputs: [a, b], outputs: [y], options: { fused_activation_function: act } });
    return y;
  }

  maxPool(x: string, k: number, stride: number): string {
    const [, h, w, c] = this.shape(x) as [number, number, number, number];
    const y = this.act('pool', [1, Math.ceil(h / stride), Math.ceil(w / stride), c], x);
    this.ops.push({ op: 'MAX_POOL_2D', inputs: [x], outputs: [y],
      options: { padding: 'SAME', stride_w: stride, stride_h: stride, filter_width: k, filter_height: k, fused_activation_function: 'NONE' } });
    return y;
  }

  /** Global average pool: MEAN over H and W. */
  mean(x: string): string {
    const axes = `axes_${this.k++}`;
    this.consts.push({ name: axes, shape: [2], dtype: 'int32', data: [1, 2] });
    const y = this.act('mean', [1, this.shape(x)[3]!]);
    this.ops.push({ op: 'MEAN', inputs: [x, axes], outputs: [y], options: { keep_dims: false } });
    return y;
  }

  fc(x: string, n: number, act: Act): string {
    const s = this.shape(x), k = s[s.length - 1]!;
    const wt = this.weight([n, k], 0, k), b = this.bias(n, wt, x);
    const y = this.act('fc', [...s.slice(0, -1), n]);
    this.ops.push({ op: 'FULLY_CONNECTED', inputs: [x, wt, b], outputs: [y],
      options: { fused_activation_function: act, keep_num_dims: s.length > 2 } });
    return y;
  }

  /** The float32 model; with `all`, every activation is an output too (calibration). */
  float(output: string, all = false): ModelDesc {
    const tensors: TensorDesc[] = [{ name: this.input, shape: this.shape(this.input), dtype: 'float32' }, ...this.consts];
    for (const [name, w] of this.weights) tensors.push({ name, shape: w.shape, dtype: 'float32', data: w.f });
    for (const [name, b] of this.biases) tensors.push({ name, shape: [b.f.length], dtype: 'float32', data: b.f });
    for (const a of this.acts) tensors.push({ name: a.name, shape: this.shape(a.name), dtype: 'float32' });
    return { tensors, operators: this.ops, inputs: [this.input], outputs: all ? this.acts.map((a) => a.name) : [output] };
  }

  /** The int8 model: per-channel weights, per-tensor activations from the float twin's ranges on a seeded input. */
  async int8(output: string, seed: number): Promise<Uint8Array> {
    const inQ = { scale: [1 / 128], zeroPoint: [0] };
    const R = rng(seed), n = numel(this.shape(this.input));
    const x = Float32Array.from({ length: n }, () => (Math.floor(R() * 256) - 128) / 128);
    const fm = await loadModel(writeTflite(this.float(output, true)));
    const outs = fm.runSync([x]);
    fm.dispose();
    const quant = new Map<string, { scale: number[]; zeroPoint: number[] }>([[this.input, inQ]]);
    this.acts.forEach((a, k) => {
      if (a.same) { quant.set(a.name, quant.get(a.same)!); return; }
      let lo = 0, hi = 1e-3;
      for (const v of outs[k]!.data as Float32Array) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const scale = Math.fround((hi - lo) / 255);
      quant.set(a.name, { scale: [scale], zeroPoint: [Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)))] });
    });
    const tensors: TensorDesc[] = [{ name: this.input, shape: this.shape(this.input), dtype: 'int8', quant: inQ }, ...this.consts];
    const wScales = new Map<string, number[]>();
    for (const [name, w] of this.weights) {
      const ch = w.shape[w.axis]!, inner = numel(w.shape.slice(w.axis + 1)), mx = new Float64Array(ch);
      for (let i = 0; i < w.f.length; i++) { const c = Math.floor(i / inner) % ch; mx[c] = Math.max(mx[c]!, Math.abs(w.f[i]!)); }
      const scale = Array.from(mx, (m) => Math.fround(Math.max(m, 1e-6) / 127));
      wScales.set(name, scale);
      const q = Int8Array.from(w.f, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scale[Math.floor(i / inner) % ch]!))));
      tensors.push({ name, shape: w.shape, dtype: 'int8', data: q, quant: { scale, zeroPoint: scale.map(() => 0), axis: w.axis } });
    }
    for (const [name, b] of this.biases) {
      const ws = wScales.get(b.w)!, xs = quant.get(b.x)!.scale[0]!;
      const scale = ws.map((s) => Math.fround(xs * s));
      tensors.push({ name, shape: [b.f.length], dtype: 'int32', data: Int32Array.from(b.f, (v, c) => Math.round(v / scale[c]!)),
        quant: { scale, zeroPoint: scale.map(() => 0), axis: 0 } });
    }
    for (const a of this.acts) tensors.push({ name: a.name, shape: this.shape(a.name), dtype: 'int8', quant: quant.get(a.name)! });
    return writeTflite({ tensors, operators: this.ops, inputs: [this.input], outputs: [output] });
  }
}

const MBV2_BLOCKS: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

/** MobileNetV2 at 224 (SAME padding, RELU6 fused, residual ADDs), float32. */
export function mobilenetV2(): { g: Graph; out: string } {
  const g = new Graph(11, 'input', [1, 224, 224, 3]);
  let x = g.conv('input', 32, 3, 2, 'RELU6');
  for (const [t, c, n, s] of MBV2_BLOCKS) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1, ci = g.shape(x)[3]!;
      let y = t === 1 ? x : g.conv(x, ci * t, 1, 1, 'RELU6');
      y = g.conv(g.dw(y, stride, 'RELU6'), c, 1, 1, 'NONE');
      x = stride === 1 && ci === c ? g.add(x, y, 'NONE') : y;
    }
  }
  return { g, out: g.fc(g.mean(g.conv(x, 1280, 1, 1, 'RELU6')), 1000, 'NONE') };
}

/** ResNet18 at 224: conv7x7/2 + max pool 3/2, stages of two basic blocks (64, 128, 256, 512), mean, FC 1000. */
export function resnet18(): { g: Graph; out: string } {
  const g = new Graph(12, 'input', [1, 224, 224, 3]);
  let x = g.maxPool(g.conv('input', 64, 7, 2, 'RELU'), 3, 2);
  for (const [c, s] of [[64, 1], [128, 2], [256, 2], [512, 2]] as const) {
    for (let i = 0; i < 2; i++) {
      const stride = i === 0 ? s : 1;
      const y = g.conv(g.conv(x, c, 3, stride, 'RELU'), c, 3, 1, 'NONE');
      const skip = stride !== 1 || g.shape(x)[3] !== c ? g.conv(x, c, 1, stride, 'NONE') : x;
      x = g.add(y, skip, 'RELU');
    }
  }
  return { g, out: g.fc(g.mean(x), 1000, 'NONE') };
}

/** Transformer encoder, float32: post-norm layers of 4-head attention and a ReLU FFN. */
export function transformerEncoder(layers = 4, seq = 128, d = 256, heads = 4, ff = 1024): Uint8Array {
  const R = rng(13), dh = d / heads;
  const tensors: TensorDesc[] = [{ name: 'x', shape: [seq, d], dtype: 'float32' }];
  const ops: OperatorDesc[] = [];
  let k = 0;
  const t = (shape: number[], data?: Float32Array | Int32Array, dtype: 'float32' | 'int32' = 'float32'): string => {
    const name = `t${k++}`;
    tensors.push(data ? { name, shape, dtype, data } : { name, shape, dtype });
    return name;
  };
  const w = (shape: number[], fanIn: number): string => t(shape, Float32Array.from({ length: numel(shape) }, () => (R() * 2 - 1) * Math.sqrt(6 / fanIn)));
  const fc = (x: string, n: number, kin: number, act: Act = 'NONE'): string => {
    const y = t([seq, n]);
    ops.push({ op: 'FULLY_CONNECTED', inputs: [x, w([n, kin], kin), t([n], new Float32Array(n))], outputs: [y], options: { fused_activation_function: act } });
    return y;
  };
  const i32 = (v: number[]): string => t([v.length], Int32Array.from(v), 'int32');
  const heads3 = (x: string): string => {
    const r = t([seq, heads, dh]), y = t([heads, seq, dh]);
    ops.push({ op: 'RESHAPE', inputs: [x, i32([seq, heads, dh])], outputs: [r] }, { op: 'TRANSPOSE', inputs: [r, i32([1, 0, 2])], outputs: [y] });
    return y;
  };
  const layerNorm = (x: string): string => {
    const axis = i32([-1]), mu = t([seq, 1]), c = t([seq, d]), sq = t([seq, d]), v = t([seq, 1]), ve = t([seq, 1]), inv = t([seq, 1]);
    const n = t([seq, d]), g = t([seq, d]), y = t([seq, d]);
    ops.push(
      { op: 'MEAN', inputs: [x, axis], outputs: [mu], options: { keep_dims: true } },
      { op: 'SUB', inputs: [x, mu], outputs: [c] },
      { op: 'MUL', inputs: [c, c], outputs: [sq] },
      { op: 'MEAN', inputs: [sq, axis], outputs: [v], options: { keep_dims: true } },
      { op: 'ADD', inputs: [v, t([1], Float32Array.of(1e-5))], outputs: [ve] },
      { op: 'RSQRT', inputs: [ve], outputs: [inv] },
      { op: 'MUL', inputs: [c, inv], outputs: [n] },
      { op: 'MUL', inputs: [n, t([d], new Float32Array(d).fill(1))], outputs: [g] },
      { op: 'ADD', inputs: [g, t([d], new Float32Array(d))], outputs: [y] },
    );
    return y;
  };
  let x = 'x';
  for (let l = 0; l < layers; l++) {
    const q = heads3(fc(x, d, d)), kk = heads3(fc(x, d, d)), v = heads3(fc(x, d, d));
    const s = t([heads, seq, seq]), ss = t([heads, seq, seq]), p = t([heads, seq, seq]), o = t([heads, seq, dh]), ot = t([seq, heads, dh]), o2 = t([seq, d]);
    ops.push(
      { op: 'BATCH_MATMUL', inputs: [q, kk], outputs: [s], options: { adj_x: false, adj_y: true } },
      { op: 'MUL', inputs: [s, t([1], Float32Array.of(1 / Math.sqrt(dh)))], outputs: [ss] },
      { op: 'SOFTMAX', inputs: [ss], outputs: [p], options: { beta: 1 } },
      { op: 'BATCH_MATMUL', inputs: [p, v], outputs: [o], options: { adj_x: false, adj_y: false } },
      { op: 'TRANSPOSE', inputs: [o, i32([1, 0, 2])], outputs: [ot] },
      { op: 'RESHAPE', inputs: [ot, i32([seq, d])], outputs: [o2] },
    );
    const a = t([seq, d]);
    ops.push({ op: 'ADD', inputs: [x, fc(o2, d, d)], outputs: [a] });
    const h = layerNorm(a), f = fc(fc(h, ff, d, 'RELU'), d, ff), r = t([seq, d]);
    ops.push({ op: 'ADD', inputs: [h, f], outputs: [r] });
    x = layerNorm(r);
  }
  return writeTflite({ tensors, operators: ops, inputs: ['x'], outputs: [x] });
}

/** One UNIDIRECTIONAL_SEQUENCE_LSTM layer (TANH, no peephole/projection) over [1, steps, features], float32. */
export function lstmSequence(steps = 100, features = 64, units = 256): Uint8Array {
  const R = rng(14), b = Math.sqrt(1 / units);
  const tensors: TensorDesc[] = [{ name: 'x', shape: [1, steps, features], dtype: 'float32' }];
  const w = (name: string, shape: number[]): string => {
    tensors.push({ name, shape, dtype: 'float32', data: Float32Array.from({ length: numel(shape) }, () => (R() * 2 - 1) * b) });
    return name;
  };
  const gates = ['i', 'f', 'c', 'o'];
  const inputs: (string | number)[] = ['x', ...gates.map((g) => w(`wx_${g}`, [units, features])), ...gates.map((g) => w(`wh_${g}`, [units, units])),
    -1, -1, -1, ...gates.map((g) => w(`b_${g}`, [units])), -1, -1, 'h0', 'c0', -1, -1, -1, -1];
  tensors.push({ name: 'h0', shape: [1, units], dtype: 'float32', isVariable: true }, { name: 'c0', shape: [1, units], dtype: 'float32', isVariable: true },
    { name: 'y', shape: [1, steps, units], dtype: 'float32' });
  return writeTflite({
    tensors,
    operators: [{ op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, outputs: ['y'],
      options: { fused_activation_function: 'TANH', cell_clip: 0, proj_clip: 0, time_major: false } }],
    inputs: ['x'], outputs: ['y'],
  });
}

/** The real-size benchmark models, float32 and int8 (int8 ones are calibrated here: a few seconds). */
export async function largeModels(): Promise<LargeModel[]> {
  const mb = mobilenetV2(), rn = resnet18();
  return [
    { name: 'mobilenet_v2 224 int8', file: 'mobilenet_v2_224_int8', bytes: await mobilenetV2Int8({ size: 224 }) },
    { name: 'mobilenet_v2 224 f32', file: 'mobilenet_v2_224_f32', bytes: writeTflite(mb.g.float(mb.out)) },
    { name: 'resnet18 224 int8', file: 'resnet18_224_int8', bytes: await rn.g.int8(rn.out, 15) },
    { name: 'resnet18 224 f32', file: 'resnet18_224_f32', bytes: writeTflite(rn.g.float(rn.out)) },
    { name: 'transformer encoder 4x128x256 f32', file: 'transformer_f32', bytes: transformerEncoder() },
    { name: 'lstm 100x64 -> 256 f32', file: 'lstm_f32', bytes: lstmSequence() },
    { name: 'lstm 100x64 -> 256 int8', file: 'lstm_int8', bytes: makeLstmInt8(rng(15), { batch: 1, steps: 100, nin: 64, units: 256, nout: 256,
      cifg: false, peephole: false, layerNorm: false, timeMajor: false, cellClip: 0, projClip: 0, w: 0.1 }).model },
  ];
}
