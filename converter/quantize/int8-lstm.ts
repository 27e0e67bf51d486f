/**
 * Full-integer UNIDIRECTIONAL_SEQUENCE_LSTM, laid out for TFLite's integer "8x8_16" kernel as its
 * quantizer does (lite-runtime/ops/util/lstm-int8.ts runs it):
 * - input, output and output state int8, asymmetric, from calibrated ranges (the output state
 *   shares the output's quantization); cell state int16, symmetric, scale a power of two
 *   2^(ceil(log2 max|c|) - 15), within 2^-15..2^-9 (the kernel's limits);
 * - weights int8 symmetric per tensor; biases int32 at input scale x input-weight scale (with
 *   layer norm: layer-norm weight scale x 2^-10); projection bias at hidden scale x projection
 *   weight scale; peephole and layer-norm weights int16 symmetric;
 * - the 5 intermediates: each gate's W x + R h (+ peephole) before layer norm and bias, int16
 *   symmetric over its calibrated max, and the hidden state o * tanh(c) before the projection, int8
 *   (see `lstmInt8` for its zero point). The kernel reads the gates' only with layer norm (else
 *   Q3.12), and TFLite's quantizer calibrates them only then; all 5 are written, as the kernel
 *   takes its integer path from their presence.
 * Calibration replays the float cell in JS on each sample's LSTM input (`observeLstm`), from zero
 * states, to record the ranges no tensor of the float model holds.
 */
import type { OperatorDesc, TensorDesc } from '../tflite-writer/types.js';
import type { Range } from './calibrate.js';
import { ConvertError } from '../errors.js';

/** What calibration records of one LSTM op beyond its input and output ranges. */
export interface LstmStats {
  /** max |W x + R h (+ peephole c)| per gate (i, f, c, o), before layer norm and bias. */
  gate: number[];
  /** max |cell state|. */
  cell: number;
  /** Range of o * tanh(c), before the projection. */
  hidden: Range;
}

type Q = { scale: number; zeroPoint: number };
interface Dims { batch: number; steps: number; nin: number; units: number; nout: number; timeMajor: boolean }

const f = Math.fround;
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const absMax = (a: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!)); return m; };
const opt = (o: OperatorDesc, i: number): number => (o.inputs[i] as number | undefined) ?? -1;
const options = (o: OperatorDesc) => (o.options ?? {}) as { fused_activation_function?: string; cell_clip?: number; proj_clip?: number; time_major?: boolean };

function floatOf(t: TensorDesc): Float32Array {
  const d = t.data!;
  if (d instanceof Float32Array) return d;
  return Float32Array.from(d as ArrayLike<number>);
}

function dims(T: readonly TensorDesc[], o: OperatorDesc): Dims {
  const x = T[opt(o, 0)]!.shape, timeMajor = !!options(o).time_major;
  const units = T[opt(o, 2)]!.shape[0]!, proj = opt(o, 16);
  return { batch: timeMajor ? x[1]! : x[0]!, steps: timeMajor ? x[0]! : x[1]!, nin: x[2]!, units, nout: proj >= 0 ? T[proj]!.shape[0]! : units, timeMajor };
}

/** Why this float LSTM cannot become the integer kernel, or null when it can. */
export function lstmUnsupported(T: readonly TensorDesc[], o: OperatorDesc): string | null {
  const act = options(o).fused_activation_function ?? 'TANH';
  if (act !== 'TANH') return `fused activation ${act} (the integer LSTM computes TANH)`;
  if (T[opt(o, 0)]!.shape.length !== 3) return 'input is not rank 3';
  for (let i = 1; i < 24; i++) {
    const t = opt(o, i);
    if (t < 0 || i === 18 || i === 19) continue;
    if (T[t]!.dtype !== 'float32' || T[t]!.data === undefined) return `input ${i} (${T[t]!.name}) is not a float32 constant`;
  }
  for (const i of [18, 19]) if (opt(o, i) < 0 || !T[opt(o, i)]!.isVariable) return `input ${i} is not a variable state tensor`;
  const d = dims(T, o);
  // TFLite's integer peephole loop runs over the output width
  if (opt(o, 10) >= 0 && d.nout > d.units) return 'peephole with a projection wider than the cells';
  return null;
}

