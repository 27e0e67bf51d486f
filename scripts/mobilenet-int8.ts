/**
 * A MobileNetV2-shaped int8 model (224x224x3, seeded random weights), written with
 * converter/tflite-writer as TFLite's converter writes PyTorch models: TRANSPOSE from NCHW,
 * an explicit PAD of 1 on each side (PyTorch's padding=1, also at stride 2) before every 3x3
 * conv and depthwise (VALID padding), RELU6 fused,
 * per-channel int8 weights, residual ADDs with different input scales, MEAN, FULLY_CONNECTED.
 * Activation quantization is calibrated on the float twin (same dequantized weights) run in
 * tglite on a seeded input.
 *
 *   npx tsx scripts/mobilenet-int8.ts OUT.tflite [--alpha 1] [--size 224] [--seed 3] [--head 1280] [--classes 1000]
 *
 * ```ts
 * const bytes = await mobilenetV2Int8({ alpha: 1, size: 224, seed: 3 });
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeTflite } from '../converter/tflite-writer/index.js';
import type { ModelDesc, OperatorDesc, TensorDesc } from '../converter/tflite-writer/types.js';
import { loadModel } from '../lite-runtime/index.js';
import { rng } from './int8-sweep.js';
import { argOf } from './tflite-ref.js';

interface Layer { name: string; shape: number[]; relu6: boolean }

/** The network as float ops over named tensors; quantization is filled in later. */
class Net {
  tensors: TensorDesc[] = [];
  ops: OperatorDesc[] = [];
  acts: Layer[] = [];
  /** Per-channel int8 weights with their scales, to write both twins. */
  weights = new Map<string, { q: Int8Array; scale: number[]; axis: number; shape: number[] }>();
  biases = new Map<string, { f: Float32Array; w: string; x: string }>();
  consts: TensorDesc[] = [];
  private k = 0;
  constructor(private R: () => number) {}

  act(prefix: string, shape: number[], relu6 = false): string {
    const name = `${prefix}_${this.k++}`;
    this.acts.push({ name, shape, relu6 });
    return name;
  }

  /** Per-channel symmetric int8 weights, uniform in +-sqrt(6 / fanIn). */
  weight(shape: number[], axis: number, fanIn: number): string {
    const name = `w_${this.k++}`;
    const n = shape.reduce((a, b) => a * b, 1), ch = shape[axis]!;
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const f = Float32Array.from({ length: n }, () => (this.R() * 2 - 1) * Math.sqrt(6 / fanIn));
    const mx = new Float64Array(ch);
    for (let i = 0; i < n; i++) { const c = Math.floor(i / inner) % ch; mx[c] = Math.max(mx[c]!, Math.abs(f[i]!)); }
    const scale = Array.from(mx, (m) => Math.fround(Math.max(m, 1e-6) / 127));
    const q = Int8Array.from(f, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scale[Math.floor(i / inner) % ch]!))));
    this.weights.set(name, { q, scale, axis, shape });
    return name;
  }

  bias(n: number, w: string, x: string): string {
    const name = `b_${this.k++}`;
    this.biases.set(name, { f: Float32Array.from({ length: n }, () => (this.R() * 2 - 1) * 0.1), w, x });
    return name;
  }

  pad(x: string, shape: number[], p: [number, number, number, number]): [string, number[]] {
    const pads = `pads_${this.k++}`;
    this.consts.push({ name: pads, shape: [4, 2], dtype: 'int32', data: [0, 0, p[0], p[1], p[2], p[3], 0, 0] });
    const out = [shape[0]!, shape[1]! + p[0] + p[1], shape[2]! + p[2] + p[3], shape[3]!];
    const y = this.act('pad', out);
    this.ops.push({ op: 'PAD', inputs: [x, pads], outputs: [y] });
    // PAD keeps its input's quantization: marked below
    this.same.set(y, x);
    return [y, out];
  }
  same = new Map<string, string>();

  conv(x: string, shape: number[], co: number, k: number, stride: number, relu6: boolean): [string, number[]] {
    let [h, w, ci] = [shape[1]!, shape[2]!, shape[3]!];
    let inp = x;
    if (k === 3) { [inp] = this.pad(x, shape, [1, 1, 1, 1]); h += 2; w += 2; }
    const out = [1, Math.floor((h - k) / stride) + 1, Math.floor((w - k) / stride) + 1, co];
    const wt = this.weight([co, k, k, ci], 0, k * k * ci), b = this.bias(co, wt, inp);
    const y = this.act('conv', out, relu6);
    this.ops.push({ op: 'CONV_2D', inputs: [inp, wt, b], outputs: [y],
      options: { padding: 'VALID', stride_w: stride, stride_h: stride, fused_activation_function: relu6 ? 'RELU6' : 'NONE' } });
    return [y, out];
  }

  dw(x: string, shape: number[], stride: number): [string, number[]] {
    const c = shape[3]!;
    const [inp, ps] = this.pad(x, shape, [1, 1, 1, 1]);
    const out = [1, Math.floor((ps[1]! - 3) / stride) + 1, Math.floor((ps[2]! - 3) / stride) + 1, c];
    const wt = this.weight([1, 3, 3, c], 3, 9), b = this.bias(c, wt, inp);
    const y = this.act('dw', out, true);
    this.ops.push({ op: 'DEPTHWISE_CONV_2D', inputs: [inp, wt, b], outputs: [y],
      options: { padding: 'VALID', stride_w: stride, stride_h: stride, depth_multiplier: 1, fused_activation_function: 'RELU6' } });
    return [y, out];
  }
}

