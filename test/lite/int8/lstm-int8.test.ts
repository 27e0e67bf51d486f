/**
 * int8 UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's integer 8x8_16 kernel) equals the real runtime bit
 * for bit: the committed cases (writer-made models quantized as TFLite's converter does, with
 * tfjs-tflite's outputs; LiteRT.js rejects variable tensors) replay without the reference, and
 * with ../shared fresh cases of another seed run in tfjs-tflite live. Regenerate the fixture with
 * `npx tsx scripts/lstm-int8.ts --fixture`; the full sweep is that script without --fixture.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { descFromModel, writeTflite } from '../../../converter/tflite-writer/index.js';
import { loadModel } from '../../../lite-runtime/index.js';
import { activeWasm, setKernelBackend } from '../../../lite-runtime/kernels/backend.js';
import { parseModel } from '../../../lite-runtime/format/model.js';
import { makeLstmCases, runOursLstm } from '../../../scripts/lstm-int8.js';
import { openReference, toB64, type Reference } from '../../../scripts/tflite-ref.js';
import { describeWithShared } from '../../helpers/shared.js';

interface Stored { name: string; model: string; input: string; output: string }
const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/lstm.json');
const doc = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { cases: Stored[] };
const i8 = (b64: string): Int8Array => { const u = Buffer.from(b64, 'base64'); return new Int8Array(u.buffer, u.byteOffset, u.byteLength); };
const model = (c: Stored): Uint8Array => new Uint8Array(inflateRawSync(Buffer.from(c.model, 'base64')));

function differing(got: Int8Array, want: Int8Array): string {
  expect(got.length).toBe(want.length);
  const bad = [...want.keys()].filter((i) => got[i] !== want[i]);
  return bad.length ? `${bad.length}/${want.length} differ, first [${bad[0]}] ours ${got[bad[0]!]}, tfjs-tflite ${want[bad[0]!]}` : '';
}

describe('int8 LSTM against tfjs-tflite (recorded)', () => {
  it('covers every variant of the kernel', () => {
    for (const v of ['cifg', 'peephole', 'layerNorm', 'timeMajor', 'proj', 'clip', 'b2', 'b3']) {
      expect(doc.cases.some((c) => c.name.includes(v)), v).toBe(true);
    }
  });

  for (const c of doc.cases) {
    it(c.name, async () => {
      const m = await loadModel(model(c));
      try {
        expect(differing(m.runSync([i8(c.input)])[0]!.data as Int8Array, i8(c.output))).toBe('');
      } finally { m.dispose(); }
    });
  }

  it('the JS kernels (no wasm) give the same outputs', async () => {
    setKernelBackend('js');
    try {
      for (const c of doc.cases.slice(0, 12)) {
        const m = await loadModel(model(c));
        try { expect(differing(m.runSync([i8(c.input)])[0]!.data as Int8Array, i8(c.output)), c.name).toBe(''); } finally { m.dispose(); }
      }
    } finally { setKernelBackend('wasm'); }
  });

  it('keeps its int8/int16 state across runs and resets it to the zero points', async () => {
    const c = doc.cases.find((s) => s.name.startsWith('b1 t1') || s.name.includes(' t3 '))!;
    const m = await loadModel(model(c));
    try {
      const first = Int8Array.from(m.runSync([i8(c.input)])[0]!.data as Int8Array);
      const second = Int8Array.from(m.runSync([i8(c.input)])[0]!.data as Int8Array);
      expect(differing(first, i8(c.output))).toBe('');
      expect(differing(second, first)).not.toBe('');
      m.resetState();
      expect(differing(m.runSync([i8(c.input)])[0]!.data as Int8Array, first)).toBe('');
    } finally { m.dispose(); }
  });

  it('counts its packed weights in model.memory (held once: rows and their sums), and frees them on dispose', async () => {
    const c = doc.cases.find((s) => !s.name.includes('proj'))!;
    const bytes = model(c);
    const w8 = parseModel(bytes).subgraphs[0]!.tensors.reduce((n, t) => n + (t.data && t.dtype === 'int8' ? t.data.byteLength : 0), 0);
    const used = activeWasm()!.heap.used();
    const m = await loadModel(bytes);
    expect(m.memory.packedBytes).toBeGreaterThanOrEqual(w8);
    expect(m.memory.packedBytes).toBeLessThanOrEqual(1.5 * m.memory.constBytes + 1024);
    m.dispose();
    expect(activeWasm()!.heap.used()).toBe(used);
  });

  it('names what is missing when the 5 intermediates are not there', async () => {
    const desc = descFromModel(parseModel(model(doc.cases[0]!)));
    const op = desc.operators[0]! as { intermediates?: unknown };
    expect(op.intermediates).toHaveLength(5);
    delete op.intermediates;
    await expect(loadModel(writeTflite(desc))).rejects.toThrow(/needs the 5 intermediates .* got 0/);
  });
});

describeWithShared('int8 LSTM against tfjs-tflite (live)', ['tools/tflite-reference'], () => {
  let ref: Reference;
  beforeAll(async () => { ref = await openReference(path.join(os.tmpdir(), 'tglite-tflite-reference')); }, 900_000);

  for (const c of makeLstmCases(4242, 10)) {
    it(c.name, async () => {
      const want = Int8Array.from((await ref.run('tfjs', c.model, [{ b64: toB64(c.input) }]))[0]!.data);
      expect(differing(await runOursLstm(c), want)).toBe('');
    }, 60_000);
  }
});
