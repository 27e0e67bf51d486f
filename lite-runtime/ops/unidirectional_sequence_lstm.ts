/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM, float32 activations (TFLite's 24-input layout); weights float32,
 * or constant int8 / float16 (dynamic-range quantized and fp16 models) widened once at prepare:
 * 0 input [batch,time,in] ([time,batch,in] when time_major); 1-4 input weights (i,f,c,o; i
 * absent = CIFG, i = 1 - f); 5-8 recurrent weights; 9-11 peephole weights (optional);
 * 12-15 gate biases; 16-17 projection weights/bias (optional); 18 output state and
 * 19 cell state (variable tensors, kept across runs); 20-23 layer-norm coefficients (optional).
 * Per step: gates = W x + R h (+ peephole) [layer norm] + bias; c = f*c + i*act(g);
 * h = o * act(c) [projection]; act is the fused activation (usually TANH).
 * int8 input: TFLite's integer kernel (util/lstm-int8.ts).
 */
import { BuiltinOp, UnidirectionalSequenceLSTMOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode, RtTensor } from './op.js';
import { describe, expect, expectDType, expectRank, fail, input, numElements, optInput, output, setOutput } from './util/check.js';
import { floatWeights } from './util/weights.js';
import { sigmoid } from '../kernels/math-scalar.js';
import { prepareLstmInt8, runLstmInt8, type LstmInt8State } from './util/lstm-int8.js';

const OP = 'UNIDIRECTIONAL_SEQUENCE_LSTM';

interface State {
  batch: number; steps: number; nin: number; units: number; nout: number; timeMajor: boolean;
  cifg: boolean; peephole: boolean; proj: boolean; layerNorm: boolean;
  act: (x: number) => number; cellClip: number; projClip: number;
  gates: Float32Array[]; hBuf: Float32Array;
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

function prepare(node: OpNode): State | { q: LstmInt8State } {
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
    return { q: prepareLstmInt8(node, { batch, steps, nin, units, nout, timeMajor, cellClip, projClip }) };
  }
  setOutput(OP, node, output(OP, node, 0), shape, 'float32');
  return {
    batch, steps, nin, units, nout, timeMajor, cifg, peephole, proj: !!proj, layerNorm,
    act: activation(node, o ? o.i8(F.fused_activation_function, 4) : 4),
    cellClip, projClip,
    gates: [0, 1, 2, 3].map(() => new Float32Array(units)), hBuf: new Float32Array(units),
    data: new Array<Float32Array | null>(24).fill(null),
    widened: Array.from({ length: 24 }, (_, i) => {
      const t = node.inputs[i];
      return t && WEIGHTS.has(i) && t.dtype !== 'float32' ? floatWeights(OP, node, `input ${i}`, t) : null;
    }),
  };
}

function dot(w: Float32Array, row: number, v: Float32Array, vo: number, n: number): number {
  let s = 0;
  const wo = row * n;
  for (let k = 0; k < n; k++) s += w[wo + k]! * v[vo + k]!;
  return s;
}

/** One gate's pre-activation for batch row b: W x + R h (+ peephole * c) [layer norm] + bias. */
function gate(node: OpNode, s: State, g: number, xo: number, ho: number, co: number): Float32Array {
  const d = s.data;
  const x = d[0]!, h = d[18]!, c = d[19]!, wi = d[1 + g]!, wr = d[5 + g]!, out = s.gates[g]!;
  const { units, nin, nout } = s;
  const peep = s.peephole && g !== 2 ? d[9 + (g === 3 ? 2 : g)]! : null;
  for (let u = 0; u < units; u++) {
    let v = dot(wi, u, x, xo, nin) + dot(wr, u, h, ho, nout);
    if (peep) v += peep[u]! * c[co + u]!;
    out[u] = v;
  }
  if (s.layerNorm) {
    let mean = 0, vr = 0;
    for (let u = 0; u < units; u++) mean += out[u]!;
    mean /= units;
    for (let u = 0; u < units; u++) vr += (out[u]! - mean) ** 2;
    const inv = 1 / Math.sqrt(vr / units + 1e-8), ln = d[20 + g]!;
    for (let u = 0; u < units; u++) out[u] = (out[u]! - mean) * inv * ln[u]!;
  }
  const bias = d[12 + g]!;
  for (let u = 0; u < units; u++) out[u] += bias[u]!;
  return out;
}

function run(node: OpNode, st: State | { q: LstmInt8State }): void {
  if ('q' in st) return runLstmInt8(node, st.q);
  const s = st;
  const { batch, steps, nin, units, nout, act, hBuf } = s;
  const d = s.data;
  for (let i = 0; i < 24; i++) d[i] = s.widened[i] ?? (node.inputs[i] ? (node.inputs[i]!.data as Float32Array) : null);
  const y = node.outputs[0]!.data as Float32Array;
  const h = d[18]!, c = d[19]!;
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const xo = (s.timeMajor ? t * batch + b : b * steps + t) * nin, ho = b * nout, co = b * units;
      const gi = s.cifg ? null : gate(node, s, 0, xo, ho, co);
      const gf = gate(node, s, 1, xo, ho, co), gc = gate(node, s, 2, xo, ho, co);
      for (let u = 0; u < units; u++) {
        const f = sigmoid(gf[u]!), i = gi ? sigmoid(gi[u]!) : 1 - f;
        let cv = f * c[co + u]! + i * act(gc[u]!);
        if (s.cellClip > 0) cv = Math.max(-s.cellClip, Math.min(s.cellClip, cv));
        c[co + u] = cv;
      }
      const go = gate(node, s, 3, xo, ho, co); // peephole sees the new cell state
      for (let u = 0; u < units; u++) hBuf[u] = sigmoid(go[u]!) * act(c[co + u]!);
      if (s.proj) {
        const pw = d[16]!, pb = d[17];
        for (let k = 0; k < nout; k++) {
          let v = dot(pw, k, hBuf, 0, units) + (pb ? pb[k]! : 0);
          if (s.projClip > 0) v = Math.max(-s.projClip, Math.min(s.projClip, v));
          h[ho + k] = v;
        }
      } else {
        for (let u = 0; u < units; u++) h[ho + u] = hBuf[u]!;
      }
      const yo = (s.timeMajor ? t * batch + b : b * steps + t) * nout;
      for (let k = 0; k < nout; k++) y[yo + k] = h[ho + k]!;
    }
  }
}

export const UNIDIRECTIONAL_SEQUENCE_LSTM: LiteOp<State | { q: LstmInt8State }> = { code: BuiltinOp.UNIDIRECTIONAL_SEQUENCE_LSTM, name: OP, prepare, run };
