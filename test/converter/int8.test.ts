/**
 * Full int8 quantization: the API's calibration forms and typed errors (missing data,
 * mismatched shapes, unknown keepFloat names), TFLite's output conventions (fixed ranges,
 * shared quantization), keepFloat, and the CLI reading calibration files (.json, .npy,
 * .npz, .safetensors, a directory) with no partial output on failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CalibrationError, ConvertError, convert } from '../../converter/index.js';
import { loadModel, parseModel } from '../../lite-runtime/index.js';
import { saveBytes } from '../../training/checkpoint.js';
import { randomData, tg } from './helpers.js';
import { parseNpz, readCalibration } from '../../cli/calibration.js';
import { exportModel } from '../../training/onnx/export.js';

const FIX = join(import.meta.dirname, '../fixtures/onnx');
const mlp = () => new Uint8Array(readFileSync(join(FIX, 'mlp_opset17.onnx')));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/index.ts', ...args], { encoding: 'utf8' });

/** Two .tflite files with equal tensors (dtype, shape, quantization, data) and operators, names aside. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  const [x, y] = [parseModel(a).subgraphs[0], parseModel(b).subgraphs[0]];
  const key = (sg: typeof x) => JSON.stringify({
    t: sg.tensors.map((t) => [t.dtype, t.shape, t.quant && [Array.from(t.quant.scale), Array.from(t.quant.zeroPoint, Number)], t.data && Array.from(t.data as ArrayLike<number>, Number)]),
    o: sg.operators.map((o) => [o.name, o.inputs, o.outputs]),
  });
  return key(x) === key(y);
}

async function inputOf(bytes: Uint8Array) {
  const m = await loadModel(await convert(bytes));
  const i = m.inputs[0];
  m.dispose();
  return i;
}

/** A small traced model: conv -> sigmoid -> maxpool -> tanh -> reshape -> linear -> softmax. */
class Small extends tg.nn.Module {
  conv = new tg.nn.Conv2d(2, 4, 3, { padding: 1 });
  fc = new tg.nn.Linear(4 * 2 * 2, 3);
  forward(x: tg.Tensor): tg.Tensor {
    const h = tg.nn.functional.maxPool2d(this.conv.forward(x).sigmoid(), 2).tanh();
    return tg.nn.functional.softmax(this.fc.forward(h.reshape([1, 16])), 1);
  }
}

function npy(data: Float32Array, shape: number[]): Uint8Array {
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  const head = new Uint8Array(10 + h.length);
  head.set([0x93, ...Buffer.from('NUMPY'), 1, 0, h.length & 255, h.length >> 8]);
  head.set(Buffer.from(h), 10);
  const out = new Uint8Array(head.length + data.byteLength);
  out.set(head);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), head.length);
  return out;
}

/** A zip of named .npy members (deflated), as numpy's savez_compressed writes. */
function npz(members: Record<string, Uint8Array>): Uint8Array {
  const locals: Buffer[] = [], central: Buffer[] = [];
  let off = 0;
  for (const [name, raw] of Object.entries(members)) {
    const n = Buffer.from(`${name}.npy`), comp = deflateRawSync(raw);
    const l = Buffer.alloc(30); l.writeUInt32LE(0x04034b50, 0); l.writeUInt16LE(8, 8); l.writeUInt32LE(comp.length, 18); l.writeUInt32LE(raw.length, 22); l.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46); c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(8, 10); c.writeUInt32LE(comp.length, 20); c.writeUInt32LE(raw.length, 24); c.writeUInt16LE(n.length, 28); c.writeUInt32LE(off, 42);
    locals.push(l, n, comp); central.push(c, n);
    off += 30 + n.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const e = Buffer.alloc(22); e.writeUInt32LE(0x06054b50, 0); e.writeUInt16LE(Object.keys(members).length, 8); e.writeUInt16LE(Object.keys(members).length, 10); e.writeUInt32LE(cd.length, 12); e.writeUInt32LE(off, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, e]));
}

