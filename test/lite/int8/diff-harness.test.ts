/**
 * The differential harness, small: a MobileNetV2-shaped int8 model (32x32, width 0.2, made by
 * scripts/mobilenet-int8.ts) cut after each of its 85 operators; every intermediate tensor must
 * equal LiteRT.js's, stored by `npx tsx scripts/diff-tflite.ts --fixture ...`. The full harness
 * (any model, several inputs, both real runtimes) is scripts/diff-tflite.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { descFromModel } from '../../../converter/tflite-writer/index.js';
import { loadModel, parseModel, type TypedArray } from '../../../lite-runtime/index.js';
import { cutAfter } from '../../../scripts/diff-tflite.js';

interface Fixture {
  model: string;
  inputs: string[];
  cuts: { op: number; name: string; outputs: { dtype: string; shape: number[]; data: string }[] }[];
}

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/mobilenet-cuts.json');
const fx = JSON.parse(fs.readFileSync(FILE, 'utf8')) as Fixture;
const raw = (b64: string): Uint8Array => new Uint8Array(inflateRawSync(Buffer.from(b64, 'base64')));
const model = raw(fx.model);
const def = parseModel(model);
const desc = descFromModel(def);
const inputs = fx.inputs.map((b, k) => {
  const u = raw(b), t = def.subgraphs[0]!.tensors[def.subgraphs[0]!.inputs[k]!]!;
  expect(t.dtype).toBe('int8');
  return new Int8Array(u.buffer, u.byteOffset, u.byteLength);
});

describe('differential harness: every intermediate of an int8 MobileNetV2 equals LiteRT.js', () => {
  it('covers the ops of the real model (PAD, CONV_2D, DEPTHWISE_CONV_2D, residual ADD, MEAN, FULLY_CONNECTED)', () => {
    const ops = new Set(fx.cuts.map((c) => c.name));
    for (const op of ['TRANSPOSE', 'PAD', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'MEAN', 'FULLY_CONNECTED']) expect(ops.has(op)).toBe(true);
    expect(fx.cuts.length).toBe(def.subgraphs[0]!.operators.length);
  });

  for (const cut of fx.cuts) {
    it(`#${cut.op} ${cut.name}`, async () => {
      const m = await loadModel(cutAfter(desc, cut.op));
      let got: { dtype: string; shape: number[]; data: TypedArray }[];
      try { got = m.runSync(inputs); } finally { m.dispose(); }
      expect(got.length).toBe(cut.outputs.length);
      cut.outputs.forEach((ref, k) => {
        expect(got[k]!.dtype).toBe(ref.dtype);
        expect(got[k]!.shape).toEqual(ref.shape);
        const u = raw(ref.data), want = new Int8Array(u.buffer, u.byteOffset, u.byteLength), y = got[k]!.data as Int8Array;
        let bad = 0, first = -1;
        for (let i = 0; i < want.length; i++) if (y[i] !== want[i]) { bad++; if (first < 0) first = i; }
        expect(bad, `${bad}/${want.length} elements differ, first [${first}]: ours ${y[first]}, LiteRT.js ${want[first]}`).toBe(0);
      });
    });
  }
});
