/**
 * Files with dynamic dims (shape_signature -1) in the real TFLite runtime (../shared:
 * LiteRT.js and tfjs-tflite). tfjs-tflite loads them as written; LiteRT.js's API cannot
 * feed a -1 input, so it gets the harness's patch (-1 -> 1 in signatures). Neither harness
 * resizes inputs, so another size is checked on a copy of the file whose input `shape` is
 * that size (the intermediates keep the example's shapes: the runtime prepares them again
 * from the input), against the lite runtime and onnxruntime-node.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { convert, descFromModel, writeTflite } from '../../converter/index.js';
import { loadModel, parseModel } from '../../lite-runtime/index.js';
import { openReference, toB64, type Reference, type RuntimeName } from '../../scripts/tflite-ref.js';
import { describeWithShared } from '../helpers/shared.js';
import { maxRelDiff, ortRun, randomData } from '../converter/helpers.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx-dynamic');

/**
 * The same file with input 0's `shape` set to `shape`. For LiteRT.js (which reads its I/O
 * buffers' types from the file and cannot feed -1) output 0's shape is set too and the
 * signatures dropped; the intermediates keep the example's shapes either way.
 */
function atSize(tfl: Uint8Array, shape: number[], outShape: number[], rt: RuntimeName): Uint8Array {
  const desc = descFromModel(parseModel(tfl));
  const [i0, o0] = [desc.inputs[0] as number, desc.outputs[0] as number];
  const tensors = desc.tensors.map((t, i) => {
    const u = i === i0 ? { ...t, shape } : rt === 'litert' && i === o0 ? { ...t, shape: outShape } : t;
    return rt === 'litert' ? { ...u, shapeSignature: undefined } : u;
  });
  return writeTflite({ ...desc, tensors });
}

describeWithShared('dynamic dims in the real TFLite runtime', ['tools/tflite-reference'], () => {
  let ref: Reference;
  beforeAll(async () => { ref = await openReference(join(tmpdir(), 'tglite-tflite-reference')); }, 900_000);

  const cases: [string, number[]][] = [['mlp_batch', [5, 20]], ['cnn_batch', [3, 3, 32, 32]], ['encoder_seq', [2, 7, 32]], ['encoder_batch_seq', [3, 6, 32]], ['lstm_batch', [3, 6, 8]], ['gru_batch', [4, 6, 8]]];
  for (const [name, other] of cases) {
    it(`${name}: tfjs-tflite loads the file as written; both runtimes agree with the lite runtime at the example size and at ${other.join('x')}`, async () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
      const tfl = await convert(bytes);
      const m = await loadModel(tfl, { backend: 'cpu' });
      try {
        const example = m.inputs[0].shape;
        for (const shape of [example, other]) {
          const x = randomData(shape.reduce((a, b) => a * b, 1), 5);
          const [ours] = await m.run([{ data: x, shape }]);
          const [want] = await ortRun(bytes, { input: { data: x, shape } });
          expect(maxRelDiff(ours.data as Float32Array, want)).toBeLessThan(1e-4);
          for (const rt of ['tfjs', 'litert'] as RuntimeName[]) {
            const file = shape === example ? tfl : atSize(tfl, shape, ours.shape, rt);
            const [theirs] = await ref.run(rt, file, [{ b64: toB64(x) }], rt === 'tfjs' ? false : {});
            expect(theirs.shape, `${rt} at ${shape}`).toEqual(ours.shape);
            expect(maxRelDiff(theirs.data, ours.data as Float32Array), `${rt} at ${shape}`).toBeLessThan(1e-5);
          }
        }
      } finally {
        m.dispose();
      }
    }, 180_000);
  }
});
