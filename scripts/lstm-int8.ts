/**
 * int8 UNIDIRECTIONAL_SEQUENCE_LSTM models (TFLite's integer "8x8_16" kernel) against the real
 * runtime. LiteRT.js rejects variable tensors, so the reference is tfjs-tflite.
 *
 *   npx tsx scripts/lstm-int8.ts [--cases 40] [--seed 1] [--ref DIR] [--fixture]
 *
 * Each case is one LSTM written with converter/tflite-writer from random float weights,
 * quantized as TFLite's converter quantizes an LSTM, with ranges calibrated on a float run of
 * the same input: int8 input/output (asymmetric), int16 cell state (symmetric, power-of-two
 * scale), int8 weights (symmetric, per tensor), int32 biases (input x weight scale; with layer
 * norm, layer-norm weight scale x 2^-10), int16 peephole and layer-norm weights, and the five
 * intermediates (the gates before layer norm, int16; the hidden state, int8). Variants: CIFG,
 * peephole, layer norm, projection, clipping, time-major, several batches, sizes and weight
 * scales. Every output element must equal tfjs-tflite's; exits 1 on any difference.
 *
 * --fixture writes the cases with tfjs-tflite's outputs to test/lite/int8/fixtures/lstm.json,
 * which test/lite/int8/lstm-int8.test.ts replays without the reference runtimes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { writeTflite } from '../converter/tflite-writer/index.js';
import type { TensorDesc } from '../converter/tflite-writer/types.js';
import { loadModel } from '../lite-runtime/index.js';
import { argOf, openReference, ROOT, toB64 } from './tflite-ref.js';
import { rng } from '../test/lite/ops/helpers.js';

export interface LstmCase { name: string; model: Uint8Array; input: Int8Array }
export interface LstmShape {
  batch: number; steps: number; nin: number; units: number; nout: number;
  cifg: boolean; peephole: boolean; layerNorm: boolean; timeMajor: boolean; cellClip: number; projClip: number;
  /** Weight magnitude (uniform in ±w). */
  w: number;
}

const f = Math.fround;
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const absMax = (a: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!)); return m || 1e-6; };

/** Symmetric quantization of `a` to `bits` with scale max/qmax. */
function sym(a: Float32Array, bits: 8 | 16 | 32, scale?: number): { q: Int8Array | Int16Array | Int32Array; scale: number } {
  const qmax = bits === 8 ? 127 : bits === 16 ? 32767 : 2147483647;
  const s = scale ?? f(absMax(a) / qmax);
  const q = bits === 8 ? new Int8Array(a.length) : bits === 16 ? new Int16Array(a.length) : new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) q[i] = Math.max(-qmax, Math.min(qmax, Math.round(a[i]! / s)));
  return { q, scale: s };
}
/** Asymmetric int8 parameters covering [lo, hi] (and 0). */
function asym(lo: number, hi: number): { scale: number; zeroPoint: number } {
  lo = Math.min(lo, 0); hi = Math.max(hi, 0);
  const scale = f((hi - lo) / 255 || 1e-6);
  return { scale, zeroPoint: Math.max(-128, Math.min(127, Math.round(-128 - lo / scale))) };
}

