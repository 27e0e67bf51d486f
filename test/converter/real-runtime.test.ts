/**
 * Converted models in the real TFLite runtime (LiteRT.js and tfjs-tflite, from
 * ../shared/tools/tflite-reference): each file loads exactly as written (fix:false)
 * and gives the lite runtime's outputs to 1e-5. Runs where ../shared exists (CI).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { convert, type QuantizeMode } from '../../converter/index.js';
import { describeWithShared } from '../helpers/shared.js';
import { maxRelDiff, runLite } from './helpers.js';

const FIX = join(import.meta.dirname, '../fixtures/onnx');
const REF = join(tmpdir(), 'tglite-tflite-reference');

describeWithShared('converted models in the real TFLite runtime', ['tools/tflite-reference'], (shared) => {
  beforeAll(() => {
    if (existsSync(join(REF, 'www', 'bundle.js')) && existsSync(join(REF, 'node_modules', '@litertjs', 'core'))) return;
    cpSync(join(shared, 'tools/tflite-reference'), REF, { recursive: true });
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: REF, stdio: 'ignore', timeout: 600_000 });
    execFileSync('./build.sh', [], { cwd: REF, stdio: 'ignore', timeout: 300_000 });
  }, 900_000);

  const cases: [string, QuantizeMode][] = [];
  for (const m of ['mlp_opset17', 'cnn_opset17', 'encoder_opset17', 'lstm_opset17', 'gru_opset13']) for (const q of ['none', 'float16', 'dynamic'] as const) cases.push([m, q]);
  for (const [name, q] of cases) {
    it(`${name} (${q}): LiteRT.js and tfjs-tflite load it byte for byte and agree with the lite runtime`, async () => {
      const tfl = await convert(new Uint8Array(readFileSync(join(FIX, `${name}.onnx`))), { quantize: q });
      const dir = mkdtempSync(join(tmpdir(), 'tglite-real-'));
      const file = join(dir, 'model.tflite');
      writeFileSync(file, tfl);
      const { loadModel } = await import('../../lite-runtime/index.js');
      const model = await loadModel(tfl);
      const n = model.inputs[0].shape.reduce((a, b) => a * b, 1);
      model.dispose();
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
      const [ours] = await runLite(tfl, [x]);
      const out = execFileSync(process.execPath, ['check_tflite.mjs', file, JSON.stringify([{ data: Array.from(x) }]), '{"fix":false}'], { cwd: REF, encoding: 'utf8', timeout: 120_000 });
      const res = JSON.parse(out.slice(out.indexOf('{')));
      for (const rt of ['litert', 'tfjs']) {
        expect(res[rt]?.error, `${rt}: ${res[rt]?.error}`).toBeUndefined();
        const data = (res[rt].outputs ?? res[rt])[0].data as number[];
        expect(maxRelDiff(data, ours), rt).toBeLessThan(1e-5);
      }
    }, 180_000);
  }
});