export function newLstmStats(): LstmStats {
  return { gate: [0, 0, 0, 0], cell: 0, hidden: { min: 0, max: 0 } };
}

/** Runs the float LSTM `o` on `x` (its input 0) from zero states, widening `st`. */
export function observeLstm(T: readonly TensorDesc[], o: OperatorDesc, x: ArrayLike<number>, st: LstmStats): void {
  const { batch, steps, nin, units, nout, timeMajor } = dims(T, o);
  const w = (i: number): Float32Array | null => (opt(o, i) >= 0 ? floatOf(T[opt(o, i)]!) : null);
  const { cell_clip: cellClip = 0, proj_clip: projClip = 0 } = options(o);
  const wx = [1, 2, 3, 4].map(w), wr = [5, 6, 7, 8].map(w), peep = [w(9), w(10), null, w(11)];
  const bias = [12, 13, 14, 15].map(w), ln = [20, 21, 22, 23].map(w), pw = w(16), pb = w(17);
  const cifg = !wx[0];
  const v = new Float64Array(nin), hid = new Float64Array(units);
  for (let b = 0; b < batch; b++) {
    const h = new Float64Array(nout), c = new Float64Array(units);
    const gate = (g: number): Float64Array => {
      const out = new Float64Array(units);
      for (let u = 0; u < units; u++) {
        let a = 0;
        for (let k = 0; k < nin; k++) a += wx[g]![u * nin + k]! * v[k]!;
        for (let k = 0; k < nout; k++) a += wr[g]![u * nout + k]! * h[k]!;
        if (peep[g]) a += peep[g]![u]! * c[u]!;
        out[u] = a;
      }
      st.gate[g] = Math.max(st.gate[g]!, absMax(out));
      if (ln[g]) {
        let m = 0, q = 0;
        for (let u = 0; u < units; u++) m += out[u]!;
        m /= units;
        for (let u = 0; u < units; u++) q += (out[u]! - m) ** 2;
        const inv = 1 / Math.sqrt(q / units + 1e-8);
        for (let u = 0; u < units; u++) out[u] = (out[u]! - m) * inv * ln[g]![u]!;
      }
      for (let u = 0; u < units; u++) out[u] += bias[g]![u]!;
      return out;
    };
    for (let t = 0; t < steps; t++) {
      const xo = (timeMajor ? t * batch + b : b * steps + t) * nin;
      for (let k = 0; k < nin; k++) v[k] = x[xo + k]!;
      const gi = cifg ? null : gate(0), gf = gate(1), gc = gate(2);
      for (let u = 0; u < units; u++) {
        const fv = sig(gf[u]!), iv = gi ? sig(gi[u]!) : 1 - fv;
        let cv = fv * c[u]! + iv * Math.tanh(gc[u]!);
        if (cellClip > 0) cv = Math.max(-cellClip, Math.min(cellClip, cv));
        c[u] = cv;
      }
      st.cell = Math.max(st.cell, absMax(c));
      const go = gate(3);
      for (let u = 0; u < units; u++) {
        hid[u] = sig(go[u]!) * Math.tanh(c[u]!);
        st.hidden.min = Math.min(st.hidden.min, hid[u]!); st.hidden.max = Math.max(st.hidden.max, hid[u]!);
      }
      for (let k = 0; k < nout; k++) {
        let y = hid[k]!;
        if (pw) { y = pb ? pb[k]! : 0; for (let u = 0; u < units; u++) y += pw[k * units + u]! * hid[u]!; }
        h[k] = projClip > 0 ? Math.max(-projClip, Math.min(projClip, y)) : y;
      }
    }
  }
}

/** Symmetric quantization of `a` to `bits`, scale max|a| / qmax unless given. */
function sym(a: Float32Array, bits: 8 | 16 | 32, scale?: number): { q: Int8Array | Int16Array | Int32Array; scale: number } {
  const qmax = bits === 8 ? 127 : bits === 16 ? 32767 : 2147483647;
  const s = scale ?? f(absMax(a) / qmax || 1e-9);
  const q = bits === 8 ? new Int8Array(a.length) : bits === 16 ? new Int16Array(a.length) : new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) q[i] = Math.max(-qmax, Math.min(qmax, Math.round(a[i]! / s)));
  return { q, scale: s };
}

