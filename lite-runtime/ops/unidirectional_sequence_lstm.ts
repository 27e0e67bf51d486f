/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, float32 activations (TFLite's 24-input layout); weights float32,
 * or constant int8 / float16 (dynamic-range quantized and fp16 models) widened once at prepare:
 * 0 input [batch,time,in] ([time,batch,in] when time_major); 1-4 input weights (i,f,c,o; i
 * absent = CIFG, i = 1 - f); 5-8 recurrent weights; 9-11 peephole weights (optional);
 * 12-15 gate biases; 16-17 projection weights/bias (optional); 18 output state and
 * 19 cell state (variable tensors, kept across runs); 20-23 layer-norm coefficients (optional).
 * Per step: gates = W x + R h (+ peephole) [layer norm] + bias; c = f*c + i*act(g);
 * h = o * act(c) [projection]; act is the fused activation (usually TANH). The products run on
 * the packed GEMM: W x for every step at once, R h per step for the whole batch.
 * int8 input: TFLite's integer kernel (util/lstm-int8.ts).
 */
import { BuiltinOp, UnidirectionalSequenceLSTMOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode, RtTensor } from './op.js';
import { describe, expect, expectDType, expectRank, fail, input, numElements, optInput, output, setOutput } from './util/check.js';
import { floatWeights } from './util/weights.js';
import { sigmoid } from '../kernels/math-scalar.js';
import { freePacked, matmulPacked, packB, type PackedMatrix } from '../kernels/index.js';
import { prepareLstmInt8, runLstmInt8, type LstmInt8State } from './util/lstm-int8.js';

const OP = 'UNIDIRECTIONAL_SEQUENCE_LSTM';

interface State {
  batch: number; steps: number; nin: number; units: number; nout: number; timeMajor: boolean;
  cifg: boolean; peephole: boolean; proj: boolean; layerNorm: boolean;
  act: (x: number) => number; cellClip: number; projClip: number;
  gates: Float32Array[];
  /** The gates side by side (G of them, 3 with CIFG): W x of every step (rows in input order), R h of the step, biases. */
  gx: Float32Array; gr: Float32Array; bias: Float32Array; hAll: Float32Array;
  /** Packed input, recurrent and projection weights; repacked each run unless all are constant. */
  packs: Array<PackedMatrix | null> | null; constW: boolean;
  /** The 24 inputs' data, refreshed at the start of each run (absent: null). */
  data: Array<Float32Array | null>;
  /** int8/float16 weights widened at prepare, by input index. */
  widened: Array<Float32Array | null>;
}

function activation(node: OpNode, code: number): (x: number) => number {
  switch (code) {
    case 0: return (x) => x;
    case 1: return (x) => (x > 0 ? x : 0);
    case 2: return (x) => (x < -1 ? -1 : x > 1 ? 1 : x);
    case 3: return (x) => (x < 0 ? 0 : x > 6 ? 6 : x);
    case 4: return Math.tanh;
    case 5: return sigmoid;
    default: throw fail(OP, node, `fused activation ${code} is not supported`);
  }
}

/** Weight inputs that may be int8 (dynamic-range quantized models): widened to float32 at prepare. */
const WEIGHTS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16]);

function f32(node: OpNode, i: number, role: string, shape: number[] | null): RtTensor | null {
  const t = optInput(node, i);
  if (!t) return null;
  if (node.inputs[0]!.dtype === 'int8') {
    // the integer kernel checks dtypes
  } else if (WEIGHTS.has(i) && t.dtype !== 'float32') {
    expect(OP, node, t.isConst && (t.dtype === 'int8' || t.dtype === 'float16'),
      () => `${describe(role, t)}: weights must be float32, or constant int8/float16`);
  } else {
    expectDType(OP, node, role, t, 'float32');
  }
  if (shape) expect(OP, node, t.shape.length === shape.length && t.shape.every((d, k) => d === shape[k]),
    () => `${describe(role, t)}: must be [${shape}]`);
  return t;
}