const BLOCKS: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

/** The network's ops and tensors (float), before quantization. */
function build(alpha: number, size: number, seed: number, head: number, classes: number): { net: Net; input: string; output: string } {
  const net = new Net(rng(seed));
  const ch = (c: number): number => Math.max(8, Math.round((c * alpha) / 8) * 8);
  const input = 'input_nchw';
  const perm = 'perm';
  net.consts.push({ name: perm, shape: [4], dtype: 'int32', data: [0, 2, 3, 1] });
  let shape = [1, size, size, 3];
  let x = net.act('nhwc', shape);
  net.ops.push({ op: 'TRANSPOSE', inputs: [input, perm], outputs: [x] });
  net.same.set(x, input);
  [x, shape] = net.conv(x, shape, ch(32), 3, 2, true);
  for (const [t, c, n, s] of BLOCKS) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1, ci = shape[3]!, co = ch(c);
      let y = x, ys = shape;
      if (t !== 1) [y, ys] = net.conv(y, ys, ci * t, 1, 1, true);
      [y, ys] = net.dw(y, ys, stride);
      [y, ys] = net.conv(y, ys, co, 1, 1, false);
      if (stride === 1 && ci === co) {
        const sum = net.act('add', ys);
        net.ops.push({ op: 'ADD', inputs: [x, y], outputs: [sum], options: { fused_activation_function: 'NONE' } });
        y = sum;
      }
      x = y; shape = ys;
    }
  }
  [x, shape] = net.conv(x, shape, head, 1, 1, true);
  const axes = 'mean_axes';
  net.consts.push({ name: axes, shape: [2], dtype: 'int32', data: [1, 2] });
  const pooled = net.act('mean', [1, head]);
  net.ops.push({ op: 'MEAN', inputs: [x, axes], outputs: [pooled], options: { keep_dims: false } });
  const fw = net.weight([classes, head], 0, head);
  const fb = net.bias(classes, fw, pooled);
  const logits = net.act('logits', [1, classes]);
  net.ops.push({ op: 'FULLY_CONNECTED', inputs: [pooled, fw, fb], outputs: [logits], options: { fused_activation_function: 'NONE' } });
  return { net, input, output: logits };
}

const INPUT_Q = { scale: [1 / 128], zeroPoint: [0] };

/** The float twin (dequantized weights), every activation a model output, for calibration. */
function floatDesc(net: Net, input: string, size: number): ModelDesc {
  const tensors: TensorDesc[] = [{ name: input, shape: [1, 3, size, size], dtype: 'float32' }, ...net.consts];
  for (const [name, w] of net.weights) {
    const inner = w.shape.slice(w.axis + 1).reduce((a, b) => a * b, 1), ch = w.shape[w.axis]!;
    tensors.push({ name, shape: w.shape, dtype: 'float32', data: Float32Array.from(w.q, (v, i) => v * w.scale[Math.floor(i / inner) % ch]!) });
  }
  for (const [name, b] of net.biases) tensors.push({ name, shape: [b.f.length], dtype: 'float32', data: b.f });
  for (const a of net.acts) tensors.push({ name: a.name, shape: a.shape, dtype: 'float32' });
  return { tensors, operators: net.ops, inputs: [input], outputs: net.acts.map((a) => a.name) };
}

