/**
 * Fuzz: mutated real models (seeded) either load and run, or throw a LiteError;
 * never another error, never a hang. Mutations: random byte flips, 32-bit words at
 * structural positions (tables, vtables, fields, vector headers) overwritten with edge
 * values, and truncation. Op failures the interpreter had to wrap (a non-LiteError
 * thrown inside an op) are counted and printed: they point at op bugs.
 */
import { describe, expect, it } from 'vitest';
import { LiteError, loadModel, type LiteModel, type TypedArray } from '../../../lite-runtime/index.js';
import { FbReader, type FbTable } from '../../../lite-runtime/format/reader.js';
import {
  ModelField, OperatorCodeField, OperatorField, SubGraphField, TensorField, BufferField,
} from '../../../lite-runtime/format/schema.js';
import { modelBytes } from '../models/shared.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Byte positions of the model's structure: table starts, vtables, present fields and vector headers. */
function structuralPositions(bytes: Uint8Array): number[] {
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
  void BufferField; void OperatorCodeField;
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

const EDGE = [0, 1, 2, 3, 4, 0xff, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc];

function mutate(src: Uint8Array, structural: number[], rand: () => number): Uint8Array {
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

const PLAN: [string, number][] = [
  ['hello_world_float.tflite', 2000],
  ['hello_world_int8.tflite', 2000],
  ['micro_speech_quantized.tflite', 1500],
  ['keyword_scrambled.tflite', 1500],
  ['person_detect.tflite', 800],
];
/** Multiplies the case counts (e.g. TGLITE_FUZZ_SCALE=20 for a long local run). */
const SCALE = Number(process.env.TGLITE_FUZZ_SCALE ?? 1);
const LIMITS = { maxTensorBytes: 1 << 24, maxArenaBytes: 1 << 26 };

describe('fuzz: mutated real models', () => {
  for (const [file, base] of PLAN) {
    const cases = Math.round(base * SCALE);
    it(`${file}: ${cases} cases load+run or throw LiteError`, async () => {
      const src = modelBytes(file);
      const structural = structuralPositions(src);
      const rand = mulberry32(0xf022 + cases + file.length);
      const stats = { ran: 0, rejectedAtLoad: 0, rejectedAtRun: 0, wrapped: 0, maxMs: 0 };
      const wrapped = new Set<string>();
      for (let c = 0; c < cases; c++) {
        const bytes = mutate(src, structural, rand);
        const t0 = performance.now();
        let model: LiteModel | null = null;
        try {
          model = await loadModel(bytes, LIMITS);
          const inputs = model.inputs.map((i) => zeros(i.dtype, i.shape.reduce((a, d) => a * d, 1)));
          model.runSync(inputs);
          stats.ran++;
        } catch (e) {
          if (!(e instanceof LiteError)) {
            throw new Error(`case ${c}: ${file} mutation threw a non-LiteError: ${String((e as Error)?.stack ?? e)}`);
          }
          if (model) stats.rejectedAtRun++;
          else stats.rejectedAtLoad++;
          if (/ (prepare|run) failed: /.test(e.message)) {
            stats.wrapped++;
            wrapped.add(e.message.replace(/\d+/g, 'N').slice(0, 160));
          }
        } finally {
          model?.dispose();
        }
        const ms = performance.now() - t0;
        stats.maxMs = Math.max(stats.maxMs, ms);
        expect(ms, `case ${c} took ${ms} ms`).toBeLessThan(3000);
      }
      console.log(`${file}: ${JSON.stringify({ ...stats, maxMs: Math.round(stats.maxMs) })}${wrapped.size ? `\n  op errors wrapped by the interpreter:\n  ${[...wrapped].join('\n  ')}` : ''}`);
      expect(stats.ran + stats.rejectedAtLoad + stats.rejectedAtRun).toBe(cases);
      expect(stats.rejectedAtLoad).toBeGreaterThan(cases / 10);
      expect(stats.ran).toBeGreaterThan(cases / 20);
    }, 60000 * SCALE);
  }
});
