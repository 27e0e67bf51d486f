/**
 * int8 conversions of PyTorch-exported models with their SQNR reports: the committed fixtures
 * (MLP, CNN, LSTM, GRU, encoder block; opset 13 and 17) calibrated on seeded inputs, and, where
 * Debian's torch and torchvision are there, mobilenet_v2 and resnet18 (224x224, 4 calibration
 * samples). test/with-shared/torchvision-int8-real.test.ts runs those int8 files in the real
 * TFLite runtimes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { convert } from '../../converter/index.js';
import { HAS_TORCH, torchvisionOnnx } from '../../scripts/fixtures/torchvision-onnx.js';
import { convertInt8 as int8 } from './helpers.js';

const FIX = join(import.meta.dirname, '../fixtures/onnx');

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
      it(`${name}: int8 with an SQNR report`, async () => {
        const bytes = torchvisionOnnx(name);
        const { q, ms } = await int8(bytes, 4);
        console.log(summary(name, q, ms));
        expect(q.report.floatOps).toEqual([]);
        const out = q.report.quantError.find((e) => e.tensor === 'output' || e.tensor.startsWith('output_'));
        expect(out!.sqnrDb).toBeGreaterThan(15);
        expect(q.length / q.report.sizeBefore).toBeLessThan(0.3);
      });
    }
  });
});
