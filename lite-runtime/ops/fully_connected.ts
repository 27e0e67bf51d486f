/**
 * FULLY_CONNECTED: y[b,u] = act(sum_i x[b,i] * w[u,i] + bias[u]), x flattened to
 * [batch, inDim] (keep_num_dims keeps its leading dims). Float: packed GEMM
 * (weights packed once at prepare). Int8: int8 GEMM + requantization
 * (per-tensor or per-channel weights, non-zero weight zero point supported).
 */
import { BuiltinOp, FullyConnectedOptions as F } from '../format/schema.js';
import {
  matmul, matmulPacked, packB, packI8, i8LayoutFor, packRequantI8, qmatmulI8, qmatmulI8Packed, qmatmulI8PackedRequant,
  type PackedI8, type PackedMatrix, type PackedRequantI8,
} from '../kernels/index.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, expectDType, expectRank, input, numElements, optInput, output, qparams, setOutput } from './util/check.js';
import { actName, floatActRange, quantActRange } from './util/activation.js';
import { makeRequant, requantMode, requantBlock, type Requant } from './util/requant.js';
import { allZero } from './util/quant.js';
import { clampRange } from './util/window.js';
import { constData, floatWeightsOrLive, live } from './util/weights.js';

const OP = 'FULLY_CONNECTED';

interface Dims { batch: number; inDim: number; units: number }
interface FloatState {
  kind: 'f32'; d: Dims; weights: Float32Array | null; packed: PackedMatrix | null; bias: Float32Array | null; hasBias: boolean;
  kAct: 'relu' | 'relu6' | null; lo: number; hi: number;
}
interface Int8State {
  kind: 'i8'; d: Dims; weights: Int8Array | null; packed: PackedI8 | null; bias: Int32Array | null; hasBias: boolean; inZp: number; wZp: number;
  rq: Requant; acc: Int32Array; rowCorr: Int32Array;
  /** The wasm GEMM's fused requantization (fp32 mode, constant weights and bias, weight zero point 0), else null. */
  fused: PackedRequantI8 | null;
}
type State = FloatState | Int8State;

function dims(node: OpNode): Dims {
  const x = input(OP, node, 0), w = input(OP, node, 1), y = output(OP, node, 0);
  expectRank(OP, node, 'weights', w, 2);
  const [units, inDim] = w.shape as [number, number];
  const total = numElements(x.shape);
  expect(OP, node, inDim > 0 && units > 0 && total % inDim === 0,
    () => `${describe('input 0', x)} holds ${total} values, not a multiple of the weights' input size ${inDim} (${describe('weights', w)})`);
  const batch = total / inDim;
  const format = node.options ? node.options.i8(F.weights_format, 0) : 0;
  expect(OP, node, format === 0, () => `weights_format ${format} (shuffled int8 weights) is not supported, only DEFAULT (0)`);
  const keep = node.options ? node.options.bool(F.keep_num_dims, false) : false;
  if (keep) {
    expect(OP, node, x.shape[x.shape.length - 1] === inDim,
      () => `keep_num_dims: ${describe('input 0', x)} last dim must be ${inDim}`);
  }
  setOutput(OP, node, y, keep ? [...x.shape.slice(0, -1), units] : [batch, units]);
  return { batch, inDim, units };
}

function actOf(node: OpNode): number {
  return node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
}

function prepareFloat(node: OpNode, d: Dims): FloatState {
  const w = input(OP, node, 1), b = optInput(node, 2);
  expectDType(OP, node, 'output', output(OP, node, 0), 'float32');
  const weights = floatWeightsOrLive(OP, node, 'weights', w);
  if (b) {
    expectDType(OP, node, 'bias', b, 'float32');
    expect(OP, node, numElements(b.shape) === d.units, () => `${describe('bias', b)}: needs ${d.units} values`);
  }
  const a = actOf(node), r = floatActRange(a);
  expect(OP, node, r !== null, () => `fused activation ${actName(a)} is not supported`);
  const kAct = a === 1 ? 'relu' : a === 3 ? 'relu6' : null;
  return {
    kind: 'f32', d, weights, packed: weights ? packB(weights, d.inDim, d.units, true) : null, hasBias: !!b,
    bias: constData<Float32Array>(b), kAct, lo: kAct ? -Infinity : r[0], hi: kAct ? Infinity : r[1],
  };
}

