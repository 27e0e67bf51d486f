/**
 * TFLite's integer UNIDIRECTIONAL_SEQUENCE_LSTM, the "8x8_16" kernel of lstm_eval.cc (chosen by
 * the operator's 5 intermediates): int8 input, output and output state; int16 cell state with a
 * power-of-two scale; int8 weights with per-tensor scales; int32 biases; int16 peephole and
 * layer-norm weights. Gates are int16 in Q3.12 (without layer norm) or in the intermediates'
 * scales before layer norm; sigmoid and tanh are gemmlowp's int16 fixed point (tabulated once
 * per integer-bit count); every rescale is a fixed-point multiplier as TFLite's prepare makes it.
 */
import type { OpNode, RtTensor } from '../op.js';
import { describe, expect, expectDType, qparams } from './check.js';
import { packI8, qmatmulI8Packed, type PackedI8 } from '../../kernels/index.js';
import { mulQ, quantizeMultiplier, roundingDivideByPOT as rdpot, srdhm, srdhm16 } from './quant.js';

const f = Math.fround;
const s16 = (x: number): number => (x << 16) >> 16;
const c16 = (x: number): number => (x < -32768 ? -32768 : x > 32767 ? 32767 : x);
const c8 = (x: number): number => (x < -128 ? -128 : x > 127 ? 127 : x);

// ---- gemmlowp fixed point on int16 raw values (FixedPoint<int16_t, k>) ----
const mul = srdhm16;
/** SaturatingRoundingMultiplyByPOT<e>, int16 (e > 0 saturates, e < 0 rounds). */
function pot(x: number, e: number): number {
  if (e <= 0) return e === 0 ? x : rdpot(x, -e);
  const th = (1 << (15 - e)) - 1;
  return x > th ? 32767 : x < -th ? -32768 : x << e;
}
/** A gemmlowp int32 constant as an int16 raw value. */
const K = (v: number): number => rdpot(v, 16);
const C_EXP18 = K(1895147668), C_THIRD = K(715827883), C48 = K(1515870810), CN32 = K(-1010580540);
const BARREL = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242].map(K);

/** exp(a) for a in [-1/4, 0), Q0.15. */
function expQuarter(a: number): number {
  const x = s16(a + (1 << 12));
  const x2 = mul(x, x), x3 = mul(x2, x), x4 = mul(x2, x2);
  const t = pot(s16(mul(s16(pot(x4, -2) + x3), C_THIRD) + x2), -1);
  return c16(C_EXP18 + mul(C_EXP18, s16(x + t))); // AddSaturatingIf16Bit (older gemmlowp wraps; no int16 input reaches it)
}
/** exp(a) for a <= 0 with `k` integer bits, Q0.15. */
function expNeg(a: number, k: number): number {
  const fb = 15 - k, quarter = 1 << (fb - 2);
  const amq = s16((a & (quarter - 1)) - quarter);
  let r = expQuarter(pot(amq, k));
  const rem = s16(amq - a);
  for (let e = -2; e <= 4; e++) if (k > e && rem & (1 << (fb + e))) r = mul(r, BARREL[e + 2]!);
  if (k > 5 && a < K(-(1 << (36 - k)))) r = 0;
  return a === 0 ? 32767 : r;
}
/** 1/(1+x) (`minus` false) or (1-x)/(1+x) (`minus` true) for x in (0, 1), Q0.15 (Newton-Raphson in Q2.13). */
function divide(a: number, minus: boolean): number {
  const s = a + 32767, hd = Math.trunc((s + (s >= 0 ? 1 : -1)) / 2);
  let x = s16(C48 + mul(hd, CN32));
  for (let i = 0; i < 3; i++) x = s16(x + pot(mul(x, s16((1 << 13) - mul(hd, x))), 2));
  return minus ? pot(s16(x - (1 << 13)), 2) : pot(x, 1);
}
function logistic(a: number, k: number): number {
  if (a === 0) return 16384;
  const abs = a > 0 ? a : s16(-a);
  const rp = divide(expNeg(s16(-abs), k), false);
  return a > 0 ? rp : s16(32767 - rp);
}
function tanh(a: number, k: number): number {
  if (a === 0) return 0;
  const t = divide(expNeg(a < 0 ? a : s16(-a), k + 1), true);
  return a < 0 ? s16(-t) : t;
}
const TABLES = new Map<number, Int16Array>();
/** The int16 sigmoid (k = -1, Q3.12 in) or tanh (k integer bits in) of every int16, Q0.15 out. */
function table(k: number): Int16Array {
  let t = TABLES.get(k);
  if (!t) {
    t = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) t[i] = k < 0 ? logistic(i - 32768, 3) : tanh(i - 32768, k);
    TABLES.set(k, t);
  }
  return t;
}

