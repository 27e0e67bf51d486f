/**
 * Ties the writer to the real TFLite runtime and to real models:
 * - every op-conformance model (test/fixtures/lite/conformance, written by this writer
 *   and run by LiteRT.js / tfjs-tflite when the fixtures were generated) is a fixed
 *   point: write(descFromModel(parse(bytes))) reproduces the very bytes the real
 *   runtime loaded;
 * - the real models of test/fixtures/tflite-micro survive read -> describe -> write -> read
 *   with the same tensors, data, quantization, operators and options.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModel } from '../../../lite-runtime/format/model.js';
import { descFromModel, writeTflite } from '../../../converter/tflite-writer/index.js';
import { loadFixtures } from '../../lite/conformance/run-case.js';
import { MODELS_DIR as MODELS } from '../../helpers/paths.js';

describe('conformance models: the writer reproduces the bytes the real runtime ran', () => {
  const fixtures = loadFixtures();
  it('has fixtures', () => expect(fixtures.reduce((a, f) => a + f.cases.length, 0)).toBeGreaterThan(200));
  for (const f of fixtures) {
    it(f.op, () => {
      for (const c of f.cases) {
        const bytes = new Uint8Array(Buffer.from(c.model, 'base64'));
        const again = writeTflite(descFromModel(parseModel(bytes)));
        expect(Buffer.from(again).equals(Buffer.from(bytes)), c.name).toBe(true);
      }
    });
  }
});

describe('real models: read -> describe -> write -> read keeps the model', () => {
  const files = fs.readdirSync(MODELS).filter((f) => f.endsWith('.tflite'));
  it('finds the real models', () => expect(files.length).toBeGreaterThanOrEqual(5));
  for (const f of files) {
    it(f, () => {
      const orig = parseModel(new Uint8Array(fs.readFileSync(path.join(MODELS, f))));
      const desc = descFromModel(orig);
      const back = parseModel(writeTflite(desc));
      expect(back.subgraphs.length).toBe(orig.subgraphs.length);
      orig.subgraphs.forEach((sg, s) => {
        const bs = back.subgraphs[s]!;
        expect(bs.inputs).toEqual(sg.inputs);
        expect(bs.outputs).toEqual(sg.outputs);
        expect(bs.tensors.length).toBe(sg.tensors.length);
        sg.tensors.forEach((t, i) => {
          const b = bs.tensors[i]!;
          expect([b.name, b.dtype, b.shape, b.shapeSignature, b.isVariable]).toEqual([t.name, t.dtype, t.shape, t.shapeSignature, t.isVariable]);
          expect(b.data === null).toBe(t.data === null);
          if (t.data) expect(Buffer.from(b.data!.buffer, b.data!.byteOffset, b.data!.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
          expect(b.quant && { s: Array.from(b.quant.scale), z: Array.from(b.quant.zeroPoint), a: b.quant.axis })
            .toEqual(t.quant && { s: Array.from(t.quant.scale), z: Array.from(t.quant.zeroPoint), a: t.quant.axis });
        });
        expect(bs.operators.map((o) => [o.name, o.version, o.inputs, o.outputs, o.optionsType]))
          .toEqual(sg.operators.map((o) => [o.name, o.version, o.inputs, o.outputs, o.optionsType]));
      });
      // Options and everything else the description carries: a fixed point from here on.
      expect(descFromModel(back)).toEqual(desc);
      expect(back.signatures).toEqual(orig.signatures);
    });
  }
});