function prepareInt8(node: OpNode, d: Dims): Int8State {
  const x = input(OP, node, 0), w = input(OP, node, 1), b = optInput(node, 2), y = output(OP, node, 0);
  expectDType(OP, node, 'weights', w, 'int8');
  expectDType(OP, node, 'output', y, 'int8');
  const xq = qparams(OP, node, 'input 0', x), yq = qparams(OP, node, 'output', y), wq = qparams(OP, node, 'weights', w);
  const scales = w.quant!.scale;
  expect(OP, node, scales.length === 1 || scales.length === d.units, () => `${describe('weights', w)}: needs 1 or ${d.units} scales`);
  const perChannel = scales.length > 1;
  expect(OP, node, !perChannel || allZero(w.quant!.zeroPoint), () => `${describe('weights', w)}: per-channel zero points must be 0`);
  if (b) {
    expectDType(OP, node, 'bias', b, 'int32');
    expect(OP, node, numElements(b.shape) === d.units, () => `${describe('bias', b)}: needs ${d.units} values`);
  }
  const a = actOf(node), r = quantActRange(a, yq.scale, yq.zeroPoint, -128, 127, requantMode() === 'fp32');
  expect(OP, node, r !== null, () => `fused activation ${actName(a)} is not supported`);
  const rq = makeRequant(xq.scale, scales, yq.scale, yq.zeroPoint, r[0], r[1], perChannel ? d.units : 1);
  const bias = constData<Int32Array>(b), wZp = perChannel ? 0 : wq.zeroPoint;
  const layout = i8LayoutFor(d.batch, d.inDim, rq.fp32 && wZp === 0 && (!b || !!bias));
  // under 64 weights they stay as the file has them: packing pads k and n to 8 and blocks to 64 bytes (hello_world: 2.4x its weights)
  const packed = w.isConst && d.units * d.inDim >= 64 ? packI8(w.data as Int8Array, d.units, d.inDim, layout) : null;
  const fused = packed && rq.fp32 && wZp === 0 && (!b || bias)
    ? packRequantI8({ bias, scale: rq.scale, zeroPoint: rq.outZp, lo: rq.lo, hi: rq.hi }, d.units) : null;
  return {
    kind: 'i8', d, weights: constData<Int8Array>(w), packed, bias, hasBias: !!b, inZp: xq.zeroPoint, wZp, rq,
    acc: new Int32Array(d.batch * d.units), rowCorr: new Int32Array(d.batch), fused,
  };
}

function runFloat(node: OpNode, s: FloatState): void {
  const { batch, inDim, units } = s.d;
  const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
  const bias = s.hasBias ? live(node, 2, s.bias) : null;
  if (s.packed) {
    matmulPacked(x, s.packed, y, batch, bias, s.kAct);
  } else {
    matmul(x, live(node, 1, s.weights), y, batch, inDim, units, { transB: true });
    if (bias) for (let i = 0; i < batch; i++) for (let u = 0; u < units; u++) y[i * units + u] += bias[u]!;
    if (s.kAct) clampRange(y, 0, batch * units, 0, s.kAct === 'relu' ? Infinity : 6);
  }
  clampRange(y, 0, batch * units, s.lo, s.hi);
}

function runInt8(node: OpNode, s: Int8State): void {
  const { batch, inDim, units } = s.d;
  const { acc, rq, wZp, inZp } = s;
  const bias = s.hasBias ? live(node, 2, s.bias) : null;
  const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array;
  if (s.fused && qmatmulI8PackedRequant(x, inZp, s.packed!, s.fused, y, batch)) return;
  if (s.packed) qmatmulI8Packed(x, inZp, s.packed, acc, batch);
  else qmatmulI8(x, inZp, live(node, 1, s.weights), acc, batch, inDim, units);
  if (wZp !== 0) {
    // sum (x - xz) * (w - wz) = sum (x - xz) * w - wz * sum (x - xz)
    for (let i = 0; i < batch; i++) {
      let rs = 0;
      for (let k = i * inDim, e = k + inDim; k < e; k++) rs += x[k]! - inZp;
      s.rowCorr[i] = -wZp * rs;
    }
  }
  requantBlock(rq, acc, batch, units, bias, y, 0, wZp !== 0 ? s.rowCorr : null);
}

export const FULLY_CONNECTED: LiteOp<State> = {
  code: BuiltinOp.FULLY_CONNECTED,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8');
    const d = dims(node);
    return x.dtype === 'float32' ? prepareFloat(node, d) : prepareInt8(node, d);
  },
  run(node, s) {
    if (s.kind === 'f32') runFloat(node, s);
    else runInt8(node, s);
  },
};
