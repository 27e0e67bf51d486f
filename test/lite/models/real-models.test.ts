/**
 * The real models (TensorFlow Lite Micro examples) against the real TFLite runtime's
 * outputs (fixtures from scripts/fixtures/tflite-models.mjs): float within 1e-5,
 * int8/int16/int32 within 1 quantization step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelBackend, setKernelBackend } from '../../../lite-runtime/kernels/index.js';
import { loadModel, parseModel, type OutputTensor } from '../../../lite-runtime/index.js';
import { FbReader } from '../../../lite-runtime/format/reader.js';
import { ModelField, SubGraphField } from '../../../lite-runtime/format/schema.js';
import { MODEL_FILES, decode, loadFixture, maxAbsDiff, modelBytes, nums, readBmpGray, type FixtureTensor } from './shared.js';

function expectClose(got: OutputTensor, want: FixtureTensor, what: string): void {
  expect(got.dtype, what).toBe(want.dtype);
  expect(got.shape, what).toEqual(want.shape);
  const g = Array.from(got.data as ArrayLike<number>);
  const d = maxAbsDiff(g, want.data!);
  if (want.dtype === 'float32') {
    const scale = Math.max(1, ...want.data!.map(Math.abs));
    expect(d, `${what}: got ${g.slice(0, 8)} want ${want.data!.slice(0, 8)}`).toBeLessThanOrEqual(1e-5 * scale);
  } else {
    expect(d, `${what}: got ${g.slice(0, 8)} want ${want.data!.slice(0, 8)}`).toBeLessThanOrEqual(1);
  }
}

/** A copy of `bytes` whose subgraph 0 output 0 is tensor `t` (as the fixture script's probes). */
function withOutput(bytes: Uint8Array, t: number): Uint8Array {
  const copy = bytes.slice();
  const r = new FbReader(copy);
  const sg = r.root('Model').tables(ModelField.subgraphs, (i) => `subgraph ${i}`)[0]!;
  const v = sg.vector(SubGraphField.outputs, 4)!;
  new DataView(copy.buffer).setInt32(v.start, t, true);
  return copy;
}

async function checkCases(file: string): Promise<void> {
  const fx = loadFixture(file);
  const model = await loadModel(modelBytes(file));
  for (const c of fx.cases) {
    if (!fx.sequence) model.resetState();
    const out = await model.run(c.inputs.map(decode));
    expect(out.length).toBe(c.outputs.length);
    out.forEach((o, k) => expectClose(o, c.outputs[k]!, `${file} ${c.name} output ${k}`));
  }
  model.dispose();
}

describe('real models on the pure TypeScript kernels match too', () => {
  let before: ReturnType<typeof kernelBackend>;
  beforeAll(() => {
    before = kernelBackend();
    setKernelBackend('js');
  });
  afterAll(() => setKernelBackend(before));
  for (const file of MODEL_FILES) it(file, () => checkCases(file));
});

