/**
 * int8 ADD / SUB / MUL equal the real runtime (LiteRT.js, XNNPACK) bit for bit on the
 * committed sweep: 24 all-pairs tables (every int8 input pair for random scales, zero points,
 * activations; edge ratios and activation ties included) and 48 random cases with
 * broadcasting and constant operands; and 24 HARD_SWISH (every int8 input; TFLite's fixed-point
 * kernel) and BATCH_MATMUL cases (XNNPACK's arithmetic where input 1's zero point is 0, else
 * TFLite's). Regenerate with `npx tsx scripts/int8-sweep.ts --fixture`;
 * the full sweep (10^4..10^5 elements a case, both real runtimes) is that script without --fixture.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../lite-runtime/index.js';
import { setRequantMode } from '../../../lite-runtime/ops/util/requant.js';
import { setKernelBackend } from '../../../lite-runtime/kernels/backend.js';

interface StoredCase { name: string; op: string; xnnpack: boolean; model: string; inputs: string[]; output: string }

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/elementwise.json');
const doc = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { cases: StoredCase[] };
const bytes = (b64: string): Uint8Array => new Uint8Array(inflateRawSync(Buffer.from(b64, 'base64')));
const i8 = (b64: string): Int8Array => { const u = bytes(b64); return new Int8Array(u.buffer, u.byteOffset, u.byteLength); };

/** Number of elements where tglite's output differs from the stored reference, and the first one. */
async function mismatches(c: StoredCase): Promise<{ count: number; first: string }> {
  const m = await loadModel(bytes(c.model));
  try {
    const got = m.runSync(c.inputs.map(i8))[0]!.data as Int8Array, want = i8(c.output);
    expect(got.length).toBe(want.length);
    let count = 0, first = '';
    for (let i = 0; i < want.length; i++) {
      if (got[i] !== want[i]) { if (!count) first = `[${i}] ours ${got[i]}, LiteRT.js ${want[i]}`; count++; }
    }
    return { count, first };
  } finally { m.dispose(); }
}

describe('int8 ADD/SUB/MUL sweep against LiteRT.js', () => {
  it('has cases of every op, inside and outside the XNNPACK delegate\'s scale ranges', () => {
    for (const op of ['ADD', 'SUB', 'MUL', 'BATCH_MATMUL']) {
      expect(doc.cases.some((c) => c.op === op && c.xnnpack), op).toBe(true);
      expect(doc.cases.some((c) => c.op === op && !c.xnnpack), op).toBe(true);
    }
    expect(doc.cases.some((c) => c.op === 'HARD_SWISH')).toBe(true);
  });

  for (const c of doc.cases) {
    it(c.name, async () => {
      const r = await mismatches(c);
      expect(r.count, `${r.count} elements differ, first ${r.first}`).toBe(0);
    });
  }

  it('the JS loops (no wasm) give the same outputs', async () => {
    setKernelBackend('js');
    try {
      for (const c of doc.cases) {
        const r = await mismatches(c);
        expect(r.count, `${c.name}: ${r.count} elements differ, first ${r.first}`).toBe(0);
      }
    } finally { setKernelBackend('wasm'); }
  });

  it("tells the arithmetics apart: TFLite's own kernels ('reference' mode) fail it on XNNPACK-range ADD/SUB, MUL and BATCH_MATMUL", async () => {
    setRequantMode('reference');
    try {
      const failing = new Set<string>();
      for (const c of doc.cases) if (c.xnnpack && (await mismatches(c)).count > 0) failing.add(c.op);
      expect([...failing].sort()).toEqual(['ADD', 'BATCH_MATMUL', 'MUL', 'SUB']);
    } finally { setRequantMode('fp32'); }
  });
});