/** GetInvSqrtQuantizedMultiplierExp(v, -1): 1/sqrt(v) as [multiplier, shift] (gemmlowp int32). */
function invSqrt(v: number): [number, number] {
  if (v <= 1) return [2147483647, 0];
  let shift = 11;
  while (v >= 1 << 29) { v = Math.trunc(v / 4); shift++; }
  const pairs = ((Math.clz32(v) - 1) >> 1) - 1;
  shift -= pairs;
  v <<= 2 * pairs;
  const p32 = (x: number, e: number): number => {
    const th = 2 ** (31 - e) - 1;
    return x > th ? 2147483647 : x < -th ? -2147483648 : x * 2 ** e;
  };
  const half = rdpot(v >> 1, 1), threeHalves = (1 << 28) + (1 << 27);
  let x = 1 << 28;
  for (let i = 0; i < 5; i++) {
    const x3 = p32(srdhm(srdhm(x, x), x), 6);
    x = p32((srdhm(threeHalves, x) - srdhm(half, x3)) | 0, 3);
  }
  x = srdhm(x, 1518500250);
  if (shift < 0) { x = (x << -shift) | 0; shift = 0; }
  return [x, -shift];
}

interface Mq { m: number; s: number }
const mq = (real: number): Mq => { const q = quantizeMultiplier(real); return { m: q.multiplier, s: q.shift }; };

interface Gate {
  /** Offset of the gate's columns in the side-by-side products. */
  at: number; bx: Int32Array; br: Int32Array; mx: Mq; mr: Mq;
  peep: Int16Array | null; mp: Mq; ln: Int16Array | null; lnBias: Int32Array | null; mln: Mq; guard: number;
  act: Int16Array; out: Int16Array;
}

export interface LstmInt8State {
  batch: number; steps: number; nin: number; units: number; nout: number; timeMajor: boolean;
  gates: Array<Gate | null>; cellShift: number; cellClip: number; projClip: number;
  tanhCell: Int16Array; hidden: Mq; hiddenZp: number; hid: Int8Array;
  proj: { b: Int32Array; m: Mq } | null; outZp: number;
  /** Packed weights (input and recurrent: the gates side by side, `gu` columns; projection) and their int32 products. */
  px: PackedI8; pr: PackedI8; pp: PackedI8 | null; gu: number; accX: Int32Array; accR: Int32Array; accP: Int32Array;
}

const OP = 'UNIDIRECTIONAL_SEQUENCE_LSTM';

