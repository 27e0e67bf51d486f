/**
 * ONNX LSTM, GRU and RNN spelled out in ops of the table, one time step after
 * another (the sequence length is static after import): matmuls against the
 * constant weights, gate slices, sigmoid/tanh, and a concat of the hidden
 * states. Forward and reverse directions (bidirectional too); default
 * activations only; no peepholes, clip or sequence_lens.
 * @example an LSTM over 6 steps imports as 6 x (2 matmul, 4 slice, 5 activations, 3 mul, 2 add)
 */
import type { Value } from '../../training/graph/ir.js';
import type { OnnxImportContext, OnnxImporter } from '../../training/ops/convert-traits.js';

function checkCommon(c: OnnxImportContext, gates: number): void {
  if (c.has(4) && c.constant(4) === undefined) c.unsupported('sequence_lens computed at run time');
  const seq = c.constant(4);
  const steps = c.input(0).shape[c.attr('layout', 0) === 1 ? 1 : 0];
  if (seq && Array.from(seq).some((s) => s !== steps)) c.unsupported('sequence_lens shorter than the sequence');
  if (c.attr('clip') !== undefined) c.unsupported('clip');
  const acts = c.attr<readonly string[] | undefined>('activations', undefined);
  const dflt = gates === 4 ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Sigmoid', 'Tanh'];
  if (acts && acts.some((a, i) => a !== dflt[i % dflt.length])) c.unsupported(`activations ${acts.join(', ')} (only the defaults)`);
}

interface Dir { w: Value; r: Value; wb: Value | null; rb: Value | null; h: Value; cell: Value | null }

/** Per-direction weights [G*H, I], [G*H, H], biases [G*H] and initial states [B, H]. */
function directions(c: OnnxImportContext, gates: number, hasCell: boolean): Dir[] {
  const H = c.attr('hidden_size', 0);
  const dir = c.attr('direction', 'forward');
  const nd = dir === 'bidirectional' ? 2 : 1;
  const x = c.input(0);
  const batch = x.shape[c.attr('layout', 0) === 1 ? 0 : 1];
  const W = c.input(1), R = c.input(2);
  const pick = (v: Value, d: number, shape: number[]) =>
    c.op('reshape', [c.op('slice', [v], { dim: 0, start: d, end: d + 1, step: 1 })], { shape });
  const state = (i: number, d: number) => {
    if (c.has(i)) {
      const s = c.input(i);
      const layoutBatchFirst = c.attr('layout', 0) === 1;
      const sd = layoutBatchFirst ? c.op('permute', [s], { perm: [1, 0, 2] }) : s;
      return pick(sd, d, [batch, H]);
    }
    return c.constantValue([batch, H], 'float32', new Float32Array(batch * H));
  };
  return Array.from({ length: nd }, (_, d) => {
    let wb: Value | null = null, rb: Value | null = null;
    if (c.has(3)) {
      const b = pick(c.input(3), d, [2 * gates * H]);
      wb = c.op('slice', [b], { dim: 0, start: 0, end: gates * H, step: 1 });
      rb = c.op('slice', [b], { dim: 0, start: gates * H, end: 2 * gates * H, step: 1 });
    }
    return {
      w: pick(W, d, [gates * H, W.shape[2]]), r: pick(R, d, [gates * H, H]), wb, rb,
      h: state(5, d), cell: hasCell ? state(6, d) : null,
    };
  });
}

/** Step inputs [B, I] in time order. */
function stepInputs(c: OnnxImportContext): Value[] {
  const x = c.input(0);
  const bf = c.attr('layout', 0) === 1;
  const [steps, batch] = bf ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  return Array.from({ length: steps }, (_, t) =>
    c.op('reshape', [c.op('slice', [x], { dim: bf ? 1 : 0, start: t, end: t + 1, step: 1 })], { shape: [batch, x.shape[2]] }));
}

const gate = (c: OnnxImportContext, v: Value, k: number, H: number) => c.op('slice', [v], { dim: 1, start: k * H, end: (k + 1) * H, step: 1 });

/** Y [T, D, B, H] (or [B, T, D, H] with layout 1), Y_h and Y_c [D, B, H]. */
function outputs(c: OnnxImportContext, hs: Value[][], last: Value[], lastC: Value[] | null): (Value | undefined)[] {
  const H = c.attr('hidden_size', 0);
  const bf = c.attr('layout', 0) === 1;
  const batch = last[0].shape[0];
  const T = hs[0].length;
  const nd = hs.length;
  const stack = (vals: Value[], shape: number[], dim: number) => (vals.length === 1 ? c.op('reshape', [vals[0]], { shape }) :
    c.op('cat', vals.map((v) => c.op('reshape', [v], { shape })), { dim }));
  const perStep = Array.from({ length: T }, (_, t) => stack(hs.map((h) => h[t]), [1, 1, batch, H], 1));
  let y = perStep.length === 1 ? perStep[0] : c.op('cat', perStep, { dim: 0 });
  y = c.op('reshape', [y], { shape: [T, nd, batch, H] });
  if (bf) y = c.op('permute', [y], { perm: [2, 0, 1, 3] });
  const fin = (vals: Value[]) => {
    const s = stack(vals, [1, batch, H], 0);
    return bf ? c.op('permute', [s], { perm: [1, 0, 2] }) : s;
  };
  return [y, fin(last), lastC ? fin(lastC) : undefined];
}