/**
 * The integer LSTM of float op `o`: its constants quantized and added with `add` (returns the new
 * tensor's index), `input` the int8 input tensor, `inQ` / `outQ` the input's and output's
 * quantization.
 */
export function lstmInt8(
  T: readonly TensorDesc[], o: OperatorDesc, st: LstmStats, input: number, inQ: Q, outQ: Q, add: (t: TensorDesc) => number,
): OperatorDesc {
  const { units, batch } = dims(T, o);
  if (![...st.gate, st.cell, st.hidden.min, st.hidden.max].every(Number.isFinite)) {
    throw new ConvertError(`${o.op} '${T[o.outputs[0] as number]!.name}': the calibration data gave non-finite values inside the cell (gates ${st.gate.join(', ')}, cell ${st.cell})`);
  }
  // the kernel stores the hidden state as round(h / scale) - zero point (TFLite's CwiseMul), and
  // the projection adds the zero point back: symmetric before a projection; without one the
  // hidden state is the output, so its zero point is the output's negated
  const hidQ: Q = opt(o, 16) >= 0 ? { scale: f(Math.max(-st.hidden.min, st.hidden.max) / 127 || 1 / 128), zeroPoint: 0 } : { scale: outQ.scale, zeroPoint: -outQ.zeroPoint };
  const ins = new Array<number>(24).fill(-1);
  ins[0] = input;
  /** Input `i` stored as `r`; returns its scale. */
  const put = (i: number, r: { q: ArrayBufferView; scale: number }, dtype: 'int8' | 'int16' | 'int32'): number => {
    const t = T[opt(o, i)]!;
    ins[i] = add({ name: `${t.name}_${dtype}`, shape: t.shape, dtype, data: r.q, quant: { scale: [r.scale], zeroPoint: [0] } });
    return r.scale;
  };
  const w = (i: number) => floatOf(T[opt(o, i)]!);
  const inter: number[] = [];
  for (let g = 0; g < 4; g++) {
    if (opt(o, 1 + g) < 0) continue; // CIFG: no input gate
    // the weights' scale, raised where the bias would not fit int32 (tiny or zero weights)
    const wx = w(1 + g), fit = absMax(w(12 + g)) / (inQ.scale * 2 ** 30);
    const wScale = put(1 + g, sym(wx, 8, f(Math.max(absMax(wx) / 127, fit) || 1 / 127)), 'int8');
    put(5 + g, sym(w(5 + g), 8), 'int8');
    const p = g === 2 ? -1 : 9 + (g === 3 ? 2 : g);
    if (p >= 0 && opt(o, p) >= 0) put(p, sym(w(p), 16), 'int16');
    const bScale = opt(o, 20 + g) >= 0 ? f(put(20 + g, sym(w(20 + g), 16), 'int16') * 2 ** -10) : f(inQ.scale * wScale);
    put(12 + g, sym(w(12 + g), 32, bScale), 'int32');
  }
  if (opt(o, 16) >= 0) {
    const ps = put(16, sym(w(16), 8), 'int8');
    if (opt(o, 17) >= 0) put(17, sym(w(17), 32, f(hidQ.scale * ps)), 'int32');
  }
  const state = (i: number, dtype: 'int8' | 'int16', q: Q): number => {
    const t = T[opt(o, i)]!;
    return (ins[i] = add({ name: `${t.name}_${dtype}`, shape: t.shape, dtype, isVariable: true, quant: { scale: [q.scale], zeroPoint: [q.zeroPoint] } }));
  };
  state(18, 'int8', outQ);
  const cellPot = Math.min(-9, Math.max(-15, Math.ceil(Math.log2(st.cell)) - 15));
  state(19, 'int16', { scale: 2 ** cellPot, zeroPoint: 0 });
  const out = T[o.outputs[0] as number]!;
  for (let g = 0; g < 4; g++) {
    inter.push(add({ name: `${out.name}_gate${g}`, shape: [batch, units], dtype: 'int16', quant: { scale: [f(st.gate[g]! / 32767 || 2 ** -12)], zeroPoint: [0] } }));
  }
  inter.push(add({ name: `${out.name}_hidden`, shape: [batch, units], dtype: 'int8', quant: { scale: [hidQ.scale], zeroPoint: [hidQ.zeroPoint] } }));
  return { ...o, inputs: ins, intermediates: inter } as OperatorDesc;
}
