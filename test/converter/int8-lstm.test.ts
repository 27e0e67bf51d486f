/**
 * Full-int8 quantization of a float UNIDIRECTIONAL_SEQUENCE_LSTM (converter/quantize/int8-lstm.ts):
 * the weights of a tg.nn.LSTM (torch's gate order i, f, g, o is TFLite's i, f, c, o) and random
 * variants (CIFG, peephole, layer norm, projection, time-major) written as a float LSTM, quantized
 * with calibration data; and the PyTorch-exported ONNX LSTM converted with `fuseLstm`
 * (converter/quantize/fuse-lstm.ts finds the steps the import spells out). The files hold TFLite's
 * integer LSTM layout; their outputs are within 25 dB SQNR of the float model's; with ../shared,
 * tfjs-tflite computes every output element alike.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert, descFromModel } from '../../converter/index.js';
import { fuseLstms } from '../../converter/quantize/fuse-lstm.js';
import { newLstmStats, observeLstm } from '../../converter/quantize/int8-lstm.js';
import { quantizeModel } from '../../converter/quantize/index.js';
import { writeTflite } from '../../converter/tflite-writer/index.js';
import type { ModelDesc, TensorDesc } from '../../converter/tflite-writer/types.js';
import { loadModel, parseModel } from '../../lite-runtime/index.js';
import { openReference, toB64, type Reference } from '../../scripts/tflite-ref.js';
import { describeWithShared } from '../helpers/shared.js';
import { randomData, tg } from './helpers.js';

interface Variant {
  name: string; batch: number; steps: number; nin: number; units: number; nout?: number;
  cifg?: boolean; peephole?: boolean; layerNorm?: boolean; timeMajor?: boolean; act?: 'TANH' | 'RELU';
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

/** A float LSTM model: gate weights from `w` (by input index) or uniform in ±0.4. */
function floatLstm(v: Variant, seed: number, w: Record<number, Float32Array> = {}): ModelDesc {
  const R = rng(seed);
  const { batch, steps, nin, units } = v, nout = v.nout ?? units;
  const U = (n: number, a: number, c = 0) => Float32Array.from({ length: n }, () => Math.fround(c + (R() * 2 - 1) * a));
  const tensors: TensorDesc[] = [];
  const inputs = new Array<number>(24).fill(-1);
  const add = (i: number, name: string, shape: number[], data: Float32Array) => { tensors.push({ name, shape, dtype: 'float32', data }); inputs[i] = tensors.length - 1; };
  tensors.push({ name: 'x', shape: v.timeMajor ? [steps, batch, nin] : [batch, steps, nin], dtype: 'float32' });
  inputs[0] = 0;
  for (let g = v.cifg ? 1 : 0; g < 4; g++) {
    add(1 + g, `w_x${g}`, [units, nin], w[1 + g] ?? U(units * nin, 0.4));
    add(5 + g, `w_h${g}`, [units, nout], w[5 + g] ?? U(units * nout, 0.4));
    add(12 + g, `b${g}`, [units], w[12 + g] ?? U(units, 0.3, g === 1 ? 0.5 : 0));
    if (v.peephole && g !== 2) add(g === 3 ? 11 : 9 + g, `peep${g}`, [units], U(units, 0.3));
    if (v.layerNorm) add(20 + g, `ln${g}`, [units], U(units, 0.3, 1));
  }
  if (nout !== units) { add(16, 'proj_w', [nout, units], U(nout * units, 0.4)); add(17, 'proj_b', [nout], U(nout, 0.1)); }
  tensors.push({ name: 'h_state', shape: [batch, nout], dtype: 'float32', isVariable: true });
  inputs[18] = tensors.length - 1;
  tensors.push({ name: 'c_state', shape: [batch, units], dtype: 'float32', isVariable: true });
  inputs[19] = tensors.length - 1;
  tensors.push({ name: 'y', shape: v.timeMajor ? [steps, batch, nout] : [batch, steps, nout], dtype: 'float32' });
  return {
    tensors,
    operators: [{ op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, outputs: [tensors.length - 1],
      options: { fused_activation_function: v.act ?? 'TANH', cell_clip: 0, proj_clip: 0, time_major: !!v.timeMajor } }],
    inputs: [0], outputs: [tensors.length - 1],
  };
}

