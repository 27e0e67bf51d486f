/**
 * Fuzz cases: seeded mutations of a model's bytes, and one case's outcome (load, run
 * with zero inputs, or a LiteError). Used by worker.ts, which fuzz.test.ts watches.
 */
import { LiteError, loadModel, type LiteModel, type LoadOptions, type TypedArray } from '../../../lite-runtime/index.js';
import { FbReader, type FbTable } from '../../../lite-runtime/format/reader.js';
import { ModelField, OperatorField, SubGraphField, TensorField } from '../../../lite-runtime/format/schema.js';

/** Byte positions of the model's structure: table starts, vtables, present fields and vector headers. */
export function structuralPositions(bytes: Uint8Array): number[] {
  const out = new Set<number>([0]);
  const r = new FbReader(bytes);
  const note = (t: FbTable, fields: number): void => {
    out.add(t.pos);
    out.add(t.pos - new DataView(bytes.buffer, bytes.byteOffset).getInt32(t.pos, true));
    for (let id = 0; id < fields; id++) {
      const p = t.field(id, 1);
      if (p !== 0) out.add(p - (p % 4));
      if (p !== 0 && p + 4 <= bytes.length) {
        const target = p + new DataView(bytes.buffer, bytes.byteOffset).getUint32(p, true);
        if (target + 4 <= bytes.length) out.add(target);
      }
    }
  };
  const model = r.root('Model');
  note(model, 8);
  for (const oc of model.tables(ModelField.operator_codes, String)) note(oc, 4);
  for (const b of model.tables(ModelField.buffers, String)) note(b, 3);
  for (const sg of model.tables(ModelField.subgraphs, String)) {
    note(sg, 5);
    for (const t of sg.tables(SubGraphField.tensors, String)) {
      note(t, 10);
      const q = t.table(TensorField.quantization, 'q');
      if (q) note(q, 7);
    }
    for (const o of sg.tables(SubGraphField.operators, String)) {
      note(o, 13);
      const opt = o.table(OperatorField.builtin_options, 'opt');
      if (opt) note(opt, 8);
    }
  }
  return [...out].filter((p) => p >= 0 && p < bytes.length).sort((a, b) => a - b);
}

/**
 * Byte positions of op parameters: present fields of every builtin options table, and the
 * elements of small int32 constants (shapes, paddings, axes, begin/end/strides).
 */
export function paramPositions(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const model = new FbReader(bytes).root('Model');
  const buffers = model.tables(ModelField.buffers, String);
  for (const sg of model.tables(ModelField.subgraphs, String)) {
    for (const o of sg.tables(SubGraphField.operators, String)) {
      const opt = o.table(OperatorField.builtin_options, 'opt');
      for (let id = 0; opt && id < 16; id++) {
        const p = opt.field(id, 1);
        if (p !== 0) out.push(p);
      }
    }
    for (const t of sg.tables(SubGraphField.tensors, String)) {
      const data = buffers[t.u32(TensorField.buffer, 0)]?.vector(0, 1);
      if (t.i8(TensorField.type, 0) === 2 && data && data.length <= 256) {
        for (let k = 0; k + 4 <= data.length; k += 4) out.push(data.start + k);
      }
    }
  }
  return out;
}

/** Overwrites 1-2 op parameters with edge values (0, -1, huge, ...), keeping the structure intact. */
export function mutateParams(src: Uint8Array, params: number[], rand: () => number): Uint8Array {
  const b = src.slice();
  if (params.length === 0) return b;
  const dv = new DataView(b.buffer);
  const vals = [0, 1, 2, 3, -1, -2, 7, 100, 255, 65535, 1e6, 0x7fffffff, -0x80000000];
  for (let k = 1 + Math.floor(rand() * 2); k > 0; k--) {
    const p = params[Math.floor(rand() * params.length)]!;
    const v = vals[Math.floor(rand() * vals.length)]!;
    if (p + 4 <= b.length && rand() < 0.6) dv.setInt32(p, v, true);
    else b[p] = v & 0xff;
  }
  return b;
}

const EDGE = [0, 1, 2, 3, 4, 0xff, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc];

export function mutate(src: Uint8Array, structural: number[], rand: () => number): Uint8Array {
  const kind = rand();
  if (kind < 0.1) return src.slice(0, Math.floor(rand() * src.length));
  const b = src.slice();
  const dv = new DataView(b.buffer);
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    if (kind < 0.4) {
      b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
    } else {
      const p = structural[Math.floor(rand() * structural.length)]! + (rand() < 0.3 ? 4 * Math.floor(rand() * 4) : 0);
      if (p + 4 > b.length) continue;
      const r = rand();
      const v = r < 0.5 ? EDGE[Math.floor(rand() * EDGE.length)]!
        : r < 0.75 ? (dv.getUint32(p, true) + Math.floor(rand() * 64) - 32) >>> 0 : Math.floor(rand() * 2 ** 32);
      if (rand() < 0.3) dv.setUint16(p, v & 0xffff, true);
      else dv.setUint32(p, v >>> 0, true);
    }
  }
  return b;
}

function zeros(dtype: string, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'int8': return new Int8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'float64': return new Float64Array(n);
    default: return new Uint8Array(n);
  }
}

/** Limits that keep every case's memory small. */
export const LIMITS = { maxTensorBytes: 1 << 24, maxArenaBytes: 1 << 26 };

export type Outcome = { kind: 'ran' } | { kind: 'rejected'; atRun: boolean; wrapped: string | null };

/** Loads and runs one mutated model; rethrows anything that is not a LiteError. */
export async function runCase(bytes: Uint8Array, opts: LoadOptions = {}): Promise<Outcome> {
  let model: LiteModel | null = null;
  try {
    model = await loadModel(bytes, { ...LIMITS, ...opts });
    model.runSync(model.inputs.map((i) => zeros(i.dtype, i.shape.reduce((a, d) => a * d, 1))));
    return { kind: 'ran' };
  } catch (e) {
    if (!(e instanceof LiteError)) throw e;
    const wrapped = / (prepare|run)[^:]* failed: /.test(e.message) ? e.message.replace(/\d+/g, 'N').slice(0, 160) : null;
    return { kind: 'rejected', atRun: model !== null, wrapped };
  } finally {
    model?.dispose();
  }
}
