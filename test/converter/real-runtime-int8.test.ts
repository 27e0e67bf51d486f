/**
 * int8 models from the converter in the real TFLite runtime (LiteRT.js and tfjs-tflite, from
 * ../shared/tools/tflite-reference): each file loads exactly as written, and every tensor it
 * computes (the model rewritten by the writer so that all of them are outputs) equals the
 * lite runtime's bit for bit: the digits CNN trained with tglite (int8 and float32 I/O) and
 * the PyTorch-exported MLP, LSTM, GRU and CNN (int8 HARD_SWISH). Runs where ../shared exists (CI).
 * The encoder loads in both runtimes and stays within a few steps (a float RSQRT 1 ulp off
 * LiteRT.js; tfjs-tflite's int8 BATCH_MATMUL rounds otherwise); its first differing op is printed.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { convert, descFromModel, writeTflite } from '../../converter/index.js';
import { loadModel, parseModel } from '../../lite-runtime/index.js';
import { loadDigits, trainDigits } from '../../examples/train-digits.js';
import { makeInputs } from '../../scripts/diff-tflite.js';
import { openReference, toB64, type Reference } from '../../scripts/tflite-ref.js';
import { describeWithShared } from '../helpers/shared.js';
import { randomData, tg } from './helpers.js';

const FIX = join(import.meta.dirname, '../fixtures/onnx');

/** The model with every tensor an operator computes as an output (no signature). */
function allTensors(bytes: Uint8Array): { bytes: Uint8Array; names: string[]; ops: string[] } {
  const def = parseModel(bytes);
  const sg = def.subgraphs[0]!;
  const desc = descFromModel(def);
  const outs: number[] = [], ops: string[] = [];
  for (const op of sg.operators) for (const t of op.outputs) if (!outs.includes(t)) { outs.push(t); ops.push(op.name); }
  const { signatureDefs: _s, ...rest } = desc;
  return { bytes: writeTflite({ ...rest, outputs: outs }), names: outs.map((t) => sg.tensors[t]!.name), ops };
}

/** Per tensor: elements that differ between the lite runtime and `rt` (float32 compared as bits). */
async function compare(ref: Reference, rt: 'litert' | 'tfjs', bytes: Uint8Array, seed: number) {
  // the file as written loads in the real runtime
  const def = parseModel(bytes);
  const sg = def.subgraphs[0]!;
  const inputs = makeInputs(sg.tensors, sg.inputs, seed);
  await ref.run(rt, bytes, inputs.map((a) => ({ b64: toB64(a) })), false);
  const all = allTensors(bytes);
  const theirs = await ref.run(rt, all.bytes, inputs.map((a) => ({ b64: toB64(a) })), false);
  const m = await loadModel(all.bytes);
  const ours = m.runSync(inputs);
  m.dispose();
  return all.names.map((name, k) => {
    const a = ours[k]!.data, b = theirs[k]!.data;
    let bad = 0, maxErr = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(Number(a[i]) - b[i]!);
      if (!(Object.is(Number(a[i]), b[i]) || d === 0)) bad++;
      maxErr = Math.max(maxErr, d);
    }
    return { name, op: all.ops[k]!, n: a.length, bad: a.length === b.length ? bad : -1, maxErr, dtype: ours[k]!.dtype };
  });
}

describeWithShared('int8 models in the real TFLite runtime', ['tools/tflite-reference'], () => {
  let ref: Reference;
  beforeAll(async () => { ref = await openReference(join(tmpdir(), 'tglite-tflite-reference')); }, 900_000);

  const models: { name: string; exact: boolean; make: () => Promise<Uint8Array[]> }[] = [
    {
      name: 'digits CNN trained with tglite (int8 and float32 I/O)', exact: true,
      make: async () => {
        const data = loadDigits();
        const { model } = await trainDigits({ epochs: 1, checkpoint: null, progress: 'none', data });
        model.eval();
        const xs = data.images.data() as Float32Array;
        const calibration = Array.from({ length: 32 }, (_, i) => [xs.slice(i * 64, i * 64 + 64)]);
        const src = { model, inputs: [tg.narrow(data.images, 0, 0, 1)] };
        return [await convert(src, { quantize: 'int8', calibration, ioDtype: 'int8' }), await convert(src, { quantize: 'int8', calibration, ioDtype: 'float32' })];
      },
    },
    ...['mlp_opset17', 'lstm_opset17', 'gru_opset13', 'cnn_opset17', 'encoder_opset17'].map((m) => ({
      name: m, exact: !m.startsWith('encoder'),
      make: async () => {
        const bytes = new Uint8Array(readFileSync(join(FIX, `${m}.onnx`)));
        const fm = await loadModel(await convert(bytes));
        const specs = fm.inputs;
        fm.dispose();
        const calibration = Array.from({ length: 8 }, (_, s) => specs.map((i) => randomData(i.shape.reduce((a, b) => a * b, 1), s + 1)));
        return [await convert(bytes, { quantize: 'int8', calibration, ioDtype: 'int8' })];
      },
    })),
  ];
  for (const m of models) {
    it(`${m.name}: loads byte for byte; every tensor ${m.exact ? 'equals the lite runtime bit for bit' : 'within a few steps'}`, async () => {
      for (const bytes of await m.make()) {
        for (const rt of ['litert', 'tfjs'] as const) {
          const res = await compare(ref, rt, bytes, 1);
          const first = res.find((r) => r.bad !== 0);
          if (first) console.log(`${m.name} vs ${rt}: first difference at ${first.op} (${first.name}): ${first.bad}/${first.n} elements, max ${first.maxErr}`);
          if (m.exact) expect(res.filter((r) => r.bad !== 0).map((r) => `${r.op} ${r.name}: ${r.bad}/${r.n}`), rt).toEqual([]);
          else for (const r of res) if (r.dtype === 'int8') expect(r.maxErr, `${rt} ${r.op} ${r.name}`).toBeLessThanOrEqual(8);
        }
      }
    }, 300_000);
  }
});