/** Float LSTM (TFLite's float kernel) recording the ranges the quantizer calibrates on. */
function calibrate(s: LstmShape, W: Record<string, Float32Array>, x: Float32Array) {
  const { batch, steps, nin, units, nout } = s;
  const pre = [0, 1, 2, 3].map(() => 0);
  let cMax = 0, hidLo = 0, hidHi = 0, outLo = 0, outHi = 0;
  for (let b = 0; b < batch; b++) {
    const h = new Float32Array(nout), c = new Float32Array(units);
    for (let t = 0; t < steps; t++) {
      const xo = (s.timeMajor ? t * batch + b : b * steps + t) * nin;
      const gate = (g: number, cc: Float32Array): Float32Array => {
        const v = new Float32Array(units);
        for (let u = 0; u < units; u++) {
          let a = 0;
          for (let k = 0; k < nin; k++) a += W[`wx${g}`]![u * nin + k]! * x[xo + k]!;
          for (let k = 0; k < nout; k++) a += W[`wr${g}`]![u * nout + k]! * h[k]!;
          if (s.peephole && g !== 2) a += W[`p${g}`]![u]! * cc[u]!;
          v[u] = a;
        }
        pre[g] = Math.max(pre[g]!, absMax(v));
        if (s.layerNorm) {
          let m = 0, q = 0;
          for (let u = 0; u < units; u++) m += v[u]!;
          m /= units;
          for (let u = 0; u < units; u++) q += (v[u]! - m) ** 2;
          const inv = 1 / Math.sqrt(q / units + 1e-8);
          for (let u = 0; u < units; u++) v[u] = (v[u]! - m) * inv * W[`ln${g}`]![u]!;
        }
        for (let u = 0; u < units; u++) v[u] += W[`b${g}`]![u]!;
        return v;
      };
      const gi = s.cifg ? null : gate(0, c), gf = gate(1, c), gc = gate(2, c);
      for (let u = 0; u < units; u++) {
        const fv = sig(gf[u]!), iv = gi ? sig(gi[u]!) : 1 - fv;
        let cv = fv * c[u]! + iv * Math.tanh(gc[u]!);
        if (s.cellClip > 0) cv = Math.max(-s.cellClip, Math.min(s.cellClip, cv));
        c[u] = cv; cMax = Math.max(cMax, Math.abs(cv));
      }
      const go = gate(3, c), hid = new Float32Array(units);
      for (let u = 0; u < units; u++) { hid[u] = sig(go[u]!) * Math.tanh(c[u]!); hidLo = Math.min(hidLo, hid[u]!); hidHi = Math.max(hidHi, hid[u]!); }
      for (let k = 0; k < nout; k++) {
        let v = hid[k]!;
        if (W.pw) { v = W.pb![k]!; for (let u = 0; u < units; u++) v += W.pw[k * units + u]! * hid[u]!; }
        if (s.projClip > 0) v = Math.max(-s.projClip, Math.min(s.projClip, v));
        h[k] = v; outLo = Math.min(outLo, v); outHi = Math.max(outHi, v);
      }
    }
  }
  return { pre, cMax, hid: [hidLo, hidHi] as const, out: [outLo, outHi] as const };
}

