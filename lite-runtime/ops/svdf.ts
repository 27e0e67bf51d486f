/**
 * SVDF (singular value decomposition filter, a rank-limited 1-D convolution over time
 * with a persistent activation state, input 4, a variable tensor updated in place):
 * 1. shift the state left by one step; 2. state[:, :, last] = x @ weights_feature^T;
 * 3. per filter, dot the state with weights_time; 4. sum `rank` filters per unit, add bias, activate.
 * Int8 follows TFLite's integer SVDF (int8 or int16 state and time weights).
 */
import { BuiltinOp, SVDFOptions as F } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { describe, expect, expectDType, expectRank, input, numElements, optInput, output, qparams, setOutput } from './util/check.js';
import { actName, floatActRange } from './util/activation.js';
import { mulQ, qRange, quantizeMultiplier } from './util/quant.js';

const OP = 'SVDF';

interface State {
  quant: boolean; batch: number; inSize: number; filters: number; units: number; rank: number; memory: number;
  scratch: Float64Array; lo: number; hi: number;
  inZp: number; stateZp: number; outZp: number; m1: number; s1: number; m2: number; s2: number;
  stateMin: number; stateMax: number;
}

function prepare(node: OpNode): State {
  const x = input(OP, node, 0), wf = input(OP, node, 1), wt = input(OP, node, 2), b = optInput(node, 3);
  const st = input(OP, node, 4), y = output(OP, node, 0);
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
  const act = node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
  const base = { batch, inSize, filters, units, rank, memory, scratch: new Float64Array(batch * filters) };
  if (x.dtype === 'float32') {
    for (const [role, t] of [['weights_feature', wf], ['weights_time', wt], ['state', st]] as const) expectDType(OP, node, role, t, 'float32');
    if (b) expectDType(OP, node, 'bias', b, 'float32');
    setOutput(OP, node, y, [batch, units], 'float32');
    const r = floatActRange(act);
    expect(OP, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
    return { ...base, quant: false, lo: r[0], hi: r[1], inZp: 0, stateZp: 0, outZp: 0, m1: 0, s1: 0, m2: 0, s2: 0, stateMin: 0, stateMax: 0 };
  }
  expectDType(OP, node, 'weights_feature', wf, 'int8');
  expectDType(OP, node, 'weights_time', wt, 'int8', 'int16');
  expectDType(OP, node, 'state', st, 'int8', 'int16');
  if (b) expectDType(OP, node, 'bias', b, 'int32');
  setOutput(OP, node, y, [batch, units], 'int8');
  const xq = qparams(OP, node, 'input 0', x), wfq = qparams(OP, node, 'weights_feature', wf);
  const wtq = qparams(OP, node, 'weights_time', wt), sq = qparams(OP, node, 'state', st), yq = qparams(OP, node, 'output', y);
  const e1 = quantizeMultiplier((xq.scale * wfq.scale) / sq.scale);
  const e2 = quantizeMultiplier((sq.scale * wtq.scale) / yq.scale);
  const [stateMin, stateMax] = qRange(st.dtype);
  return {
    ...base, quant: true, lo: -128, hi: 127, inZp: xq.zeroPoint, stateZp: sq.zeroPoint, outZp: yq.zeroPoint,
    m1: e1.multiplier, s1: e1.shift, m2: e2.multiplier, s2: e2.shift, stateMin, stateMax,
  };
}

function run(node: OpNode, s: State): void {
  const x = node.inputs[0]!.data as Float32Array | Int8Array;
  const wf = node.inputs[1]!.data as Float32Array | Int8Array;
  const wt = node.inputs[2]!.data as Float32Array | Int16Array | Int8Array;
  const bias = node.inputs[3]?.data as Float32Array | Int32Array | undefined;
  const st = node.inputs[4]!.data as Float32Array | Int16Array | Int8Array;
  const y = node.outputs[0]!.data as Float32Array | Int8Array;
  const { batch, inSize, filters, units, rank, memory, scratch } = s;
  const total = batch * filters * memory;
  // 1. shift the whole state left by one element (each filter's newest slot is rewritten below)
  st.copyWithin(0, 1, total);
  // 2. feature matmul into the newest slot
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < filters; f++) {
      let acc = 0;
      const xo = b * inSize, wo = f * inSize;
      for (let i = 0; i < inSize; i++) acc += wf[wo + i]! * (x[xo + i]! - s.inZp);
      const slot = (b * filters + f) * memory + memory - 1;
      if (s.quant) {
        const v = mulQ(acc, s.m1, s.s1) + s.stateZp;
        st[slot] = v < s.stateMin ? s.stateMin : v > s.stateMax ? s.stateMax : v;
      } else {
        st[slot] = acc;
      }
    }
  }
  // 3. time weights
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < filters; f++) {
      let acc = 0;
      const so = (b * filters + f) * memory, wo = f * memory;
      for (let j = 0; j < memory; j++) acc += wt[wo + j]! * (st[so + j]! - s.stateZp);
      scratch[b * filters + f] = s.quant ? acc | 0 : Math.fround(acc);
    }
  }
  // 4. reduce over rank, bias, rescale / activate
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < units; u++) {
      let acc = bias ? bias[u]! : 0;
      for (let r = 0; r < rank; r++) acc += scratch[b * filters + u * rank + r]!;
      let v = s.quant ? mulQ(acc | 0, s.m2, s.s2) + s.outZp : acc;
      v = v < s.lo ? s.lo : v > s.hi ? s.hi : v;
      y[b * units + u] = v;
    }
  }
}

export const SVDF: OpDef<State> = { code: BuiltinOp.SVDF, name: OP, prepare, run };