const LSTM_IMPORT: OnnxImporter = (c) => {
  checkCommon(c, 4);
  if (c.has(7)) c.unsupported('peephole weights');
  if (c.attr('input_forget', 0) === 1) c.unsupported('input_forget');
  const H = c.attr('hidden_size', 0);
  const xs = stepInputs(c);
  const dirs = directions(c, 4, true);
  const reverse = c.attr('direction', 'forward') === 'reverse';
  const hs: Value[][] = [], last: Value[] = [], lastC: Value[] = [];
  dirs.forEach((d, k) => {
    const back = reverse || k === 1;
    let h = d.h, cell = d.cell!;
    const out: Value[] = new Array(xs.length);
    const bias = d.wb && d.rb ? c.op('add', [d.wb, d.rb]) : null;
    for (let s = 0; s < xs.length; s++) {
      const t = back ? xs.length - 1 - s : s;
      let g = c.op('add', [c.op('matmul', [xs[t], d.w], { transA: false, transB: true }), c.op('matmul', [h, d.r], { transA: false, transB: true })]);
      if (bias) g = c.op('add', [g, bias]);
      // ONNX gate order: input, output, forget, cell
      const i = c.op('sigmoid', [gate(c, g, 0, H)]), o = c.op('sigmoid', [gate(c, g, 1, H)]);
      const f = c.op('sigmoid', [gate(c, g, 2, H)]), z = c.op('tanh', [gate(c, g, 3, H)]);
      cell = c.op('add', [c.op('mul', [f, cell]), c.op('mul', [i, z])]);
      h = c.op('mul', [o, c.op('tanh', [cell])]);
      out[t] = h;
    }
    hs.push(out); last.push(h); lastC.push(cell);
  });
  return outputs(c, hs, last, lastC);
};

const GRU_IMPORT: OnnxImporter = (c) => {
  checkCommon(c, 3);
  const H = c.attr('hidden_size', 0);
  const lbr = c.attr('linear_before_reset', 0) === 1;
  const xs = stepInputs(c);
  const dirs = directions(c, 3, false);
  const reverse = c.attr('direction', 'forward') === 'reverse';
  const hs: Value[][] = [], last: Value[] = [];
  dirs.forEach((d, k) => {
    const back = reverse || k === 1;
    let h = d.h;
    const out: Value[] = new Array(xs.length);
    for (let s = 0; s < xs.length; s++) {
      const t = back ? xs.length - 1 - s : s;
      let xw = c.op('matmul', [xs[t], d.w], { transA: false, transB: true });
      if (d.wb) xw = c.op('add', [xw, d.wb]);
      const rw = (hv: Value) => c.op('matmul', [hv, d.r], { transA: false, transB: true });
      let hr = rw(h);
      if (d.rb) hr = c.op('add', [hr, d.rb]);
      // ONNX gate order: update (z), reset (r), hidden (n)
      const z = c.op('sigmoid', [c.op('add', [gate(c, xw, 0, H), gate(c, hr, 0, H)])]);
      const r = c.op('sigmoid', [c.op('add', [gate(c, xw, 1, H), gate(c, hr, 1, H)])]);
      let nIn: Value;
      if (lbr) nIn = c.op('add', [gate(c, xw, 2, H), c.op('mul', [r, gate(c, hr, 2, H)])]);
      else {
        const rn = c.op('slice', [d.r], { dim: 0, start: 2 * H, end: 3 * H, step: 1 });
        let m = c.op('matmul', [c.op('mul', [r, h]), rn], { transA: false, transB: true });
        if (d.rb) m = c.op('add', [m, c.op('slice', [d.rb], { dim: 0, start: 2 * H, end: 3 * H, step: 1 })]);
        nIn = c.op('add', [gate(c, xw, 2, H), m]);
      }
      const n = c.op('tanh', [nIn]);
      // h = (1 - z) * n + z * h = n + z * (h - n)
      h = c.op('add', [n, c.op('mul', [z, c.op('sub', [h, n])])]);
      out[t] = h;
    }
    hs.push(out); last.push(h);
  });
  return outputs(c, hs, last, null);
};

/** ONNX RNN (Elman): h = f(x·Wᵀ + Wb + h·Rᵀ + Rb), f Tanh (the default) or Relu per direction. */
const RNN_IMPORT: OnnxImporter = (c) => {
  const acts = c.attr<readonly string[] | undefined>('activations', undefined) ?? ['Tanh'];
  if (acts.some((a) => a !== 'Tanh' && a !== 'Relu')) c.unsupported(`activations ${acts.join(', ')} (Tanh or Relu)`);
  if (c.attr('clip') !== undefined) c.unsupported('clip');
  const seq = c.constant(4);
  if (c.has(4) && !seq) c.unsupported('sequence_lens computed at run time');
  const xs = stepInputs(c);
  if (seq && Array.from(seq).some((s) => s !== xs.length)) c.unsupported('sequence_lens shorter than the sequence');
  const dirs = directions(c, 1, false);
  const reverse = c.attr('direction', 'forward') === 'reverse';
  const hs: Value[][] = [], last: Value[] = [];
  dirs.forEach((d, k) => {
    const back = reverse || k === 1;
    const act = (acts[k] ?? acts[0]) === 'Relu' ? 'relu' : 'tanh';
    const bias = d.wb && d.rb ? c.op('add', [d.wb, d.rb]) : null;
    let h = d.h;
    const out: Value[] = new Array(xs.length);
    for (let s = 0; s < xs.length; s++) {
      const t = back ? xs.length - 1 - s : s;
      let g = c.op('add', [c.op('matmul', [xs[t], d.w], { transA: false, transB: true }), c.op('matmul', [h, d.r], { transA: false, transB: true })]);
      if (bias) g = c.op('add', [g, bias]);
      h = c.op(act, [g]);
      out[t] = h;
    }
    hs.push(out); last.push(h);
  });
  return outputs(c, hs, last, null);
};

export const RECURRENT_RULES: Record<string, OnnxImporter> = { LSTM: LSTM_IMPORT, GRU: GRU_IMPORT, RNN: RNN_IMPORT };
