/**
 * torchvision mobilenet_v2 and resnet18 (random weights, ~14 MB and ~45 MB: never
 * committed). Generated into a temp cache by scripts/fixtures/torchvision-onnx.ts when
 * Debian's python3 with torch and torchvision is there; skipped with a message otherwise.
 * Checks: one TRANSPOSE in the whole model (at the NCHW input; none between convolutions),
 * and outputs equal to onnxruntime-node to 1e-4 relative.
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { parseModel } from '../../lite-runtime/index.js';
import { HAS_TORCH, torchvisionOnnx } from '../../scripts/fixtures/torchvision-onnx.js';
import { maxRelDiff, ortRun, randomData, runLite } from './helpers.js';

if (!HAS_TORCH) console.warn('skipped torchvision models: they need /usr/bin/python3 with torch, torchvision and onnx');

describe.runIf(HAS_TORCH)('torchvision models', { timeout: 600_000 }, () => {
  for (const name of ['mobilenet_v2', 'resnet18'] as const) {
    it(`${name}: NHWC with no transposes between convolutions, matches onnxruntime-node`, async () => {
      const bytes = torchvisionOnnx(name);
      const tfl = await convert(bytes);
      const ops = parseModel(tfl).subgraphs[0].operators.map((o) => o.name);
      expect(ops.filter((o) => o === 'TRANSPOSE')).toHaveLength(1);
      expect(ops[0]).toBe('TRANSPOSE');
      expect(ops.filter((o) => o === 'MUL')).toHaveLength(0); // batch norms folded
      const x = randomData(3 * 224 * 224, 11);
      const [want] = await ortRun(bytes, { input: { data: x, shape: [1, 3, 224, 224] } });
      const [got] = await runLite(tfl, [x]);
      expect(maxRelDiff(got, want)).toBeLessThan(1e-4);
    });
  }
});