function prepare(node: OpNode): State | LstmInt8State {
  const x = input(OP, node, 0);
  expectDType(OP, node, 'input 0', x, 'float32', 'int8');
  expectRank(OP, node, 'input 0', x, 3);
  const o = node.options;
  const timeMajor = o ? o.bool(F.time_major, false) : false;
  const [d0, d1, nin] = x.shape as [number, number, number];
  const batch = timeMajor ? d1 : d0, steps = timeMajor ? d0 : d1;
  const wf = input(OP, node, 2);
  const units = wf.shape[0]!;
  const proj = f32(node, 16, 'projection_weights', null);
  const nout = proj ? proj.shape[0]! : units;
  const cifg = !optInput(node, 1);
  const required = (i: number, role: string, shape: number[]): void => { input(OP, node, i); f32(node, i, role, shape); };
  ['input_to_input', 'input_to_forget', 'input_to_cell', 'input_to_output'].forEach((r, k) => { if (k > 0 || !cifg) required(1 + k, r, [units, nin]); });
  ['recurrent_to_input', 'recurrent_to_forget', 'recurrent_to_cell', 'recurrent_to_output'].forEach((r, k) => { if (k > 0 || !cifg) required(5 + k, r, [units, nout]); });
  ['input_gate_bias', 'forget_gate_bias', 'cell_gate_bias', 'output_gate_bias'].forEach((r, k) => { if (k > 0 || !cifg) required(12 + k, r, [units]); });
  const peephole = !!optInput(node, 10);
  if (peephole) [9, 10, 11].forEach((i) => { if (i > 9 || !cifg) required(i, 'peephole weights', [units]); });
  if (proj) { expectRank(OP, node, 'projection_weights', proj, 2); f32(node, 16, 'projection_weights', [nout, units]); f32(node, 17, 'projection_bias', [nout]); }
  const hs = input(OP, node, 18), cs = input(OP, node, 19);
  f32(node, 18, 'output_state', null);
  f32(node, 19, 'cell_state', null);
  expect(OP, node, numElements(hs.shape) === batch * nout && numElements(cs.shape) === batch * units,
    () => `states ${describe('output_state', hs)} / ${describe('cell_state', cs)} must hold [${batch}, ${nout}] / [${batch}, ${units}]`);
  const layerNorm = !!optInput(node, 21);
  if (layerNorm) [20, 21, 22, 23].forEach((i) => { if (i > 20 || !cifg) required(i, 'layer norm coefficients', [units]); });
  const shape = timeMajor ? [steps, batch, nout] : [batch, steps, nout];
  const cellClip = o ? o.f32(F.cell_clip, 0) : 0, projClip = o ? o.f32(F.proj_clip, 0) : 0;
  if (x.dtype === 'int8') {
    setOutput(OP, node, output(OP, node, 0), shape, 'int8');
    // its packed weights are own values of the state: model.memory counts them, dispose frees them
    return prepareLstmInt8(node, { batch, steps, nin, units, nout, timeMajor, cellClip, projClip });
  }
  setOutput(OP, node, output(OP, node, 0), shape, 'float32');
  const G = cifg ? 3 : 4;
  const s: State = {
    batch, steps, nin, units, nout, timeMajor, cifg, peephole, proj: !!proj, layerNorm,
    act: activation(node, o ? o.i8(F.fused_activation_function, 4) : 4),
    cellClip, projClip,
    gates: [0, 1, 2, 3].map(() => new Float32Array(units)),
    gx: new Float32Array(batch * steps * G * units), gr: new Float32Array(batch * G * units), bias: new Float32Array(G * units),
    hAll: new Float32Array(batch * units), packs: null,
    constW: [1, 2, 3, 4, 5, 6, 7, 8, 16].every((i) => !node.inputs[i] || node.inputs[i]!.isConst),
    data: new Array<Float32Array | null>(24).fill(null),
    widened: Array.from({ length: 24 }, (_, i) => {
      const t = node.inputs[i];
      return t && WEIGHTS.has(i) && t.dtype !== 'float32' ? floatWeights(OP, node, `input ${i}`, t) : null;
    }),
  };
  // constant weights are packed here: a run freezes the kernels' memory (a pack there lands in JS memory)
  if (s.constW) pack(node, s);
  return s;
}

