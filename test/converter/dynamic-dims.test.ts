/**
 * Dynamic dims: PyTorch models exported with `dynamic_axes` (test/fixtures/onnx-dynamic,
 * made by scripts/fixtures/onnx_dynamic.py) convert with the dim kept dynamic
 * (shape_signature -1 on inputs, outputs and intermediates) and run in the lite runtime at
 * the example size and other sizes, each matching onnxruntime-node to 1e-4; a dim the
 * model bakes in (a reshape of two entries that follow the size and are no dim of a tensor,
 * positions folded from the size, an LSTM unrolled over its steps) is a DynamicDimError
 * naming the input, the dim and the op.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert, DynamicDimError } from '../../converter/index.js';
import { InputError, loadModel, parseModel } from '../../lite-runtime/index.js';
import { maxRelDiff, ortRun, randomData, tg } from './helpers.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx-dynamic');
const onnx = (name: string) => new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Runs the converted model at each shape in turn (one loaded model: each new size re-prepares it) against onnxruntime-node. */
async function checkSizes(bytes: Uint8Array, tfl: Uint8Array, shapes: number[][]): Promise<void> {
  const m = await loadModel(tfl, { backend: 'cpu' });
  try {
    for (const [k, shape] of shapes.entries()) {
      const x = randomData(count(shape), 11 + k);
      const [want] = await ortRun(bytes, { input: { data: x, shape } });
      const [got] = await m.run([{ data: x, shape }]);
      expect(got.data.length, `${shape}`).toBe(want.length);
      expect(maxRelDiff(got.data as Float32Array, want), `at ${shape}`).toBeLessThan(1e-4);
      expect(m.inputs[0].shape).toEqual(shape);
    }
  } finally {
    m.dispose();
  }
}

/** Tensors of the file's subgraph 0 whose shape_signature has a -1, by role. */
function dynamicTensors(tfl: Uint8Array): { inputs: number; outputs: number; intermediates: number } {
  const sg = parseModel(tfl).subgraphs[0]!;
  const dyn = sg.tensors.map((t) => (t.shapeSignature ?? []).includes(-1));
  const io = new Set([...sg.inputs, ...sg.outputs]);
  return {
    inputs: sg.inputs.filter((i) => dyn[i]).length,
    outputs: sg.outputs.filter((i) => dyn[i]).length,
    intermediates: dyn.filter((d, i) => d && !io.has(i)).length,
  };
}

describe('dynamic dims kept dynamic (shape_signature -1), run at other sizes', { timeout: 120_000 }, () => {
  const cases: [string, number[], number[][]][] = [
    ['mlp_batch', [-1, 20], [[1, 20], [3, 20], [8, 20], [1, 20]]],
    ['cnn_batch', [-1, 3, 32, 32], [[1, 3, 32, 32], [2, 3, 32, 32], [5, 3, 32, 32]]],
    ['encoder_seq', [2, -1, 32], [[2, 1, 32], [2, 4, 32], [2, 9, 32], [2, 3, 32]]],
    // the attention's reshape to (seq, batch * heads, head_dim): -1 for one entry, seq read at run time (SHAPE)
    ['encoder_batch_seq', [-1, -1, 32], [[1, 1, 32], [2, 5, 32], [3, 7, 32], [1, 4, 32]]],
    // the initial states, folded to constants of the batch size, become [1, hidden] and broadcast
    ['lstm_batch', [-1, 6, 8], [[1, 6, 8], [3, 6, 8], [5, 6, 8]]],
    ['gru_batch', [-1, 6, 8], [[1, 6, 8], [4, 6, 8], [2, 6, 8]]],
  ];
  for (const [name, signature, shapes] of cases) {
    it(`${name}: input signature ${JSON.stringify(signature)}, matches onnxruntime-node at ${shapes.map((s) => s.join('x')).join(', ')}`, async () => {
      const bytes = onnx(name);
      const tfl = await convert(bytes);
      const m = await loadModel(tfl);
      expect(m.inputs[0].shapeSignature).toEqual(signature);
      expect(m.inputs[0].shape).toEqual(signature.map((d) => (d === -1 ? 1 : d)));
      expect(m.outputs[0].shapeSignature).toContain(-1);
      m.dispose();
      const dyn = dynamicTensors(tfl);
      expect(dyn.inputs).toBe(1);
      expect(dyn.outputs).toBe(1);
      expect(dyn.intermediates).toBeGreaterThan(2);
      expect(tfl.report.warnings.join('\n')).toMatch(/input 'input' dim \d '(batch|seq)' is dynamic/);
      await checkSizes(bytes, tfl, shapes);
      if (name === 'encoder_batch_seq') expect(tfl.report.opsAfter.SHAPE).toBeGreaterThan(0);
    });
  }

  it('a size that differs in a static dim is a typed InputError', async () => {
    const m = await loadModel(await convert(onnx('mlp_batch')));
    try {
      await expect(m.run([{ data: new Float32Array(42), shape: [2, 21] }])).rejects.toBeInstanceOf(InputError);
      await expect(m.run([{ data: new Float32Array(42), shape: [2, 21] }])).rejects.toThrow(/shape \[2, 21\] does not match \[-1, 20\]/);
    } finally {
      m.dispose();
    }
  });

  it('float16 and dynamic quantization keep the dim dynamic', async () => {
    const bytes = onnx('mlp_batch');
    for (const quantize of ['float16', 'dynamic'] as const) {
      const tfl = await convert(bytes, { quantize });
      const x = randomData(6 * 20, 3);
      const [want] = await ortRun(bytes, { input: { data: x, shape: [6, 20] } });
      const m = await loadModel(tfl);
      const [got] = await m.run([{ data: x, shape: [6, 20] }]);
      m.dispose();
      expect(got.shape).toEqual([6, 5]);
      expect(maxRelDiff(got.data as Float32Array, want), quantize).toBeLessThan(quantize === 'float16' ? 1e-2 : 0.1);
    }
  });
});