/** Prepare of the integer kernel; `dims` are the float prepare's checked sizes. */
export function prepareLstmInt8(
  node: OpNode, d: { batch: number; steps: number; nin: number; units: number; nout: number; timeMajor: boolean; cellClip: number; projClip: number },
): LstmInt8State {
  const t = (i: number): RtTensor | null => node.inputs[i] ?? null;
  const need = (i: number, role: string, ...dt: Array<'int8' | 'int16' | 'int32'>): RtTensor => {
    const x = t(i)!;
    expectDType(OP, node, role, x, ...dt);
    if (i !== 0 && i !== 18 && i !== 19) expect(OP, node, x.isConst, () => `${describe(role, x)}: must be constant in an integer LSTM`);
    return x;
  };
  const inter = node.intermediates ?? [];
  expect(OP, node, inter.length === 5, () => `an int8 LSTM needs the 5 intermediates of TFLite's 8x8_16 kernel (gate and hidden scales), got ${inter.length}`);
  const q = (role: string, x: RtTensor): { scale: number; zeroPoint: number } => qparams(OP, node, role, x);
  const inS = q('input', need(0, 'input', 'int8')).scale, inZ = q('input', t(0)!).zeroPoint;
  const hs = need(18, 'output_state', 'int8'), cs = need(19, 'cell_state', 'int16');
  const { scale: hS, zeroPoint: hZ } = q('output_state', hs);
  const cScale = q('cell_state', cs).scale, cellScale = Math.round(Math.log2(cScale));
  expect(OP, node, Math.abs(Math.log2(cScale) - cellScale) < 1e-3 && 15 + cellScale >= 0 && 15 + cellScale <= 6,
    () => `${describe('cell_state', cs)}: scale must be a power of two from 2^-15 to 2^-9, got ${cScale}`);
  const out = node.outputs[0]!;
  expectDType(OP, node, 'output', out, 'int8');
  const ln = !!t(21);
  const iS = [0, 1, 2, 3].map((g) => (ln ? q(`intermediate ${g}`, inter[g]!).scale : 2 ** -12));
  const { scale: hidS, zeroPoint: hidZ } = q('intermediate 4 (hidden)', inter[4]!);
  const rowSums = (w: Int8Array, rows: number, cols: number, zp: number, bias: Int32Array | null): Int32Array => {
    const r = new Int32Array(rows);
    for (let u = 0; u < rows; u++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += w[u * cols + k]!;
      r[u] = ((bias ? bias[u]! : 0) + s * zp) | 0;
    }
    return r;
  };
  const wScale = (i: number, role: string): number => q(role, t(i)!).scale;
  const gates = [0, 1, 2, 3].map((g): Gate | null => {
    if (!t(1 + g) && g === 0) return null;
    const wx = need(1 + g, `input weights ${g}`, 'int8'), wr = need(5 + g, `recurrent weights ${g}`, 'int8');
    const bias = need(12 + g, `gate bias ${g}`, 'int32').data as Int32Array;
    const peep = g !== 2 && t(9 + (g === 3 ? 2 : g)) ? need(9 + (g === 3 ? 2 : g), `peephole weights ${g}`, 'int16') : null;
    const lnw = ln ? need(20 + g, `layer norm weights ${g}`, 'int16') : null;
    const lnS = lnw ? q(`layer norm weights ${g}`, lnw).scale : 1;
    return {
      at: (g - (t(1) ? 0 : 1)) * d.units,
      bx: rowSums(wx.data as Int8Array, d.units, d.nin, -inZ, ln ? null : bias),
      br: rowSums(wr.data as Int8Array, d.units, d.nout, -hZ, null),
      mx: mq(f(f(wScale(1 + g, 'input weights') * inS) / iS[g]!)),
      mr: mq(f(f(wScale(5 + g, 'recurrent weights') * hS) / iS[g]!)),
      peep: peep ? (peep.data as Int16Array) : null,
      mp: mq(peep ? f(f(f(2 ** cellScale) * q('peephole weights', peep).scale) / iS[g]!) : 1),
      ln: lnw ? (lnw.data as Int16Array) : null, lnBias: ln ? bias : null, mln: mq(lnS),
      guard: Math.max(1, Math.trunc(f(10000 * lnS))),
      act: table(g === 2 ? 3 : -1), out: new Int16Array(d.batch * d.units),
    };
  });
  const pw = t(16);
  let proj: LstmInt8State['proj'] = null;
  if (pw) {
    need(16, 'projection_weights', 'int8');
    const pb = t(17) ? (need(17, 'projection_bias', 'int32').data as Int32Array) : null;
    proj = { b: rowSums(pw.data as Int8Array, d.nout, d.units, hidZ, pb), m: mq(f(f(q('projection_weights', pw).scale * hidS) / hS)) };
  }
  const live = [1, 2, 3, 4].filter((i) => t(i)), gu = live.length * d.units;
  const cat = (first: number, k: number): PackedI8 => {
    const w = new Int8Array(gu * k);
    live.forEach((i, j) => w.set(t(first + i - 1)!.data as Int8Array, j * d.units * k));
    return packI8(w, gu, k, 'rows'); // qmatmulI8Packed reads rows only
  };
  expect(OP, node, !gates.some((g) => g?.peep) || d.nout <= d.units,
    () => `peephole weights with a projection to more outputs (${d.nout}) than cells (${d.units}) are not supported`);
  return {
    ...d, gates, cellShift: 30 + cellScale, tanhCell: table(15 + cellScale),
    cellClip: d.cellClip > 0 ? Math.trunc(Math.min(Math.max(f(d.cellClip / cScale), -32768), 32767)) : 0,
    projClip: d.projClip > 0 ? Math.trunc(Math.min(Math.max(f(d.projClip / hS), -128), 127)) : 0,
    hidden: mq(f(f(f(2 ** -15) / hidS) * f(2 ** -15))), hiddenZp: hidZ, hid: new Int8Array(d.batch * d.units),
    proj, outZp: hZ, gu, px: cat(1, d.nin), pr: cat(5, d.nout), pp: pw ? packI8(pw.data as Int8Array, d.nout, d.units, 'rows') : null,
    accX: new Int32Array(d.batch * d.steps * gu), accR: new Int32Array(d.batch * gu), accP: new Int32Array(d.batch * d.nout),
  };
}

/** The rest of MatrixBatchVectorMultiplyAccumulate: rows of int32 products (`stride` apart, from `ao`) plus bias, rescaled, accumulated saturating. */
function rescaleAcc(
  acc: Int32Array, ao: number, stride: number, bias: Int32Array, m: Mq, nb: number, rows: number,
  zp: number, out: Int16Array | Int8Array, oo: number, clamp: (x: number) => number,
): void {
  for (let b = 0; b < nb; b++) {
    for (let r = 0; r < rows; r++) {
      const i = oo + b * rows + r;
      out[i] = clamp(mulQ((acc[ao + b * stride + r]! + bias[r]!) | 0, m.m, m.s) + zp + out[i]!);
    }
  }
}

