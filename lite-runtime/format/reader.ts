/**
 * A tiny bounds-checked FlatBuffer reader (little-endian, as FlatBuffers is).
 * Every offset is checked against the buffer before it is followed: vtables,
 * tables, fields (must lie inside their table), vectors, strings and unions. A work
 * budget (elements decoded, proportional to the buffer size) stops hostile files
 * whose vectors all point at the same large region from costing unbounded time.
 * Any violation throws `ModelFormatError` naming the table and field.
 *
 * ```ts
 * const r = new FbReader(bytes);
 * const model = r.root('Model');
 * const version = model.u32(0, 0);
 * const subgraphs = model.tables(2); // FbTable[]
 * ```
 */
import { ModelFormatError } from './errors.js';
import type { OptionsTable } from '../ops/op.js';

const utf8 = new TextDecoder('utf-8');
/** Typed arrays have the host's byte order: vectors are copied as bytes where it is FlatBuffers' (little-endian). */
const LE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Limits the reader enforces. */
export interface ReaderLimits {
  /** Max vector elements decoded in total; default 16 x buffer length + 65536. */
  maxWork?: number;
}

/** Reads FlatBuffer tables out of a byte buffer, checking every offset. */
export class FbReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly length: number;
  private work: number;

  constructor(bytes: Uint8Array, limits: ReaderLimits = {}) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
    this.work = limits.maxWork ?? 16 * bytes.byteLength + 65536;
  }

  /** The 4-character file identifier at bytes 4..8 ('' when the buffer is too short). */
  identifier(): string {
    if (this.length < 8) return '';
    return String.fromCharCode(this.bytes[4]!, this.bytes[5]!, this.bytes[6]!, this.bytes[7]!);
  }

  /** The root table. */
  root(name: string): FbTable {
    if (this.length < 8) throw new ModelFormatError(`model is ${this.length} bytes, too short to be a FlatBuffer`);
    return this.tableAt(this.view.getUint32(0, true), name);
  }

  /** Validates and returns the table at absolute position `pos`. */
  tableAt(pos: number, name: string): FbTable {
    if (pos < 0 || pos + 4 > this.length) {
      throw new ModelFormatError(`${name}: table offset ${pos} is outside the ${this.length}-byte model`);
    }
    const vt = pos - this.view.getInt32(pos, true);
    if (vt < 0 || vt + 4 > this.length) {
      throw new ModelFormatError(`${name}: vtable offset ${vt} is outside the ${this.length}-byte model`);
    }
    const vtLen = this.view.getUint16(vt, true);
    const tLen = this.view.getUint16(vt + 2, true);
    if (vtLen < 4 || (vtLen & 1) !== 0 || vt + vtLen > this.length) {
      throw new ModelFormatError(`${name}: vtable at ${vt} has bad size ${vtLen}`);
    }
    if (tLen < 4 || pos + tLen > this.length) {
      throw new ModelFormatError(`${name}: table at ${pos} of size ${tLen} runs past the end of the model`);
    }
    return new FbTable(this, name, pos, vt, vtLen, tLen);
  }

  /** Spends `n` units of the work budget. */
  charge(n: number, name: string): void {
    this.work -= n;
    if (this.work < 0) {
      throw new ModelFormatError(`${name}: model references far more data than it holds (overlapping vectors)`);
    }
  }
}

/** A vector's element start and count. */
export interface FbVector {
  start: number;
  length: number;
}

/** One validated table; field ids are the schema's 0-based slots. */
export class FbTable implements OptionsTable {
  constructor(
    readonly reader: FbReader,
    readonly name: string,
    readonly pos: number,
    private readonly vt: number,
    private readonly vtLen: number,
    private readonly tLen: number,
  ) {}