/** Smooth random sequences (sums of sines), one per seed. */
function sequence(v: Variant, seed: number): Float32Array {
  const R = rng(seed * 7919 + 1);
  const n = v.batch * v.steps * v.nin;
  const ph = Array.from({ length: v.nin }, () => [R() * 6, 0.2 + R(), 0.5 + R() * 1.5]);
  return Float32Array.from({ length: n }, (_, i) => {
    const k = i % v.nin, t = Math.floor(i / v.nin) % v.steps;
    return Math.fround(ph[k]![2]! * Math.sin(ph[k]![0]! + ph[k]![1]! * t) + (R() - 0.5) * 0.2);
  });
}

const VARIANTS: Variant[] = [
  { name: 'tg.nn.LSTM', batch: 1, steps: 12, nin: 8, units: 16 },
  { name: 'batch 3, time-major', batch: 3, steps: 6, nin: 5, units: 12, timeMajor: true },
  { name: 'CIFG, peephole', batch: 2, steps: 8, nin: 4, units: 10, cifg: true, peephole: true },
  { name: 'layer norm, projection', batch: 1, steps: 10, nin: 6, units: 16, nout: 8, layerNorm: true },
  { name: 'peephole, layer norm', batch: 1, steps: 7, nin: 3, units: 8, peephole: true, layerNorm: true },
  { name: 'input wider than the cells', batch: 2, steps: 5, nin: 12, units: 6 },
];

/** The float model of a variant: the first from a tg.nn.LSTM's weights. */
function model(v: Variant, k: number): ModelDesc {
  if (k > 0) return floatLstm(v, 100 + k);
  tg.manualSeed(3);
  const lstm = new tg.nn.LSTM(v.nin, v.units, { batchFirst: true });
  const p = Object.fromEntries(lstm.namedParameters()) as Record<string, { data(): unknown }>;
  const rows = (name: string, g: number, width: number) =>
    (p[name]!.data() as Float32Array).slice(g * v.units * width, (g + 1) * v.units * width);
  const w: Record<number, Float32Array> = {};
  for (let g = 0; g < 4; g++) {
    w[1 + g] = rows('weight_ih_l0', g, v.nin);
    w[5 + g] = rows('weight_hh_l0', g, v.units);
    const bi = rows('bias_ih_l0', g, 1), bh = rows('bias_hh_l0', g, 1);
    w[12 + g] = bi.map((b, u) => Math.fround(b + bh[u]!));
  }
  return floatLstm(v, 1, w);
}

async function run(bytes: Uint8Array, x: Float32Array | Int8Array): Promise<Float32Array | Int8Array> {
  const m = await loadModel(bytes, { backend: 'cpu' });
  try { return m.runSync([x])[0]!.data as Float32Array | Int8Array; } finally { m.dispose(); }
}

interface Made { v: Variant; float: Uint8Array; int8: Uint8Array; desc: ModelDesc; test: Float32Array }

async function make(v: Variant, k: number): Promise<Made> {
  const f = model(v, k);
  const calibration = Array.from({ length: 16 }, (_, s) => [sequence(v, s + 1)]);
  const { desc } = await quantizeModel(f, 'int8', { calibration, ioDtype: 'int8' });
  return { v, float: writeTflite(f), int8: writeTflite(desc), desc, test: sequence(v, 99) };
}

const quantize = (x: Float32Array, q: { scale: number; zeroPoint: number }) =>
  Int8Array.from(x, (a) => Math.max(-128, Math.min(127, Math.round(a / q.scale) + q.zeroPoint)));

/** The int8 model's output on `x` (quantized with its input's parameters), dequantized. */
async function runInt8(int8: Uint8Array, x: Float32Array): Promise<{ q: Int8Array; real: Float32Array }> {
  const d = descFromModel(parseModel(int8));
  const iq = d.tensors[d.inputs[0] as number]!.quant!, oq = d.tensors[d.outputs[0] as number]!.quant!;
  const q = (await run(int8, quantize(x, { scale: iq.scale[0]!, zeroPoint: iq.zeroPoint[0]! }))) as Int8Array;
  return { q, real: Float32Array.from(q, (v) => oq.scale[0]! * (v - oq.zeroPoint[0]!)) };
}

function sqnr(want: Float32Array, got: Float32Array): { db: number; max: number } {
  let s = 0, e = 0, max = 0;
  for (let i = 0; i < want.length; i++) { const d = want[i]! - got[i]!; s += want[i]! ** 2; e += d * d; max = Math.max(max, Math.abs(d)); }
  return { db: 10 * Math.log10(s / e), max };
}

