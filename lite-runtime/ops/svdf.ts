/**
 * SVDF (singular value decomposition filter, a rank-limited 1-D convolution over time
 * with a persistent activation state, input 4, a variable tensor updated in place):
 * 1. shift the state left by one step; 2. state[:, :, last] = x @ weights_feature^T;
 * 3. per filter, dot the state with weights_time; 4. sum `rank` filters per unit, add bias, activate.
 * Int8 follows TFLite's integer SVDF bit for bit (int8 or int16 state and time weights): step 2
 * is the int8 GEMM over weights_feature packed once at prepare, its requantization written into
 * the shifted state; steps 3-4 one pass (`util/svdf.ts`), for rank 1 int16 over int32 words of
 * two elements. Requantization clamps from a double estimate when far outside the range.
 */
import { BuiltinOp, SVDFOptions as F } from '../format/schema.js';
import { packI8, qmatmulI8, qmatmulI8Packed, type PackedI8 } from '../kernels/index.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, expectDType, expectRank, input, numElements, optInput, output, qparams, setOutput } from './util/check.js';
import { actName, floatActRange } from './util/activation.js';
import { qRange } from './util/quant.js';
import { fixedMul, pairView, pushStateI, timeReduceI, timeReducePairs, type SvdfQuant } from './util/svdf.js';
import { constData, live } from './util/weights.js';

const OP = 'SVDF';

interface Dims { batch: number; inSize: number; filters: number; units: number; rank: number; memory: number }
interface FloatState { kind: 'f32'; d: Dims; scratch: Float64Array; lo: number; hi: number }
interface Int8State {
  kind: 'i8'; d: Dims; q: SvdfQuant; inZp: number; hasBias: boolean;
  /** weights_feature held for the GEMM when constant (else read each run), its int32 sums. */
  packed: PackedI8 | null; acc: Int32Array;
  weights: Int8Array | null; timeWeights: Int16Array | Int8Array | null; bias: Int32Array | null;
  /** Rank 1, int16 state with zero point 0, even memory, constant int16 time weights: their `pairView`. */
  timePairs: Int32Array | null;
  /** The `pairView` of the state array last seen (made again only when the array changes). */
  statePairs: Int32Array | null; statePairsOf: Int16Array | null;
}
type State = FloatState | Int8State;

function dims(node: OpNode): Dims {
  const x = input(OP, node, 0), wf = input(OP, node, 1), wt = input(OP, node, 2), b = optInput(node, 3);
  const st = input(OP, node, 4);
  expectDType(OP, node, 'input 0', x, 'float32', 'int8');
  expectRank(OP, node, 'input 0', x, 2);
  expectRank(OP, node, 'weights_feature', wf, 2);
  expectRank(OP, node, 'weights_time', wt, 2);
  expectRank(OP, node, 'state', st, 2);
  const rank = node.options ? node.options.i32(F.rank, 1) : 1;
  const [batch, inSize] = x.shape as [number, number];
  const filters = wf.shape[0]!, memory = wt.shape[1]!;
  expect(OP, node, rank >= 1 && filters % rank === 0, () => `filters ${filters} must be a multiple of rank ${rank}`);
  const units = filters / rank;
  expect(OP, node, wf.shape[1] === inSize, () => `${describe('weights_feature', wf)}: must be [filters, ${inSize}]`);
  expect(OP, node, wt.shape[0] === filters && memory > 0, () => `${describe('weights_time', wt)}: must be [${filters}, memory]`);
  expect(OP, node, st.shape[0] === batch && st.shape[1] === memory * filters,
    () => `${describe('state', st)}: must be [${batch}, ${memory * filters}]`);
  if (b) expect(OP, node, numElements(b.shape) === units, () => `${describe('bias', b)}: needs ${units} values`);
  return { batch, inSize, filters, units, rank, memory };
}