describe('int8 quantization', { timeout: 120_000 }, () => {
  it('missing or empty calibration, mismatched shapes and unknown inputs are CalibrationErrors', async () => {
    const bytes = mlp();
    const inp = await inputOf(bytes);
    const n = inp.shape.reduce((a, b) => a * b, 1);
    await expect(convert(bytes, { quantize: 'int8' })).rejects.toBeInstanceOf(CalibrationError);
    await expect(convert(bytes, { quantize: 'int8', calibration: [] })).rejects.toThrow(/no input sets/);
    await expect(convert(bytes, { quantize: 'int8', calibration: [[new Float32Array(n + 1)]] })).rejects.toThrow(/sample 0, input '.*': \d+ values/);
    await expect(convert(bytes, { quantize: 'int8', calibration: [[{ data: new Float32Array(n), shape: [n] }]] })).rejects.toThrow(/shape \[\d+\] does not match/);
    await expect(convert(bytes, { quantize: 'int8', calibration: [{ nope: new Float32Array(n) }] })).rejects.toThrow(/unknown input 'nope'/);
    const e = await convert(bytes, { quantize: 'int8', calibration: [[new Float32Array(n)], [new Float32Array(3)]] }).catch((x) => x);
    expect(e).toBeInstanceOf(CalibrationError);
    expect(e.code).toBe('calibration');
    expect(e.message).toMatch(/sample 1/);
    await expect(convert(bytes, { quantize: 'int8', calibration: [[new Float32Array(n)]], keepFloat: ['no_such_op'] })).rejects.toBeInstanceOf(ConvertError);
  });

  it('accepts arrays, records, bare arrays, tensors and async iterables', async () => {
    const bytes = mlp();
    const inp = await inputOf(bytes);
    const n = inp.shape.reduce((a, b) => a * b, 1);
    async function* gen() { for (let s = 0; s < 4; s++) yield { [inp.name]: randomData(n, s + 1) }; }
    const a = await convert(bytes, { quantize: 'int8', calibration: gen() });
    const b = await convert(bytes, { quantize: 'int8', calibration: [0, 1, 2, 3].map((s) => [randomData(n, s + 1)]) });
    const c = await convert(bytes, { quantize: 'int8', calibration: [0, 1, 2, 3].map((s) => randomData(n, s + 1)) });
    const d = await convert(bytes, { quantize: 'int8', calibration: [0, 1, 2, 3].map((s) => [tg.tensor(randomData(n, s + 1), { shape: inp.shape })]) });
    expect(same(b, a)).toBe(true);
    expect(same(c, a)).toBe(true);
    expect(same(d, a)).toBe(true);
  });

  it("follows TFLite's output conventions; keepFloat wraps a node in DEQUANTIZE/QUANTIZE", async () => {
    tg.manualSeed(3);
    const model = new Small();
    model.eval();
    const x = tg.randn([1, 2, 4, 4]);
    const calibration = [0, 1, 2, 3, 4, 5].map((s) => [randomData(32, s + 7)]);
    const onnx = exportModel(model as never, [x]);
    const q = await convert(onnx, { quantize: 'int8', calibration, ioDtype: 'int8' });
    const sg = parseModel(q).subgraphs[0];
    const outOf = (op: string) => sg.tensors[sg.operators.find((o) => o.name === op)!.outputs[0]];
    const inOf = (op: string) => sg.tensors[sg.operators.find((o) => o.name === op)!.inputs[0]];
    const qp = (t: { quant?: { scale: ArrayLike<number>; zeroPoint: ArrayLike<number> } | null }) => [t.quant!.scale[0], Number(t.quant!.zeroPoint[0])];
    expect(qp(outOf('LOGISTIC'))).toEqual([1 / 256, -128]);
    expect(qp(outOf('TANH'))).toEqual([1 / 128, 0]);
    expect(qp(outOf('SOFTMAX'))).toEqual([1 / 256, -128]);
    expect(qp(outOf('MAX_POOL_2D'))).toEqual(qp(inOf('MAX_POOL_2D')));
    expect(qp(outOf('RESHAPE'))).toEqual(qp(inOf('RESHAPE')));
    const conv = sg.operators.find((o) => o.name === 'CONV_2D')!;
    const [w, bias] = [sg.tensors[conv.inputs[1]], sg.tensors[conv.inputs[2]]];
    expect(w.dtype).toBe('int8');
    expect(w.quant!.scale.length).toBe(4);
    expect(Array.from(w.quant!.zeroPoint, Number)).toEqual([0, 0, 0, 0]);
    expect(bias.dtype).toBe('int32');
    const xs = sg.tensors[conv.inputs[0]].quant!.scale[0];
    for (let c = 0; c < 4; c++) expect(bias.quant!.scale[c]).toBe(Math.fround(xs * w.quant!.scale[c]));
    expect(sg.tensors.filter((t) => t.dtype === 'float32')).toEqual([]);
    // the report: every tensor, worst first, and candidates
    expect(q.report.quantError.map((e) => e.op)).toContain('CONV_2D');
    // keep the worst candidate float
    const node = q.report.keepFloatCandidates![0].node;
    const k = await convert(onnx, { quantize: 'int8', calibration, ioDtype: 'int8', keepFloat: [node] });
    expect(k.report.floatOps).toEqual([expect.objectContaining({ node, reason: 'keepFloat' })]);
    expect(k.report.opsAfter.DEQUANTIZE).toBeGreaterThan(0);
    expect(k.report.opsAfter.QUANTIZE).toBeGreaterThan(0);
    const m = await loadModel(k);
    expect(m.inputs[0].dtype).toBe('int8');
    m.runSync([randomData(32, 1)]);
    m.dispose();
  });

  it('CLI: --calibration .json/.npy/.npz/.safetensors/DIR give the same file; bad data: one-line error, no output', async () => {
    const bytes = mlp();
    const inp = await inputOf(bytes);
    const n = inp.shape.reduce((a, b) => a * b, 1);
    const samples = [0, 1, 2, 3].map((s) => randomData(n, s + 1));
    const stacked = new Float32Array(4 * n);
    const shape = [4 * inp.shape[0], ...inp.shape.slice(1)];
    samples.forEach((s, k) => stacked.set(s, k * n));
    const dir = mkdtempSync(join(tmpdir(), 'tglite-calib-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(samples.map((s) => [Array.from(s)])));
    writeFileSync(join(dir, 'c.npy'), npy(stacked, shape));
    writeFileSync(join(dir, 'c.npz'), npz({ [inp.name]: npy(stacked, shape) }));
    expect(parseNpz(new Uint8Array(readFileSync(join(dir, 'c.npz'))), 'c.npz')[inp.name].shape).toEqual(shape);
    writeFileSync(join(dir, 'c.safetensors'), saveBytes({ [inp.name]: tg.tensor(stacked, { shape: shape }) }));
    mkdirSync(join(dir, 'd'));
    samples.forEach((s, k) => writeFileSync(join(dir, 'd', `s${k}.npy`), npy(s, inp.shape)));
    const want = await convert(bytes, { quantize: 'int8', calibration: samples.map((s) => [s]) });
    for (const src of ['c.json', 'c.npy', 'c.safetensors', 'd']) {
      const sets = await readCalibration(join(dir, src), [{ name: inp.name, shape: inp.shape }]);
      expect(same(await convert(bytes, { quantize: 'int8', calibration: sets }), want), src).toBe(true);
    }
    const out = join(dir, 'c.npz.tflite');
    const r = run('convert', join(FIX, 'mlp_opset17.onnx'), '-o', out, '--quantize', 'int8', '--calibration', join(dir, 'c.npz'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/worst SQNR/);
    expect(same(new Uint8Array(readFileSync(out)), want)).toBe(true);
    // errors: missing calibration, wrong shape
    writeFileSync(join(dir, 'bad.npy'), npy(new Float32Array(7), [7]));
    const before = readdirSync(dir).sort();
    await expect(readCalibration(join(dir, 'none.npz'), [{ name: inp.name, shape: inp.shape }])).rejects.toBeInstanceOf(CalibrationError);
    for (const args of [[], ['--calibration', join(dir, 'bad.npy')]]) {
      const r = run('convert', join(FIX, 'mlp_opset17.onnx'), '-o', join(dir, 'x.tflite'), '--quantize', 'int8', ...args);
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/CalibrationError|calibration/);
      expect(existsSync(join(dir, 'x.tflite'))).toBe(false);
    }
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