/** The LSTM op of an int8 model holds TFLite's integer layout. */
function expectIntegerLstm(desc: ModelDesc, v: { name: string; cifg?: boolean; peephole?: boolean; layerNorm?: boolean }): void {
  const T = desc.tensors, op = desc.operators.find((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM')!;
  const t = (i: number) => T[op.inputs[i] as number]!;
  expect([t(0).dtype, T[op.outputs[0] as number]!.dtype], v.name).toEqual(['int8', 'int8']);
  for (let i = v.cifg ? 2 : 1; i <= 8; i++) if (i !== 5 || !v.cifg) expect(t(i).dtype, `${v.name} weight ${i}`).toBe('int8');
  for (let i = v.cifg ? 13 : 12; i <= 15; i++) expect(t(i).dtype, `${v.name} bias ${i}`).toBe('int32');
  expect([t(18).dtype, t(18).isVariable, t(19).dtype, t(19).isVariable]).toEqual(['int8', true, 'int16', true]);
  expect(t(18).quant).toEqual(T[op.outputs[0] as number]!.quant);
  const cs = t(19).quant!.scale[0]!;
  expect(Number.isInteger(Math.log2(cs)) && cs <= 2 ** -9 && cs >= 2 ** -15, `cell scale ${cs}`).toBe(true);
  if (v.peephole) expect(t(10).dtype).toBe('int16');
  if (v.layerNorm) expect(t(21).dtype).toBe('int16');
  expect(op.intermediates!.map((i) => T[i as number]!.dtype)).toEqual(['int16', 'int16', 'int16', 'int16', 'int8']);
}

const ONNX_LSTM = join(import.meta.dirname, '../fixtures/onnx/lstm_opset17.onnx');

/** The PyTorch-exported LSTM (input [1, 6, 8]) in float and full int8 with fuseLstm. */
async function onnxLstm(): Promise<{ float: Uint8Array; int8: Uint8Array; test: Float32Array }> {
  const bytes = new Uint8Array(readFileSync(ONNX_LSTM));
  const calibration = Array.from({ length: 16 }, (_, s) => [randomData(48, s + 1)]);
  const int8 = await convert(bytes, { quantize: 'int8', calibration, ioDtype: 'int8', fuseLstm: true });
  return { float: await convert(bytes), int8, test: randomData(48, 99) };
}

describe('int8 LSTM from a float LSTM and calibration data', () => {
  const made: Made[] = [];
  beforeAll(async () => { for (const [k, v] of VARIANTS.entries()) made.push(await make(v, k)); }, 120_000);

  it("the float LSTM made of tg.nn.LSTM's weights computes what the layer computes", async () => {
    const v = VARIANTS[0]!, x = sequence(v, 5);
    tg.manualSeed(3);
    const [y] = new tg.nn.LSTM(v.nin, v.units, { batchFirst: true }).forward(tg.tensor(x, { shape: [v.batch, v.steps, v.nin] }));
    const want = y.data() as Float32Array, got = (await run(made[0]!.float, x)) as Float32Array;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
  });

  it("calibration's replay of the cell computes what the float kernel computes (hidden = output without projection)", async () => {
    for (const [k, v] of VARIANTS.entries()) {
      if (v.nout) continue;
      const f = model(v, k), x = sequence(v, 3), y = (await run(writeTflite(f), x)) as Float32Array;
      const st = newLstmStats();
      observeLstm(f.tensors, f.operators[0]!, x, st);
      expect(st.hidden.min, v.name).toBeCloseTo(Math.min(0, ...y), 5);
      expect(st.hidden.max, v.name).toBeCloseTo(Math.max(0, ...y), 5);
    }
  });

  it("writes TFLite's integer LSTM layout", () => {
    for (const { v, desc } of made) {
      expect(desc.operators.map((o) => o.op), v.name).toEqual(['UNIDIRECTIONAL_SEQUENCE_LSTM']);
      expectIntegerLstm(desc, v);
    }
  });

  it('stays within 25 dB SQNR of the float model', async () => {
    for (const { v, float, int8, test } of made) {
      const { db, max } = sqnr((await run(float, test)) as Float32Array, (await runInt8(int8, test)).real);
      console.log(`int8 LSTM ${v.name}: SQNR ${db.toFixed(1)} dB, max error ${max.toFixed(4)}`);
      expect(db, v.name).toBeGreaterThanOrEqual(25);
    }
  });

  it('an LSTM whose outputs are all positive (the hidden zero point is the output one negated)', async () => {
    const v: Variant = { name: 'positive', batch: 1, steps: 6, nin: 3, units: 5 };
    const f = floatLstm(v, 9, { 3: new Float32Array(15), 7: new Float32Array(25), 14: new Float32Array(5).fill(3) });
    const calibration = Array.from({ length: 4 }, (_, s) => [sequence(v, s + 1)]);
    const { desc } = await quantizeModel(f, 'int8', { calibration, ioDtype: 'int8' });
    expect(desc.tensors[desc.outputs[0] as number]!.quant!.zeroPoint[0]).toBe(-127);
    const want = (await run(writeTflite(f), sequence(v, 9))) as Float32Array;
    expect(Math.min(...want)).toBeGreaterThan(0);
    expect(sqnr(want, (await runInt8(writeTflite(desc), sequence(v, 9))).real).db).toBeGreaterThanOrEqual(25);
  });

  it('keeps an LSTM it cannot quantize float, saying why, with its states float', async () => {
    const v: Variant = { name: 'relu', batch: 1, steps: 4, nin: 3, units: 4, act: 'RELU' };
    const calibration = [[sequence(v, 1)]];
    const r = await quantizeModel(floatLstm(v, 5), 'int8', { calibration, ioDtype: 'float32' });
    expect(r.int8!.floatOps).toEqual([{ node: 'UNIDIRECTIONAL_SEQUENCE_LSTM_0', op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', reason: 'fused activation RELU (the integer LSTM computes TANH)' }]);
    const op = r.desc.operators.find((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM')!;
    expect([18, 19].map((i) => r.desc.tensors[op.inputs[i] as number]!.dtype)).toEqual(['float32', 'float32']);
    const want = await run(writeTflite(floatLstm(v, 5)), sequence(v, 2));
    expect(await run(writeTflite(r.desc), sequence(v, 2))).toEqual(want);
  });
});

/** A traced 2-layer bidirectional tg.nn.LSTM (input [2, 5, 4], batch first) in float and full int8 with fuseLstm. */
async function bidirectional(): Promise<{ float: Uint8Array; int8: Uint8Array; test: Float32Array }> {
  tg.manualSeed(7);
  const lstm = new tg.nn.LSTM(4, 6, { numLayers: 2, bidirectional: true, batchFirst: true });
  const src = { model: { forward: (x: tg.Tensor) => lstm.forward(x)[0] }, inputs: [tg.randn([2, 5, 4])] };
  const calibration = Array.from({ length: 16 }, (_, s) => [randomData(40, s + 1)]);
  return { float: await convert(src), int8: await convert(src, { quantize: 'int8', calibration, ioDtype: 'int8', fuseLstm: true }), test: randomData(40, 77) };
}

describe('fuseLstm: LSTMs imported step by step become one LSTM', () => {
  it('2 bidirectional layers: 4 integer LSTMs (the reverse ones over x reversed), within 25 dB SQNR', async () => {
    const { float, int8, test } = await bidirectional();
    const desc = descFromModel(parseModel(int8));
    expect(desc.operators.filter((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM').length).toBe(4);
    expect(desc.operators.map((o) => o.op)).not.toContain('LOGISTIC');
    const { db, max } = sqnr((await run(float, test)) as Float32Array, (await runInt8(int8, test)).real);
    console.log(`int8 2-layer bidirectional LSTM (fuseLstm): SQNR ${db.toFixed(1)} dB, max error ${max.toFixed(4)}`);
    expect(db).toBeGreaterThanOrEqual(25);
  }, 60_000);

  it('the PyTorch-exported ONNX LSTM: one integer LSTM, within 25 dB SQNR of the float conversion', async () => {
    const { float, int8, test } = await onnxLstm();
    const desc = descFromModel(parseModel(int8));
    const ops = desc.operators.map((o) => o.op);
    expect(ops.filter((o) => o === 'UNIDIRECTIONAL_SEQUENCE_LSTM').length).toBe(1);
    expect(ops).not.toContain('LOGISTIC');
    expectIntegerLstm(desc, { name: 'lstm_opset17' });
    const { db, max } = sqnr((await run(float, test)) as Float32Array, (await runInt8(int8, test)).real);
    console.log(`int8 ONNX LSTM (fuseLstm): SQNR ${db.toFixed(1)} dB, max error ${max.toFixed(4)}, ${int8.length} B`);
    expect(db).toBeGreaterThanOrEqual(25);
    // the state carries over from run to run (TFLite's variable tensors) until resetState
    const m = await loadModel(int8);
    const iq = m.inputs[0]!.quantization!;
    const x = quantize(test, { scale: iq.scale[0]!, zeroPoint: iq.zeroPoint[0]! });
    const once = () => Array.from(m.runSync([x])[0]!.data as Int8Array);
    const first = once(), second = once();
    m.resetState();
    expect(once()).toEqual(first);
    expect(second).not.toEqual(first);
    m.dispose();
  }, 60_000);

  it('the fused float model computes what the steps compute (tg.nn.LSTM: 2 bidirectional layers, batch 3, one step)', async () => {
    const cases: [tg.nn.LSTM, number[], number][] = [
      [new tg.nn.LSTM(5, 7, { numLayers: 2, bidirectional: true, batchFirst: true }), [2, 4, 5], 4],
      [new tg.nn.LSTM(4, 6), [5, 3, 4], 1],
      [new tg.nn.LSTM(4, 6, { bias: false }), [1, 2, 4], 1],
    ];
    for (const [lstm, shape, n] of cases) {
      const bytes = await convert({ model: { forward: (x: tg.Tensor) => lstm.forward(x)[0] }, inputs: [tg.randn(shape)] });
      const { desc, fused } = fuseLstms(descFromModel(parseModel(bytes)));
      expect(fused).toBe(n);
      const x = randomData(shape.reduce((a, b) => a * b, 1), 3);
      const want = (await run(bytes, x)) as Float32Array, got = (await run(writeTflite(desc), x)) as Float32Array;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    }
  }, 60_000);

  it('float conversion with fuseLstm: one float LSTM computing what the steps compute', async () => {
    const bytes = new Uint8Array(readFileSync(ONNX_LSTM));
    const fused = await convert(bytes, { fuseLstm: true }), x = randomData(48, 4);
    expect(fused.report.opsAfter.UNIDIRECTIONAL_SEQUENCE_LSTM).toBe(1);
    const want = (await run(await convert(bytes), x)) as Float32Array, got = (await run(fused, x)) as Float32Array;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
  });

  it('leaves an LSTM with a dynamic batch as its steps (the states are of fixed size)', async () => {
    const bytes = await convert(new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/onnx-dynamic/lstm_batch.onnx'))));
    expect(fuseLstms(descFromModel(parseModel(bytes))).fused).toBe(0);
  });
});

describeWithShared('int8 LSTM from the quantizer in tfjs-tflite', ['tools/tflite-reference'], () => {
  let ref: Reference;
  beforeAll(async () => { ref = await openReference(join(tmpdir(), 'tglite-tflite-reference')); }, 900_000);

  it('every output element equals the lite runtime (the variants and the converted ONNX LSTM)', async () => {
    for (const [k, v] of VARIANTS.entries()) {
      const { int8, desc, test } = await make(v, k);
      const q = desc.tensors[desc.inputs[0] as number]!.quant!;
      const x = quantize(test, { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! });
      const ours = await run(int8, x);
      const theirs = (await ref.run('tfjs', int8, [{ b64: toB64(x) }]))[0]!.data;
      expect(Array.from(ours), v.name).toEqual(theirs);
    }
    const { int8, test } = await onnxLstm();
    const ours = await runInt8(int8, test), d = descFromModel(parseModel(int8));
    const iq = d.tensors[d.inputs[0] as number]!.quant!;
    const x = quantize(test, { scale: iq.scale[0]!, zeroPoint: iq.zeroPoint[0]! });
    expect(Array.from(ours.q), 'ONNX LSTM').toEqual((await ref.run('tfjs', int8, [{ b64: toB64(x) }]))[0]!.data);
    const bi = await bidirectional(), bq = descFromModel(parseModel(bi.int8)).tensors;
    const biq = bq[descFromModel(parseModel(bi.int8)).inputs[0] as number]!.quant!;
    const bx = quantize(bi.test, { scale: biq.scale[0]!, zeroPoint: biq.zeroPoint[0]! });
    expect(Array.from((await runInt8(bi.int8, bi.test)).q), '2 bidirectional layers').toEqual((await ref.run('tfjs', bi.int8, [{ b64: toB64(bx) }]))[0]!.data);
  }, 300_000);
});
