/**
 * Fused-activation bounds that land on rounding ties (bound / scale = k + 0.5), int8, equal
 * LiteRT.js's for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV (XNNPACK's
 * lrintf(bound / scale + zp)) and MAX_POOL_2D / AVERAGE_POOL_2D. Regenerate with
 * `npx tsx scripts/int8-act-ties.ts --fixture`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../lite-runtime/index.js';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/act-ties.json');
const doc = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { cases: { name: string; model: string; input: string; output: string }[] };
const raw = (b64: string): Uint8Array => new Uint8Array(inflateRawSync(Buffer.from(b64, 'base64')));
const i8 = (b64: string): Int8Array => { const u = raw(b64); return new Int8Array(u.buffer, u.byteOffset, u.byteLength); };

describe('int8 fused-activation bounds on rounding ties equal LiteRT.js', () => {
  for (const c of doc.cases) {
    it(c.name, async () => {
      const m = await loadModel(raw(c.model));
      try {
        const got = m.runSync([i8(c.input)])[0]!.data as Int8Array;
        expect(Array.from(got)).toEqual(Array.from(i8(c.output)));
      } finally { m.dispose(); }
    });
  }
});