/** Asymmetric int8 quantization covering [min(lo, 0), max(hi, 0)]. */
function actQuant(lo: number, hi: number): { scale: number[]; zeroPoint: number[] } {
  lo = Math.min(lo, 0); hi = Math.max(hi, 1e-3);
  const scale = Math.fround((hi - lo) / 255);
  return { scale: [scale], zeroPoint: [Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)))] };
}

/** The int8 model: activations quantized from the float twin's ranges on a seeded input. */
export async function mobilenetV2Int8(
  o: { alpha?: number; size?: number; seed?: number; head?: number; classes?: number } = {},
): Promise<Uint8Array> {
  const alpha = o.alpha ?? 1, size = o.size ?? 224, seed = o.seed ?? 3;
  const { net, input, output } = build(alpha, size, seed, o.head ?? 1280, o.classes ?? 1000);
  const R = rng(seed + 1);
  const xq = Int8Array.from({ length: 3 * size * size }, () => Math.floor(R() * 256) - 128);
  const fm = await loadModel(writeTflite(floatDesc(net, input, size)));
  const outs = fm.runSync([Float32Array.from(xq, (v) => v / 128)]);
  fm.dispose();
  const quant = new Map<string, { scale: number[]; zeroPoint: number[] }>([[input, INPUT_Q]]);
  net.acts.forEach((a, k) => {
    let lo = Infinity, hi = -Infinity;
    for (const v of outs[k]!.data as Float32Array) { if (v < lo) lo = v; if (v > hi) hi = v; }
    quant.set(a.name, a.relu6 ? { scale: [Math.fround(Math.min(Math.max(hi, 1e-3), 6) / 255)], zeroPoint: [-128] } : actQuant(lo, hi));
  });
  // PAD and TRANSPOSE keep their input's quantization (in op order, so chains resolve)
  for (const op of net.ops) {
    const y = op.outputs[0] as string, src = net.same.get(y);
    if (src) quant.set(y, quant.get(src)!);
  }
  const tensors: TensorDesc[] = [{ name: input, shape: [1, 3, size, size], dtype: 'int8', quant: INPUT_Q }, ...net.consts];
  for (const [name, w] of net.weights) {
    tensors.push({ name, shape: w.shape, dtype: 'int8', data: w.q,
      quant: { scale: w.scale, zeroPoint: w.scale.map(() => 0), ...(w.scale.length > 1 ? { axis: w.axis } : {}) } });
  }
  for (const [name, b] of net.biases) {
    const ws = net.weights.get(b.w)!.scale, xs = quant.get(b.x)!.scale[0]!;
    const scale = Array.from(b.f, (_, c) => Math.fround(xs * ws[ws.length > 1 ? c : 0]!));
    tensors.push({ name, shape: [b.f.length], dtype: 'int32', data: Int32Array.from(b.f, (v, c) => Math.round(v / scale[c]!)),
      quant: { scale: ws.length > 1 ? scale : [scale[0]!], zeroPoint: (ws.length > 1 ? scale : [0]).map(() => 0), ...(ws.length > 1 ? { axis: 0 } : {}) } });
  }
  for (const a of net.acts) tensors.push({ name: a.name, shape: a.shape, dtype: 'int8', quant: quant.get(a.name)! });
  return writeTflite({ tensors, operators: net.ops, inputs: [input], outputs: [output] });
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out || out.startsWith('--')) throw new Error('usage: npx tsx scripts/mobilenet-int8.ts OUT.tflite [--alpha 1] [--size 224] [--seed 3] [--head 1280] [--classes 1000]');
  const bytes = await mobilenetV2Int8({
    alpha: Number(argOf('--alpha') ?? 1), size: Number(argOf('--size') ?? 224), seed: Number(argOf('--seed') ?? 3),
    head: Number(argOf('--head') ?? 1280), classes: Number(argOf('--classes') ?? 1000),
  });
  fs.writeFileSync(out, bytes);
  console.log(`wrote ${out} (${bytes.length} bytes)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