describe('a tg.nn module converted with dynamicAxes', { timeout: 120_000 }, () => {
  it('a CNN whose flatten reads x.shape[0]: batch kept dynamic, equal to eager to 1e-5 at batch 1, 3 and 6', async () => {
    tg.manualSeed(3);
    const features = new tg.nn.Sequential(new tg.nn.Conv2d(1, 4, 3, { padding: 1 }), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2));
    const head = new tg.nn.Linear(4 * 4 * 4, 5);
    const forward = (x: tg.Tensor) => head.forward(features.forward(x).reshape([x.shape[0], 4 * 4 * 4]));
    const tfl = await convert({ model: forward, inputs: [tg.randn([2, 1, 8, 8])], inputNames: ['x'], dynamicAxes: { x: [0] } });
    const m = await loadModel(tfl, { backend: 'cpu' });
    try {
      expect(m.inputs[0].shapeSignature).toEqual([-1, 1, 8, 8]);
      for (const n of [1, 3, 6]) {
        const x = tg.tensor(randomData(n * 64, n), { shape: [n, 1, 8, 8] });
        const [got] = await m.run([{ data: x.data() as Float32Array, shape: [n, 1, 8, 8] }]);
        expect(got.shape).toEqual([n, 5]);
        expect(maxRelDiff(got.data as Float32Array, forward(x).data() as Float32Array), `batch ${n}`).toBeLessThan(1e-5);
      }
    } finally {
      m.dispose();
    }
  });
});

describe('int8 with a dynamic batch', { timeout: 120_000 }, () => {
  for (const [name, row] of [['mlp_batch', [20]], ['cnn_batch', [3, 32, 32]]] as const) {
    for (const ioDtype of ['float32', 'int8'] as const) {
      it(`${name} (io ${ioDtype}): signatures kept through QUANTIZE/DEQUANTIZE; each row of a batch of 5 equals that row run alone`, async () => {
        const n = count(row);
        const calibration = [0, 1, 2, 3].map((s) => [randomData(n, s + 1)]);
        const tfl = await convert(onnx(name), { quantize: 'int8', calibration, ioDtype });
        const m = await loadModel(tfl, { backend: 'cpu' });
        try {
          expect(m.inputs[0].shapeSignature).toEqual([-1, ...row]);
          expect(m.outputs[0].shapeSignature?.[0]).toBe(-1);
          const x = ioDtype === 'int8' ? Int8Array.from(randomData(5 * n, 21), (v) => Math.round(v * 127)) : randomData(5 * n, 21);
          const [all] = await m.run([{ data: x, shape: [5, ...row] }]);
          expect(all.shape[0]).toBe(5);
          const per = all.data.length / 5;
          for (let r = 0; r < 5; r++) {
            const [one] = await m.run([{ data: x.slice(r * n, (r + 1) * n), shape: [1, ...row] }]);
            expect(Array.from(one.data as ArrayLike<number>), `row ${r}`).toEqual(Array.from(all.data.slice(r * per, (r + 1) * per) as ArrayLike<number>));
          }
        } finally {
          m.dispose();
        }
      });
    }
  }
});

describe('int8 calibrated at another size of a dynamic dim', { timeout: 120_000 }, () => {
  it('encoder_seq: samples given as { data, shape } at seq 8 calibrate it; the int8 model is close to onnxruntime-node at seq 8', async () => {
    const bytes = onnx('encoder_seq');
    const calibration = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => [{ data: randomData(2 * 8 * 32, s), shape: [2, 8, 32] }]);
    const tfl = await convert(bytes, { quantize: 'int8', calibration });
    const x = randomData(2 * 8 * 32, 3);
    const m = await loadModel(tfl, { backend: 'cpu' });
    const [got] = await m.run([{ data: x, shape: [2, 8, 32] }]);
    m.dispose();
    const [want] = await ortRun(bytes, { input: { data: x, shape: [2, 8, 32] } });
    expect(maxRelDiff(got.data as Float32Array, want)).toBeLessThan(0.1);
    // a static dim still has to match
    const bad = [[{ data: randomData(3 * 8 * 32, 1), shape: [3, 8, 32] }]];
    await expect(convert(bytes, { quantize: 'int8', calibration: bad })).rejects.toThrow(/shape \[3, 8, 32\] does not match the model's input shape \[2, -1, 32\]/);
  });
});

