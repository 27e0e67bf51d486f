/**
 * torchvision mobilenet_v2 and resnet18 (Debian's torch), converted to int8 (4 calibration
 * samples), run in the real TFLite runtimes (LiteRT.js and tfjs-tflite, from the shared
 * folder) as written: every output equals the lite runtime's bit for bit.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../lite-runtime/index.js';
import { HAS_TORCH, torchvisionOnnx } from '../../scripts/fixtures/torchvision-onnx.js';
import { openReference, toB64 } from '../../scripts/tflite-ref.js';
import { convertInt8 } from '../converter/helpers.js';
import { describeWithShared } from '../helpers/shared.js';

describeWithShared('torchvision int8 files in the real TFLite runtimes', ['tools/tflite-reference'], () => {
  describe.runIf(HAS_TORCH)('torchvision', { timeout: 600_000 }, () => {
    for (const name of ['mobilenet_v2', 'resnet18'] as const) {
      it(`${name}: int8 equal bit for bit in LiteRT.js and tfjs-tflite`, async () => {
        const { q } = await convertInt8(torchvisionOnnx(name), 4);
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
