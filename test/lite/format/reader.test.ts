/** The bounds-checked FlatBuffer reader on hand-built buffers. */
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../../lite-runtime/format/errors.js';
import { FbReader } from '../../../lite-runtime/format/reader.js';

/**
 * Root table (vtable at 8, table at 16) whose field 0 is a vector of `n` tables; each
 * is one shared table whose field 0 is one shared int vector of `m` elements.
 */
function sharedVectors(n: number, m: number): Uint8Array {
  const tablesVec = 24;
  const inner = tablesVec + 4 + 4 * n; // inner table (its vtable reuses the root's at 8)
  const ints = inner + 8;
  const b = new Uint8Array(ints + 4 + 4 * m);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 16, true);
  dv.setUint16(8, 6, true); dv.setUint16(10, 8, true); dv.setUint16(12, 4, true);
  dv.setInt32(16, 16 - 8, true);
  dv.setUint32(20, tablesVec - 20, true);
  dv.setUint32(tablesVec, n, true);
  for (let i = 0; i < n; i++) dv.setUint32(tablesVec + 4 + 4 * i, inner - (tablesVec + 4 + 4 * i), true);
  dv.setInt32(inner, inner - 8, true);
  dv.setUint32(inner + 4, ints - (inner + 4), true);
  dv.setUint32(ints, m, true);
  for (let i = 0; i < m; i++) dv.setInt32(ints + 4 + 4 * i, i, true);
  return b;
}

describe('FbReader', () => {
  it('reads tables, vectors and absent fields with defaults', () => {
    const r = new FbReader(sharedVectors(3, 5));
    const root = r.root('root');
    const items = root.tables(0, (i) => `item ${i}`);
    expect(items.length).toBe(3);
    expect(Array.from(items[2]!.i32Vector(0)!)).toEqual([0, 1, 2, 3, 4]);
    expect(root.i32(1, 42)).toBe(42);
    expect(root.str(5)).toBe(null);
  });

  it('rejects vectors that run past the end', () => {
    const b = sharedVectors(2, 4);
    new DataView(b.buffer).setUint32(b.length - 4 * 4 - 4, 1000, true);
    const items = new FbReader(b).root('root').tables(0, (i) => `item ${i}`);
    expect(() => items[0]!.i32Vector(0)).toThrow(/item 0: field 0 vector of 1000 x 4 bytes at \d+ runs past the end/);
  });

  it('rejects vtables and fields outside the buffer or their table', () => {
    const b = sharedVectors(1, 1);
    const dv = new DataView(b.buffer);
    dv.setInt32(16, -5000, true);
    expect(() => new FbReader(b).root('root')).toThrow(/root: vtable offset 5016 is outside/);
    dv.setInt32(16, 8, true);
    dv.setUint16(12, 200, true); // field 0 at offset 200 of an 8-byte table
    expect(() => new FbReader(b).root('root').tables(0, String)).toThrow(/root: field 0 at offset 200 lies outside its 8-byte table/);
    dv.setUint16(8, 7, true); // odd vtable size
    expect(() => new FbReader(b).root('root')).toThrow(/vtable at 8 has bad size 7/);
  });

  it('stops buffers whose vectors all alias one large region (work budget)', () => {
    const r = new FbReader(sharedVectors(2000, 20000));
    const items = r.root('root').tables(0, (i) => `item ${i}`);
    expect(() => { for (const t of items) t.i32Vector(0); }).toThrow(ModelFormatError);
    expect(() => { for (const t of items) t.i32Vector(0); }).toThrow(/references far more data than it holds/);
  });

  it('int64 vectors must fit int32', () => {
    const b = sharedVectors(1, 4); // read the 4 int32s as 2 int64s
    const t = new FbReader(b).root('root').tables(0, String)[0]!;
    const dv = new DataView(b.buffer);
    const start = t.vector(0, 4)!.start;
    dv.setUint32(start - 4, 2, true);
    dv.setInt32(start, -7, true); dv.setInt32(start + 4, -1, true);
    dv.setInt32(start + 8, 5, true); dv.setInt32(start + 12, 0, true);
    expect(Array.from(t.i64VectorAsI32(0)!)).toEqual([-7, 5]);
    dv.setInt32(start + 12, 1, true);
    expect(() => t.i64VectorAsI32(0)).toThrow(/element 1 does not fit in int32/);
  });
});