/** ApplyLayerNorm (integer), in place on `nb` rows of `n`. */
function layerNorm(x: Int16Array, w: Int16Array, bias: Int32Array, m: Mq, guard: number, nb: number, n: number): void {
  for (let b = 0; b < nb; b++) {
    const o = b * n;
    let sum = 0, sq = 0;
    for (let j = 0; j < n; j++) { const v = x[o + j]!; sum += v; sq += v * v; }
    const mean = Math.trunc((sum * 1024) / n);
    let variance = Math.trunc((sq * Math.trunc(1048576 / n) - mean * mean) / 1048576) | 0;
    if (variance < 1) variance = guard;
    const [ia, ib] = invSqrt(variance);
    for (let j = 0; j < n; j++) {
      const r = mulQ((1024 * x[o + j]! - mean) | 0, ia, ib);
      const v3 = (Math.imul(r, w[j]!) + bias[j]!) | 0;
      x[o + j] = c16(mulQ(Math.trunc((v3 > 0 ? v3 + 512 : v3 - 512) / 1024), m.m, m.s + 12));
    }
  }
}

/** One LstmStepInteger8x8_16 over `nb` batch rows starting at row `b0` (input rows from `xr`, output at `yo`). */
function step(s: LstmInt8State, xr: number, h: Int8Array, c: Int16Array, b0: number, nb: number, y: Int8Array, yo: number): void {
  const { units, nout, gu } = s, n = nb * units, ho = b0 * nout, co = b0 * units;
  qmatmulI8Packed(h.subarray(ho, ho + nb * nout), 0, s.pr, s.accR, nb);
  const gate = (g: Gate): Int16Array => {
    const out = g.out;
    out.fill(0, 0, n);
    rescaleAcc(s.accX, xr * gu + g.at, gu, g.bx, g.mx, nb, units, 0, out, 0, c16);
    rescaleAcc(s.accR, g.at, gu, g.br, g.mr, nb, units, 0, out, 0, c16);
    if (g.peep) for (let i = 0; i < nb * nout; i++) out[i] = c16(mulQ(g.peep[i % nout]! * c[co + i]!, g.mp.m, g.mp.s) + out[i]!);
    if (g.ln) layerNorm(out, g.ln, g.lnBias!, g.mln, g.guard, nb, units);
    for (let i = 0; i < n; i++) out[i] = g.act[out[i]! + 32768]!;
    return out;
  };
  const [G0, G1, G2, G3] = s.gates;
  const gi = G0 ? gate(G0) : null, gf = gate(G1!), gc = gate(G2!);
  for (let i = 0; i < n; i++) {
    const fv = gf[i]!, iv = gi ? gi[i]! : 32767 - fv;
    let cv = c16(s16(rdpot(fv * c[co + i]!, 15)) + s16(rdpot(iv * gc[i]!, s.cellShift)));
    if (s.cellClip > 0) cv = Math.max(-s.cellClip, Math.min(s.cellClip, cv));
    c[co + i] = cv;
  }
  const go = gate(G3!), hid = s.hid;
  // TFLite's CwiseMul subtracts the hidden zero point (and the projection's bias adds zp * row sums to match)
  for (let i = 0; i < n; i++) hid[i] = c8(mulQ(go[i]! * s.tanhCell[c[co + i]! + 32768]!, s.hidden.m, s.hidden.s) - s.hiddenZp);
  if (s.proj) {
    h.fill(0, ho, ho + nb * nout);
    qmatmulI8Packed(hid, 0, s.pp!, s.accP, nb);
    rescaleAcc(s.accP, 0, nout, s.proj.b, s.proj.m, nb, nout, s.outZp, h, ho, c8);
    if (s.projClip > 0) for (let i = ho; i < ho + nb * nout; i++) h[i] = Math.max(-s.projClip, Math.min(s.projClip, h[i]!));
  } else {
    h.set(hid.subarray(0, nb * nout), ho);
  }
  y.set(h.subarray(ho, ho + nb * nout), yo);
}

/** EvalInteger8x8_16: time-major steps all batch rows at once; batch-major runs each row through time. */
export function runLstmInt8(node: OpNode, s: LstmInt8State): void {
  const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array;
  const h = node.inputs[18]!.data as Int8Array, c = node.inputs[19]!.data as Int16Array;
  const { batch, steps, nout } = s;
  qmatmulI8Packed(x, 0, s.px, s.accX, batch * steps);
  if (s.timeMajor) {
    for (let t = 0; t < steps; t++) step(s, t * batch, h, c, 0, batch, y, t * batch * nout);
  } else {
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < steps; t++) step(s, b * steps + t, h, c, b, 1, y, (b * steps + t) * nout);
    }
  }
}