describe('real models match the real TFLite runtime', () => {
  it('kernels: WASM when the platform has it', () => {
    expect(kernelBackend()).toBe(typeof WebAssembly === 'object' ? 'wasm' : 'js');
  });

  for (const file of MODEL_FILES) it(file, () => checkCases(file));

  for (const file of ['hello_world_float.tflite', 'hello_world_int8.tflite']) {
    it(`${file}: all cases in one dynamic batch give the same outputs`, async () => {
      const fx = loadFixture(file);
      const model = await loadModel(modelBytes(file));
      const xs = fx.cases.map((c) => decode(c.inputs[0]!));
      const batch = xs[0] instanceof Int8Array ? new Int8Array(xs.length) : new Float32Array(xs.length);
      xs.forEach((x, i) => { batch[i] = x[0] as number; });
      const [out] = await model.run([{ data: batch, shape: [xs.length, 1] }]);
      expect(out!.shape).toEqual([xs.length, 1]);
      const want = fx.cases.map((c) => c.outputs[0]!.data![0]!);
      expect(maxAbsDiff(nums(out!), want)).toBeLessThanOrEqual(out!.dtype === 'float32' ? 1e-5 : 1);
    });
  }

  it('keyword_scrambled: inner tensors (QUANTIZE, SVDF with state, FULLY_CONNECTED) over a sequence', async () => {
    const file = 'keyword_scrambled.tflite';
    const fx = loadFixture(file);
    expect(fx.sequence).toBe(true);
    for (const p of fx.probes!) {
      const model = await loadModel(withOutput(modelBytes(file), p.tensor));
      for (const [k, c] of fx.cases.entries()) {
        const [o] = await model.run(c.inputs.map(decode));
        expectClose(o!, p.outputs[k]!, `tensor ${p.tensor} step ${k}`);
      }
    }
  });

  it('keyword_scrambled: state carries across runs and resetState starts over', async () => {
    const fx = loadFixture('keyword_scrambled.tflite');
    const probe = fx.probes!.find((p) => p.tensor === 37)!; // an SVDF output deep in the stack
    const model = await loadModel(withOutput(modelBytes('keyword_scrambled.tflite'), probe.tensor));
    const first = fx.cases[0]!.inputs.map(decode);
    const later = fx.cases[1]!.inputs.map(decode);
    const [a] = await model.run(first);
    const [b] = await model.run(later);
    expectClose(a!, probe.outputs[0]!, 'step 0');
    expectClose(b!, probe.outputs[1]!, 'step 1');
    model.resetState();
    const [c] = await model.run(later);
    const fresh = await loadModel(withOutput(modelBytes('keyword_scrambled.tflite'), probe.tensor));
    const [d] = await fresh.run(later);
    expect(nums(c!)).toEqual(nums(d!));
    const [e] = await model.run(later); // same input, carried state: a different result
    expect(nums(e!)).not.toEqual(nums(c!));
    expect(model.memory.stateBytes).toBe(10240);
  });

  it('person_detect: person.bmp scores person above no_person, no_person.bmp the reverse', async () => {
    const model = await loadModel(modelBytes('person_detect.tflite'));
    const fx = loadFixture('person_detect.tflite');
    for (const [img, personWins] of [['person.bmp', true], ['no_person.bmp', false]] as const) {
      const { gray, width, height } = readBmpGray(modelBytes(img));
      expect([width, height]).toEqual([96, 96]);
      const input = new Int8Array(gray.buffer, gray.byteOffset, gray.byteLength);
      expect(Array.from(input)).toEqual(Array.from(decode(fx.cases.find((c) => c.name === img)!.inputs[0]!) as Int8Array));
      const [scores] = await model.run({ input }, { dequantize: true });
      const [noPerson, person] = scores!.data as Float32Array;
      expect(person! > noPerson!, `${img}: person ${person} vs no_person ${noPerson}`).toBe(personWins);
    }
  });

  it('reports memory: arena planned below the sum of activations, weights counted', async () => {
    const bytes = modelBytes('person_detect.tflite');
    const model = await loadModel(bytes);
    const def = parseModel(bytes);
    const sg = def.subgraphs[0]!;
    const sum = sg.tensors.filter((t) => !t.data).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(model.memory.constBytes).toBe(def.constBytes);
    expect(model.memory.arenaBytes).toBeGreaterThan(0);
    expect(model.memory.arenaBytes).toBeLessThan(sum / 2);
  });

  it('holds at most 1.5x the weights of the file, tiny layers too (hello_world_int8: 1x16, 16x16, 16x1)', async () => {
    for (const file of ['hello_world_int8.tflite', 'micro_speech_quantized.tflite', 'person_detect.tflite']) {
      const model = await loadModel(modelBytes(file));
      expect(model.memory.packedBytes, file).toBeLessThanOrEqual(1.5 * model.memory.constBytes);
      model.dispose();
    }
  });
});