describe('dynamic dims that cannot stay dynamic', { timeout: 120_000 }, () => {
  const refused: [string, RegExp][] = [
    // x.reshape(batch * 2, seq * 16): two entries follow the size, neither is a dim of a tensor: only one can be -1
    ['fold_batch_seq', /input 'input' dim 0 \('batch'\) and input 'input' dim 1 \('seq'\) cannot stay dynamic: RESHAPE_0 takes a shape computed from the size in 2 entries \(0, 1\); 2 of them are no dim of a tensor at run time/],
    // positions = arange(seq) fold to a constant the size of the example
    ['posenc_seq', /input 'input' dim 1 \('seq'\) cannot stay dynamic: ADD_\d+ reads constant '[^']+', computed from the size at conversion/],
    // the LSTM is unrolled over its time steps
    ['lstm_seq', /input 'input' dim 1 \('seq'\) cannot stay dynamic: the graph changes with the size from \w+_\d+ on/],
  ];
  for (const [name, msg] of refused) {
    it(`${name}: DynamicDimError naming the input, the dim and the op; inputShapes fixes it`, async () => {
      const bytes = onnx(name);
      const e = await convert(bytes).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DynamicDimError);
      expect((e as DynamicDimError).code).toBe('dynamic-dim');
      expect((e as Error).message).toMatch(msg);
      expect((e as Error).message).toMatch(/give inputShapes \(CLI: --input-shape\)/);
      expect((e as DynamicDimError).dims).toContainEqual({ input: 'input', dim: 1, param: 'seq' });
      // fixed by inputShapes: a static model, right at that size
      const shape = name === 'lstm_seq' ? [1, 6, 8] : name === 'posenc_seq' ? [1, 5, 16] : [3, 5, 32];
      const tfl = await convert(bytes, { inputShapes: { input: shape } });
      expect(dynamicTensors(tfl)).toEqual({ inputs: 0, outputs: 0, intermediates: 0 });
      await checkSizes(bytes, tfl, [shape]);
    });
  }

  it('cnn_hw: dynamic height and width that do not fit the pools at the example size 1 are a DynamicDimError saying so', async () => {
    const bytes = onnx('cnn_hw');
    for (const inputShapes of [undefined, { input: [1, 3, -1, -1] }]) {
      const e = await convert(bytes, inputShapes ? { inputShapes } : {}).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DynamicDimError);
      expect((e as Error).message).toMatch(/^input 'input' dim 2 \('h'\), input 'input' dim 3 \('w'\) left dynamic: at the example size 1 the conversion fails \(.*AveragePool.*\), at 7 it does not; give inputShapes/);
    }
    const tfl = await convert(bytes, { inputShapes: { input: [1, 3, 24, 40] } });
    await checkSizes(bytes, tfl, [[1, 3, 24, 40]]);
  });

  it('encoder_batch_seq with the batch fixed and seq left -1 keeps seq dynamic', async () => {
    const bytes = onnx('encoder_batch_seq');
    const tfl = await convert(bytes, { inputShapes: { input: [3, -1, 32] } });
    const m = await loadModel(tfl);
    expect(m.inputs[0].shapeSignature).toEqual([3, -1, 32]);
    m.dispose();
    await checkSizes(bytes, tfl, [[3, 1, 32], [3, 6, 32], [3, 2, 32]]);
  });

  it('tglite convert: non-zero exit, a one-line error naming the dim, no output file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tglite-dyn-'));
    const out = join(dir, 'posenc.tflite');
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/index.ts', ...args], { encoding: 'utf8' });
    const r = cli('convert', join(DIR, 'posenc_seq.onnx'), '-o', out);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/DynamicDimError.*input 'input' dim 1 \('seq'\) cannot stay dynamic.*--input-shape/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    const ok = cli('convert', join(DIR, 'posenc_seq.onnx'), '-o', out, '--input-shape', 'input=1x5x16');
    expect(ok.status, ok.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['posenc.tflite']);
    // -1 keeps a dim dynamic while the others are fixed
    const enc = join(dir, 'enc.tflite');
    const dyn = cli('convert', join(DIR, 'encoder_batch_seq.onnx'), '-o', enc, '--input-shape', 'input=3x-1x32');
    expect(dyn.status, dyn.stderr).toBe(0);
    expect(dyn.stdout).toMatch(/note: input 'input' dim 1 'seq' is dynamic/);
    const sg = parseModel(new Uint8Array(readFileSync(enc))).subgraphs[0]!;
    expect(sg.tensors[sg.inputs[0]!]!.shapeSignature).toEqual([3, -1, 32]);
  });
});