  /** Absolute position of field `id` (checked to hold `size` bytes inside the table), or 0 when absent. */
  field(id: number, size: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtLen) return 0;
    const off = this.reader.view.getUint16(this.vt + slot, true);
    if (off === 0) return 0;
    if (off < 4 || off + size > this.tLen) {
      throw new ModelFormatError(`${this.name}: field ${id} at offset ${off} lies outside its ${this.tLen}-byte table`);
    }
    return this.pos + off;
  }

  has(id: number): boolean {
    return this.field(id, 1) !== 0;
  }

  bool(id: number, def: boolean): boolean {
    const p = this.field(id, 1);
    return p === 0 ? def : this.reader.view.getUint8(p) !== 0;
  }
  u8(id: number, def: number): number {
    const p = this.field(id, 1);
    return p === 0 ? def : this.reader.view.getUint8(p);
  }
  i8(id: number, def: number): number {
    const p = this.field(id, 1);
    return p === 0 ? def : this.reader.view.getInt8(p);
  }
  i16(id: number, def: number): number {
    const p = this.field(id, 2);
    return p === 0 ? def : this.reader.view.getInt16(p, true);
  }
  i32(id: number, def: number): number {
    const p = this.field(id, 4);
    return p === 0 ? def : this.reader.view.getInt32(p, true);
  }
  u32(id: number, def: number): number {
    const p = this.field(id, 4);
    return p === 0 ? def : this.reader.view.getUint32(p, true);
  }
  f32(id: number, def: number): number {
    const p = this.field(id, 4);
    return p === 0 ? def : this.reader.view.getFloat32(p, true);
  }
  /** An unsigned 64-bit field as a number; throws past 2^53. */
  u64(id: number, def: number): number {
    const p = this.field(id, 8);
    if (p === 0) return def;
    const v = this.reader.view.getBigUint64(p, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ModelFormatError(`${this.name}: field ${id} value ${v} is too large`);
    return Number(v);
  }

  /** Follows the uoffset stored in field `id`; 0 when absent. */
  private target(id: number): number {
    const p = this.field(id, 4);
    if (p === 0) return 0;
    const t = p + this.reader.view.getUint32(p, true);
    if (t + 4 > this.reader.length) {
      throw new ModelFormatError(`${this.name}: field ${id} points to ${t}, outside the ${this.reader.length}-byte model`);
    }
    return t;
  }

  /** The vector in field `id` with elements of `elemSize` bytes, bounds-checked; null when absent. */
  vector(id: number, elemSize: number): FbVector | null {
    const t = this.target(id);
    if (t === 0) return null;
    const length = this.reader.view.getUint32(t, true);
    const start = t + 4;
    if (start + length * elemSize > this.reader.length) {
      throw new ModelFormatError(
        `${this.name}: field ${id} vector of ${length} x ${elemSize} bytes at ${start} runs past the end of the ${this.reader.length}-byte model`);
    }
    return { start, length };
  }

  /** Sub-table in field `id`, or null. */
  table(id: number, name: string): FbTable | null {
    const t = this.target(id);
    return t === 0 ? null : this.reader.tableAt(t, name);
  }

  /** Vector of tables in field `id` (empty when absent); `name(i)` labels each for errors. */
  tables(id: number, name: (i: number) => string): FbTable[] {
    const v = this.vector(id, 4);
    if (v === null) return [];
    this.reader.charge(v.length, this.name);
    const out: FbTable[] = [];
    const view = this.reader.view;
    for (let i = 0; i < v.length; i++) {
      const p = v.start + 4 * i;
      out.push(this.reader.tableAt(p + view.getUint32(p, true), name(i)));
    }
    return out;
  }

  /** Union value table at field `id` (its type is the ubyte at `id - 1`), or null. */
  union(id: number, name: string): FbTable | null {
    return this.table(id, name);
  }

  i32Vector(id: number): Int32Array | null {
    return this.words(id, 1, false) as Int32Array | null;
  }

  /** An int32 vector as numbers (a shape), without a typed array; null when absent. */
  i32List(id: number): number[] | null {
    const v = this.vector(id, 4);
    if (v === null) return null;
    this.reader.charge(v.length, this.name);
    const out: number[] = [], view = this.reader.view;
    for (let i = 0; i < v.length; i++) out.push(view.getInt32(v.start + 4 * i, true));
    return out;
  }

  f32Vector(id: number): Float32Array | null {
    return this.words(id, 1, true) as Float32Array | null;
  }

  /** A vector of `per` int32 (or float32) words per element, copied out; null when absent. */
  private words(id: number, per: number, float: boolean): Int32Array | Float32Array | null {
    const v = this.vector(id, 4 * per);
    if (v === null) return null;
    this.reader.charge(v.length, this.name);
    const n = v.length * per, out = float ? new Float32Array(n) : new Int32Array(n), view = this.reader.view;
    // short vectors: a loop costs less than the two views of a copy
    if (LE && n > 32) new Uint8Array(out.buffer).set(this.reader.bytes.subarray(v.start, v.start + 4 * n));
    else for (let i = 0; i < n; i++) out[i] = float ? view.getFloat32(v.start + 4 * i, true) : view.getInt32(v.start + 4 * i, true);
    return out;
  }

  /** A vector of int64 as numbers; values outside the int32 range throw. */
  i64VectorAsI32(id: number): Int32Array | null {
    const w = this.words(id, 2, false) as Int32Array | null;
    if (w === null) return null;
    const out = new Int32Array(w.length >> 1), sorted = w.length > 16 ? w.slice().sort() : null;
    // all zeros (per-channel weights): no JS loop, cold at load (the ends of a native sort)
    if (sorted && sorted[0] === 0 && sorted[sorted.length - 1] === 0) return out;
    for (let i = 0; i < out.length; i++) {
      const lo = w[2 * i]!;
      // fits int32 when the high word is the low word's sign
      if (w[2 * i + 1] !== lo >> 31) throw new ModelFormatError(`${this.name}: field ${id} element ${i} does not fit in int32`);
      out[i] = lo;
    }
    return out;
  }

  /** A byte vector as a view into the model bytes (no copy), or null. */
  bytes(id: number): Uint8Array | null {
    const v = this.vector(id, 1);
    if (v === null) return null;
    const b = this.reader.bytes;
    return b.subarray(v.start, v.start + v.length);
  }

  str(id: number): string | null {
    const b = this.bytes(id);
    if (b === null) return null;
    this.reader.charge(b.length >> 2, this.name);
    return utf8.decode(b);
  }
}