/** One int8 LSTM model and its int8 input, as TFLite's converter would quantize it. */
export function makeLstmInt8(R: () => number, s: LstmShape): LstmCase {
  const { batch, steps, nin, units, nout } = s;
  const proj = nout !== units;
  const U = (n: number, a: number): Float32Array => Float32Array.from({ length: n }, () => f((R() * 2 - 1) * a));
  const W: Record<string, Float32Array> = {};
  for (let g = 0; g < 4; g++) {
    if (g === 0 && s.cifg) continue;
    W[`wx${g}`] = U(units * nin, s.w); W[`wr${g}`] = U(units * nout, s.w);
    W[`b${g}`] = U(units, s.w * (g === 1 ? 2 : 1));
    if (s.peephole && g !== 2) W[`p${g}`] = U(units, s.w);
    if (s.layerNorm) W[`ln${g}`] = Float32Array.from({ length: units }, () => f(0.5 + R()));
  }
  if (proj) { W.pw = U(nout * units, s.w); W.pb = U(nout, s.w / 4); }
  const xs = f(0.5 + R() * 3), xc = (R() - 0.5) * xs;
  const xf = Float32Array.from({ length: batch * steps * nin }, () => f(xc + (R() * 2 - 1) * xs));
  const cal = calibrate(s, W, xf);
  const xq = asym(Math.min(...xf), Math.max(...xf));
  const oq = asym(cal.out[0], cal.out[1]);
  const hq = proj ? asym(cal.hid[0], cal.hid[1]) : oq;
  const cScale = 2 ** Math.min(-9, Math.max(-15, Math.ceil(Math.log2(cal.cMax)) - 15));
  const tensors: TensorDesc[] = [];
  const add = (name: string, shape: number[], dtype: TensorDesc['dtype'], data?: ArrayBufferView, scale?: number, zp = 0): string => {
    tensors.push({ name, shape, dtype, ...(data ? { data } : {}), ...(scale !== undefined ? { quant: { scale: [scale], zeroPoint: [zp] } } : {}) });
    return name;
  };
  add('x', s.timeMajor ? [steps, batch, nin] : [batch, steps, nin], 'int8', undefined, xq.scale, xq.zeroPoint);
  const inputs: Array<string | number> = new Array(24).fill(-1);
  inputs[0] = 'x';
  const wq: Record<string, number> = {};
  for (let g = 0; g < 4; g++) {
    if (!W[`wx${g}`]) continue;
    const a = sym(W[`wx${g}`]!, 8), r = sym(W[`wr${g}`]!, 8);
    wq[g] = a.scale;
    inputs[1 + g] = add(`wx${g}`, [units, nin], 'int8', a.q, a.scale);
    inputs[5 + g] = add(`wr${g}`, [units, nout], 'int8', r.q, r.scale);
    if (W[`p${g}`]) { const p = sym(W[`p${g}`]!, 16); inputs[9 + (g === 3 ? 2 : g)] = add(`p${g}`, [units], 'int16', p.q, p.scale); }
    let bScale = xq.scale * a.scale;
    if (W[`ln${g}`]) { const l = sym(W[`ln${g}`]!, 16); inputs[20 + g] = add(`ln${g}`, [units], 'int16', l.q, l.scale); bScale = l.scale * 2 ** -10; }
    const b = sym(W[`b${g}`]!, 32, f(bScale));
    inputs[12 + g] = add(`b${g}`, [units], 'int32', b.q, b.scale);
  }
  if (proj) {
    const p = sym(W.pw!, 8);
    inputs[16] = add('pw', [nout, units], 'int8', p.q, p.scale);
    inputs[17] = add('pb', [nout], 'int32', sym(W.pb!, 32, f(hq.scale * p.scale)).q, f(hq.scale * p.scale));
  }
  tensors.push({ name: 'h0', shape: [batch, nout], dtype: 'int8', isVariable: true, quant: { scale: [oq.scale], zeroPoint: [oq.zeroPoint] } });
  tensors.push({ name: 'c0', shape: [batch, units], dtype: 'int16', isVariable: true, quant: { scale: [cScale], zeroPoint: [0] } });
  inputs[18] = 'h0'; inputs[19] = 'c0';
  const inter = [0, 1, 2, 3].map((g) => add(`gate${g}`, [batch, units], 'int16', undefined, f(cal.pre[g]! / 32767 || 2 ** -12)));
  inter.push(add('hidden', [batch, units], 'int8', undefined, hq.scale, hq.zeroPoint));
  add('y', s.timeMajor ? [steps, batch, nout] : [batch, steps, nout], 'int8', undefined, oq.scale, oq.zeroPoint);
  const model = writeTflite({
    tensors,
    operators: [{ op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, outputs: ['y'], intermediates: inter,
      options: { fused_activation_function: 'TANH', cell_clip: s.cellClip, proj_clip: s.projClip, time_major: s.timeMajor } }],
    inputs: ['x'], outputs: ['y'],
  });
  const input = Int8Array.from(xf, (v) => Math.max(-128, Math.min(127, Math.round(v / xq.scale) + xq.zeroPoint)));
  const flags = ['cifg', 'peephole', 'layerNorm', 'timeMajor'].filter((k) => s[k as keyof LstmShape]).join(',');
  const name = `b${batch} t${steps} in${nin} u${units}${proj ? ` proj${nout}` : ''} w${s.w.toPrecision(2)}${flags ? ` ${flags}` : ''}` +
    `${s.cellClip ? ` clip${s.cellClip}` : ''}${s.projClip ? ` pclip${s.projClip}` : ''} zp${xq.zeroPoint},${oq.zeroPoint} cell2^${Math.log2(cScale)}`;
  return { name, model, input };
}