/** Packs the gates' input and recurrent weights, each set as one [G*units, k] matrix, and the projection. */
function pack(node: OpNode, s: State): void {
  for (const p of s.packs ?? []) if (p) freePacked(p);
  const d = s.data;
  for (let i = 0; i < 24; i++) d[i] = s.widened[i] ?? (node.inputs[i] ? (node.inputs[i]!.data as Float32Array) : null);
  const g0 = s.cifg ? 1 : 0, n = (4 - g0) * s.units;
  const cat = (first: number, k: number): PackedMatrix => {
    const w = new Float32Array(n * k);
    for (let g = g0; g < 4; g++) w.set(d[first + g]!, (g - g0) * s.units * k);
    return packB(w, k, n, true);
  };
  s.packs = [cat(1, s.nin), cat(5, s.nout), d[16] ? packB(d[16], s.units, s.nout, true) : null];
}

/** One gate's pre-activation for batch row b at input row r: W x + R h (+ peephole * c) [layer norm] + bias. */
function gate(s: State, g: number, r: number, b: number): Float32Array {
  const d = s.data, c = d[19]!, out = s.gates[g]!, { units, gx, gr } = s;
  const n = s.bias.length, go = (g - (s.cifg ? 1 : 0)) * units, xo = r * n + go, ro = b * n + go, ho = b * units;
  const peep = s.peephole && g !== 2 ? d[9 + (g === 3 ? 2 : g)]! : null;
  for (let u = 0; u < units; u++) out[u] = gx[xo + u]! + gr[ro + u]! + (peep ? peep[u]! * c[ho + u]! : 0);
  if (s.layerNorm) {
    let mean = 0, vr = 0;
    for (let u = 0; u < units; u++) mean += out[u]!;
    mean /= units;
    for (let u = 0; u < units; u++) vr += (out[u]! - mean) ** 2;
    const inv = 1 / Math.sqrt(vr / units + 1e-8), ln = d[20 + g]!, bias = d[12 + g]!;
    for (let u = 0; u < units; u++) out[u] = (out[u]! - mean) * inv * ln[u]! + bias[u]!;
  }
  return out;
}

function run(node: OpNode, st: State | LstmInt8State): void {
  if ('px' in st) return runLstmInt8(node, st);
  const s = st;
  const { batch, steps, units, nout, act, hAll } = s;
  const d = s.data;
  for (let i = 0; i < 24; i++) d[i] = s.widened[i] ?? (node.inputs[i] ? (node.inputs[i]!.data as Float32Array) : null);
  if (!s.constW) pack(node, s);
  const P = s.packs!;
  const y = node.outputs[0]!.data as Float32Array;
  const h = d[18]!, c = d[19]!;
  const g0 = s.cifg ? 1 : 0;
  for (let g = g0; g < 4; g++) s.bias.set(d[12 + g]!, (g - g0) * units);
  matmulPacked(d[0]!, P[0]!, s.gx, batch * steps, s.layerNorm ? null : s.bias);
  for (let t = 0; t < steps; t++) {
    matmulPacked(h, P[1]!, s.gr, batch);
    for (let b = 0; b < batch; b++) {
      const r = s.timeMajor ? t * batch + b : b * steps + t, co = b * units;
      const gi = s.cifg ? null : gate(s, 0, r, b);
      const gf = gate(s, 1, r, b), gc = gate(s, 2, r, b);
      for (let u = 0; u < units; u++) {
        const f = sigmoid(gf[u]!), i = gi ? sigmoid(gi[u]!) : 1 - f;
        let cv = f * c[co + u]! + i * act(gc[u]!);
        if (s.cellClip > 0) cv = Math.max(-s.cellClip, Math.min(s.cellClip, cv));
        c[co + u] = cv;
      }
      const go = gate(s, 3, r, b); // peephole sees the new cell state
      for (let u = 0; u < units; u++) hAll[co + u] = sigmoid(go[u]!) * act(c[co + u]!);
    }
    if (s.proj) {
      matmulPacked(hAll, P[2]!, h, batch, d[17]);
      if (s.projClip > 0) for (let k = 0; k < batch * nout; k++) h[k] = Math.max(-s.projClip, Math.min(s.projClip, h[k]!));
    } else {
      h.set(hAll.subarray(0, batch * nout));
    }
    for (let b = 0; b < batch; b++) y.set(h.subarray(b * nout, b * nout + nout), (s.timeMajor ? t * batch + b : b * steps + t) * nout);
  }
}

export const UNIDIRECTIONAL_SEQUENCE_LSTM: LiteOp<State | LstmInt8State> = { code: BuiltinOp.UNIDIRECTIONAL_SEQUENCE_LSTM, name: OP, prepare, run };