function prepareFloat(node: OpNode, d: Dims, act: number): FloatState {
  const b = optInput(node, 3);
  for (const [role, i] of [['weights_feature', 1], ['weights_time', 2], ['state', 4]] as const) {
    expectDType(OP, node, role, input(OP, node, i), 'float32');
  }
  if (b) expectDType(OP, node, 'bias', b, 'float32');
  setOutput(OP, node, output(OP, node, 0), [d.batch, d.units], 'float32');
  const r = floatActRange(act);
  expect(OP, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
  return { kind: 'f32', d, scratch: new Float64Array(d.batch * d.filters), lo: r[0], hi: r[1] };
}

function prepareInt8(node: OpNode, d: Dims): Int8State {
  const x = input(OP, node, 0), wf = input(OP, node, 1), wt = input(OP, node, 2), b = optInput(node, 3);
  const st = input(OP, node, 4), y = output(OP, node, 0);
  expectDType(OP, node, 'weights_feature', wf, 'int8');
  expectDType(OP, node, 'weights_time', wt, 'int8', 'int16');
  expectDType(OP, node, 'state', st, 'int8', 'int16');
  if (b) expectDType(OP, node, 'bias', b, 'int32');
  setOutput(OP, node, y, [d.batch, d.units], 'int8');
  const xq = qparams(OP, node, 'input 0', x), wfq = qparams(OP, node, 'weights_feature', wf);
  const wtq = qparams(OP, node, 'weights_time', wt), sq = qparams(OP, node, 'state', st), yq = qparams(OP, node, 'output', y);
  const [stateMin, stateMax] = qRange(st.dtype);
  const q: SvdfQuant = {
    toState: fixedMul((xq.scale * wfq.scale) / sq.scale), stateZp: sq.zeroPoint, stateMin, stateMax,
    toOut: fixedMul((sq.scale * wtq.scale) / yq.scale), outZp: yq.zeroPoint, lo: -128, hi: 127,
  };
  const pairs = wt.isConst && wt.dtype === 'int16' && st.dtype === 'int16' && d.rank === 1 && q.stateZp === 0 && d.memory % 2 === 0;
  const wtData = wt.data as Int16Array;
  return {
    kind: 'i8', d, q, inZp: xq.zeroPoint, hasBias: !!b,
    timePairs: pairs ? pairView(wtData) ?? pairView(wtData.slice()) : null, statePairs: null, statePairsOf: null,
    packed: wf.isConst ? packI8(wf.data as Int8Array, d.filters, d.inSize, 'rows') : null, acc: new Int32Array(d.batch * d.filters),
    weights: constData<Int8Array>(wf), timeWeights: constData<Int16Array | Int8Array>(wt), bias: constData<Int32Array>(b),
  };
}

function runInt8(node: OpNode, s: Int8State): void {
  const { batch, inSize, filters, units, rank, memory } = s.d;
  const x = node.inputs[0]!.data as Int8Array, st = node.inputs[4]!.data as Int16Array | Int8Array;
  if (s.packed) qmatmulI8Packed(x, s.inZp, s.packed, s.acc, batch);
  else qmatmulI8(x, s.inZp, live(node, 1, s.weights), s.acc, batch, inSize, filters);
  pushStateI(s.acc, st, batch * filters, memory, s.q);
  const bias = s.hasBias ? live(node, 3, s.bias) : null, y = node.outputs[0]!.data as Int8Array;
  if (s.timePairs) {
    if (st !== s.statePairsOf) {
      s.statePairsOf = st as Int16Array;
      s.statePairs = pairView(st as Int16Array);
    }
    if (s.statePairs) return timeReducePairs(s.statePairs, s.timePairs, bias, y, batch, units, memory, s.q);
  }
  timeReduceI(st, live(node, 2, s.timeWeights), bias, y, batch, units, rank, memory, s.q);
}

function runFloat(node: OpNode, s: FloatState): void {
  const x = node.inputs[0]!.data as Float32Array, wf = node.inputs[1]!.data as Float32Array;
  const wt = node.inputs[2]!.data as Float32Array, bias = node.inputs[3]?.data as Float32Array | undefined;
  const st = node.inputs[4]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
  const { batch, inSize, filters, units, rank, memory } = s.d, scratch = s.scratch;
  st.copyWithin(0, 1, batch * filters * memory);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < filters; f++) {
      let acc = 0;
      const xo = b * inSize, wo = f * inSize;
      for (let i = 0; i < inSize; i++) acc += wf[wo + i]! * x[xo + i]!;
      st[(b * filters + f) * memory + memory - 1] = acc;
    }
  }
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < filters; f++) {
      let acc = 0;
      const so = (b * filters + f) * memory, wo = f * memory;
      for (let j = 0; j < memory; j++) acc += wt[wo + j]! * st[so + j]!;
      scratch[b * filters + f] = Math.fround(acc);
    }
  }
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < units; u++) {
      let acc = bias ? bias[u]! : 0;
      for (let r = 0; r < rank; r++) acc += scratch[b * filters + u * rank + r]!;
      y[b * units + u] = acc < s.lo ? s.lo : acc > s.hi ? s.hi : acc;
    }
  }
}

export const SVDF: LiteOp<State> = {
  code: BuiltinOp.SVDF,
  name: OP,
  prepare(node) {
    const d = dims(node);
    const act = node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
    return input(OP, node, 0).dtype === 'float32' ? prepareFloat(node, d, act) : prepareInt8(node, d);
  },
  run(node, s) {
    if (s.kind === 'f32') runFloat(node, s);
    else runInt8(node, s);
  },
};
