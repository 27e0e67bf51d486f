import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

describe('safetensors checkpoints', () => {
  const state = () => ({
    'fc.weight': tg.tensor([[1, 2, 3], [4, 5, 6]]),
    'fc.bias': tg.tensor([0.5, -0.5]),
    'steps': tg.tensor([7], { dtype: 'int32' }),
    'mask': tg.tensor([true, false, true]),
  });

  it('round-trips through a file, atomically, with the standard layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-ckpt-'));
    const path = join(dir, 'model.safetensors');
    await tg.save(state(), path, { epoch: '3' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temp file left
    const loaded = await tg.load(path);
    expect(loaded['fc.weight'].tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(loaded['steps'].dtype).toBe('int32');
    expect(loaded['mask'].tolist()).toEqual([true, false, true]);
    // layout: u64 header length, JSON header, 8-byte aligned data
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
    expect(header.__metadata__).toEqual({ epoch: '3' });
    expect(header['fc.bias']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(tg.loadBytes(new Uint8Array(bytes)).metadata).toEqual({ epoch: '3' });
  });

  it('rejects truncated and corrupt files with FormatError', async () => {
    const bytes = tg.saveBytes(state());
    expect(() => tg.loadBytes(bytes.subarray(0, 5))).toThrow(/too short/);
    expect(() => tg.loadBytes(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    const bad = bytes.slice();
    bad[8] = 0x5b; // '[' where '{' was: invalid JSON
    expect(() => tg.loadBytes(bad)).toThrow(tg.FormatError);
    const huge = bytes.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => tg.loadBytes(huge)).toThrow(/header length/);
    const dir = mkdtempSync(join(tmpdir(), 'tg-ckpt-'));
    writeFileSync(join(dir, 'x.safetensors'), bytes.subarray(0, 40));
    await expect(tg.load(join(dir, 'x.safetensors'))).rejects.toThrow(tg.FormatError);
  });

  it('rejects inconsistent headers', () => {
    const enc = (h: object, data = new Uint8Array(16)) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8); out.set(data, 8 + json.length);
      return out;
    };
    expect(() => tg.loadBytes(enc({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }))).toThrow(/needs 12 bytes/);
    expect(() => tg.loadBytes(enc({ a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }))).toThrow(/unsupported dtype F64/);
    expect(() => tg.loadBytes(enc({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }))).toThrow(/overlap/);
    expect(() => tg.loadBytes(enc({ __metadata__: { epoch: 3 } }))).toThrow(/__metadata__ must map names to strings/);
    expect(tg.loadBytes(enc({ __metadata__: { epoch: '3' } })).metadata).toEqual({ epoch: '3' });
  });
});
