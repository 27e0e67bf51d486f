/**
 * int8 conversions of PyTorch-exported models with their SQNR reports: the committed fixtures
 * (MLP, CNN, LSTM, GRU, encoder block; opset 13 and 17) calibrated on seeded inputs, and, where
 * Debian's torch and torchvision are there, mobilenet_v2 and resnet18 (224x224, 4 calibration
 * samples). Where ../shared exists too, the torchvision int8 files run in LiteRT.js and
 * tfjs-tflite as written and give the lite runtime's outputs bit for bit.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { loadModel } from '../../lite-runtime/index.js';
import { HAS_TORCH, torchvisionOnnx } from '../../scripts/fixtures/torchvision-onnx.js';
import { HAS_SHARED } from '../helpers/shared.js';
import { randomData } from './helpers.js';

const FIX = join(import.meta.dirname, '../fixtures/onnx');

async function int8(bytes: Uint8Array, samples: number) {
  const fm = await loadModel(await convert(bytes));
  const specs = fm.inputs;
  fm.dispose();
  const calibration = Array.from({ length: samples }, (_, s) => specs.map((i) => randomData(i.shape.reduce((a, b) => a * b, 1), s + 1)));
  const t0 = performance.now();
  const q = await convert(bytes, { quantize: 'int8', calibration, ioDtype: 'int8' });
  return { q, ms: performance.now() - t0, specs };
}

function summary(name: string, q: Awaited<ReturnType<typeof convert>>, ms: number): string {
  const r = q.report;
  const outs = r.quantError.filter((e) => r.outputNames.some((n) => e.tensor === n || e.tensor.startsWith(`${n}_`)));
  return `${name} int8: ${(r.sizeAfter / 1024).toFixed(0)} KiB, ${ms.toFixed(0)} ms; output SQNR ${outs.map((e) => `${e.sqnrDb.toFixed(1)} dB`).join(', ')}; ` +
    `worst ${r.quantError.slice(0, 3).map((e) => `${e.node} ${e.op} ${e.sqnrDb.toFixed(1)} dB`).join(', ')}; ` +
    `float ops ${r.floatOps!.map((o) => o.op).join(', ') || 'none'}; keepFloat first: ${r.keepFloatCandidates!.slice(0, 2).map((c) => c.node).join(', ')}`;
}

describe('int8 conversions of PyTorch-exported models', { timeout: 600_000 }, () => {
  for (const f of readdirSync(FIX).filter((x) => x.endsWith('.onnx')).sort()) {
    it(`${f}: reports the SQNR of every tensor`, async () => {
      const { q, ms } = await int8(new Uint8Array(readFileSync(join(FIX, f))), 8);
      console.log(summary(f, q, ms));
      const errs = q.report.quantError;
      expect(errs.length).toBeGreaterThan(3);
      for (const e of errs) expect(Number.isNaN(e.sqnrDb)).toBe(false);
      const out = errs.find((e) => e.tensor === q.report.outputNames[0] || e.tensor.startsWith(`${q.report.outputNames[0]}_`));
      expect(out!.sqnrDb).toBeGreaterThan(15);
    });
  }

  describe.runIf(HAS_TORCH)('torchvision', () => {
    for (const name of ['mobilenet_v2', 'resnet18'] as const) {
      it(`${name}: int8 with an SQNR report${HAS_SHARED ? '; bit for bit in LiteRT.js and tfjs-tflite' : ''}`, async () => {
        const bytes = torchvisionOnnx(name);
        const { q, ms } = await int8(bytes, 4);
        console.log(summary(name, q, ms));
        expect(q.report.floatOps).toEqual([]);
        const out = q.report.quantError.find((e) => e.tensor === 'output' || e.tensor.startsWith('output_'));
        expect(out!.sqnrDb).toBeGreaterThan(15);
        expect(q.length / q.report.sizeBefore).toBeLessThan(0.3);
        if (!HAS_SHARED) return;
        const { openReference, toB64 } = await import('../../scripts/tflite-ref.js');
        const ref = await openReference(join(tmpdir(), 'tglite-tflite-reference'));
        const x = Int8Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 7919) % 256) - 128);
        const m = await loadModel(q);
        const [ours] = m.runSync([x]);
        m.dispose();
        for (const rt of ['litert', 'tfjs'] as const) {
          const [theirs] = await ref.run(rt, q, [{ b64: toB64(x) }], false);
          const diff = Array.from(ours.data as ArrayLike<number>, (v, i) => Number(v) - theirs.data[i]!).filter((d) => d !== 0).length;
          expect(diff, `${rt}: elements differing`).toBe(0);
        }
      });
    }
  });
});