/** `count` cases, deterministic in `seed`: the first few are the plain Keras layout, then every variant mixed. */
export function makeLstmCases(seed: number, count: number): LstmCase[] {
  const R = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(R() * a.length)]!;
  return Array.from({ length: count }, (_, k) => {
    const plain = k < 4;
    const units = pick([1, 4, 8, 16, 20, 32, 64]), peephole = !plain && R() < 0.3;
    const nout = !plain && R() < 0.25 ? pick([2, 5, 8, units]) : units;
    return makeLstmInt8(R, {
      batch: pick([1, 1, 2, 3]), steps: pick([1, 3, 8, 16, 25]), nin: pick([1, 3, 8, 12, 32]), units,
      // TFLite's peephole loop runs over n_output entries: a projection wider than the cells reads past them
      nout: peephole ? Math.min(nout, units) : nout,
      cifg: !plain && R() < 0.3, peephole, layerNorm: !plain && R() < 0.3, timeMajor: !plain && R() < 0.3,
      cellClip: !plain && R() < 0.2 ? pick([0.5, 2, 8]) : 0, projClip: !plain && R() < 0.15 ? pick([0.25, 1]) : 0,
      w: pick([0.05, 0.2, 0.5, 1, 2]),
    });
  });
}

/** tglite's output of a case (fresh state). */
export async function runOursLstm(c: LstmCase): Promise<Int8Array> {
  const m = await loadModel(c.model);
  try { return m.runSync([c.input])[0]!.data as Int8Array; } finally { m.dispose(); }
}

async function main(): Promise<void> {
  const fixture = process.argv.includes('--fixture');
  const seed = Number(argOf('--seed') ?? (fixture ? 909 : 1));
  const cases = makeLstmCases(seed, Number(argOf('--cases') ?? (fixture ? 32 : 60)));
  const ref = await openReference(argOf('--ref'));
  let bad = 0, elems = 0;
  const stored: unknown[] = [];
  for (const c of cases) {
    const want = Int8Array.from((await ref.run('tfjs', c.model, [{ b64: toB64(c.input) }]))[0]!.data);
    let got: Int8Array | string;
    try { got = await runOursLstm(c); } catch (e) { got = String(e); }
    let diff = 0, maxAbs = 0;
    if (typeof got === 'string') diff = want.length;
    else for (let i = 0; i < want.length; i++) { const d = Math.abs(got[i]! - want[i]!); if (d) { diff++; maxAbs = Math.max(maxAbs, d); } }
    elems += want.length;
    if (diff) { bad++; console.log(`MISMATCH ${c.name}: ${diff}/${want.length} elements, max ${maxAbs} steps${typeof got === 'string' ? ` (${got})` : ''}`); }
    stored.push({ name: c.name, model: deflateRawSync(c.model).toString('base64'), input: toB64(c.input), output: toB64(want) });
  }
  console.log(`${cases.length} cases, ${elems} output elements: ${bad} cases differ from tfjs-tflite`);
  if (fixture) {
    const file = path.join(ROOT, 'test/lite/int8/fixtures/lstm.json');
    fs.writeFileSync(file, JSON.stringify({ generatedBy: 'npx tsx scripts/lstm-int8.ts --fixture', reference: 'tfjs-tflite', seed, cases: stored }) + '\n');
    console.log(`wrote ${path.relative(ROOT, file)}`);
  }
  if (bad) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(ROOT, 'scripts/lstm-int8.ts')) void main();
