/**
 * Hostile nodes for every op: a valid seed node per op (float32 and int8 where the op
 * has both), mutated at random (dims changed or zeroed, ranks changed, dtypes swapped,
 * inputs dropped, options and constant operands rewritten, quantization broken).
 * Each prepare must succeed (and then run throwing nothing but a LiteError) or throw
 * a LiteError: never a TypeError/RangeError, an out-of-bounds read or a hang.
 */
import { describe, expect, it } from 'vitest';
import { LiteError } from '../../../lite-runtime/format/errors.js';
import type { LiteDType, LiteOp, RtTensor } from '../../../lite-runtime/ops/op.js';
import { alloc, guardElements, node, rng, tensor } from './helpers.js';
import * as ops from './all-ops.js';

type T = [LiteDType, number[], (number[] | null)?, boolean?];
interface Seed { in: Array<T | null>; out: LiteDType[]; opts?: Record<number, number | boolean | number[]>; q?: boolean }

const F = 'float32', I8 = 'int8', I32 = 'int32';
const c = (shape: number[], v: number[]): T => [I32, shape, v, true];
const bin = (dt: LiteDType): Seed => ({ in: [[dt, [2, 3]], [dt, [3]]], out: [dt], q: dt === I8 });
const un = (dt: LiteDType, opts?: Seed['opts']): Seed => ({ in: [[dt, [2, 3]]], out: [dt], q: dt === I8, opts });
const pool: Seed['opts'] = { 0: 0, 1: 2, 2: 2, 3: 2, 4: 2 };

const SEEDS: Record<string, Seed[]> = {
  ADD: [bin(F), bin(I8)], SUB: [bin(F), bin(I8)], MUL: [bin(F), bin(I8)], DIV: [bin(F), bin(I8)],
  MAXIMUM: [bin(F), bin(I8)], MINIMUM: [bin(F), bin(I8)],
  RELU: [un(F), un(I8)], RELU6: [un(F), un(I8)], LOGISTIC: [un(F), un(I8)], TANH: [un(F), un(I8)], EXP: [un(F), un(I8)],
  SQRT: [un(F), un(I8)], RSQRT: [un(F), un(I8)], HARD_SWISH: [un(F), un(I8)], LEAKY_RELU: [un(F, { 0: 0.1 }), un(I8, { 0: 0.1 })],
  GELU: [un(F), un(I8, { 0: true })], SOFTMAX: [un(F, { 0: 1 }), un(I8, { 0: 1 })], LOG_SOFTMAX: [un(F), un(I8)],
  L2_NORMALIZATION: [un(F), un(I8)],
  AVERAGE_POOL_2D: [{ in: [[F, [1, 4, 4, 2]]], out: [F], opts: pool }, { in: [[I8, [1, 4, 4, 2]]], out: [I8], opts: pool, q: true }],
  MAX_POOL_2D: [{ in: [[F, [1, 4, 4, 2]]], out: [F], opts: pool }, { in: [[I8, [1, 4, 4, 2]]], out: [I8], opts: pool, q: true }],
  CONV_2D: [{ in: [[F, [1, 5, 5, 2]], [F, [3, 3, 3, 2], null, true], [F, [3], null, true]], out: [F], opts: { 0: 0, 1: 1, 2: 1 } },
    { in: [[I8, [1, 5, 5, 2]], [I8, [3, 3, 3, 2], null, true], [I32, [3], null, true]], out: [I8], opts: { 0: 1, 1: 2, 2: 1 }, q: true }],
  DEPTHWISE_CONV_2D: [{ in: [[F, [1, 5, 5, 2]], [F, [1, 3, 3, 4], null, true], [F, [4], null, true]], out: [F], opts: { 0: 0, 1: 1, 2: 1, 3: 2 } },
    { in: [[I8, [1, 5, 5, 2]], [I8, [1, 3, 3, 2], null, true], [I32, [2], null, true]], out: [I8], opts: { 0: 0, 1: 2, 2: 2, 3: 1 }, q: true }],
  FULLY_CONNECTED: [{ in: [[F, [2, 4]], [F, [3, 4], null, true], [F, [3], null, true]], out: [F] },
    { in: [[I8, [2, 4]], [I8, [3, 4], null, true], [I32, [3], null, true]], out: [I8], q: true }],
  TRANSPOSE_CONV: [{ in: [c([4], [1, 6, 6, 2]), [F, [2, 3, 3, 3], null, true], [F, [1, 3, 3, 3]]], out: [F], opts: { 0: 0, 1: 2, 2: 2 } },
    { in: [c([4], [1, 6, 6, 2]), [I8, [2, 3, 3, 3], null, true], [I8, [1, 3, 3, 3]], [I32, [2], null, true]], out: [I8], opts: { 0: 0, 1: 2, 2: 2 }, q: true }],
  BATCH_MATMUL: [{ in: [[F, [2, 3, 4]], [F, [4, 5]]], out: [F] }, { in: [[I8, [2, 3, 4]], [I8, [4, 5]]], out: [I8], q: true }],
  RESHAPE: [{ in: [[F, [2, 3]], c([2], [3, -1])], out: [F] }],
  QUANTIZE: [{ in: [[F, [4]]], out: [I8], q: true }, { in: [['int16', [4]]], out: [I8], q: true }],
  DEQUANTIZE: [{ in: [[I8, [4]]], out: [F], q: true }, { in: [['float16', [4], null, true]], out: [F] }],
  SVDF: [{ in: [[F, [1, 4]], [F, [6, 4], null, true], [F, [6, 3], null, true], [F, [3], null, true], [F, [1, 18]]], out: [F], opts: { 0: 2 } },
    { in: [[I8, [1, 4]], [I8, [6, 4], null, true], ['int16', [6, 3], null, true], [I32, [3], null, true], ['int16', [1, 18]]], out: [I8], opts: { 0: 2 }, q: true }],
  SQUEEZE: [{ in: [[F, [1, 3, 1]]], out: [F] }], EXPAND_DIMS: [{ in: [[F, [3]], c([1], [0])], out: [F] }],
  TRANSPOSE: [{ in: [[F, [2, 3, 4]], c([3], [2, 0, 1])], out: [F] }],
  SLICE: [{ in: [[F, [3, 4]], c([2], [1, 0]), c([2], [2, -1])], out: [F] }],
  PAD: [{ in: [[I8, [2, 2]], c([2, 2], [1, 0, 0, 1])], out: [I8], q: true }],
  STRIDED_SLICE: [{ in: [[F, [4, 5]], c([2], [1, 0]), c([2], [3, 5]), c([2], [1, 2])], out: [F], opts: { 0: 0, 1: 1, 4: 0 } }],
  CONCATENATION: [{ in: [[F, [2, 2]], [F, [2, 1]]], out: [F], opts: { 0: 1 } }, { in: [[I8, [2, 2]], [I8, [2, 1]]], out: [I8], opts: { 0: -1 }, q: true }],
  SPLIT: [{ in: [c([], [1]), [F, [2, 4]]], out: [F, F], opts: { 0: 2 } }],
  GATHER: [{ in: [[F, [3, 2]], [I32, [2], [2, 0]]], out: [F] }],
  SHAPE: [{ in: [[F, [2, 3]]], out: [I32] }], CAST: [{ in: [[F, [3]]], out: [I32] }],
  ARG_MAX: [{ in: [[F, [2, 3]], c([1], [1])], out: [I32] }],
  MEAN: [{ in: [[F, [2, 3, 4]], c([1], [1])], out: [F] }, { in: [[I8, [2, 3, 4]], c([2], [0, 2])], out: [I8], opts: { 0: true }, q: true }],
  SUM: [{ in: [[F, [2, 3, 4]], c([1], [1])], out: [F] }],
  NEG: [un(F), un(I8)], ABS: [un(F), un(I8)], SQUARE: [un(F), un(I8)], FLOOR: [un(F)], CEIL: [un(F)], ROUND: [un(F)],
  LOG: [un(F), un(I8)], SIN: [un(F)], COS: [un(F)],
  SQUARED_DIFFERENCE: [bin(F), bin(I8)], POW: [bin(F), bin(I32)],
  LESS: [{ ...bin(F), out: ['bool'] }, { ...bin(I8), out: ['bool'] }], GREATER: [{ ...bin(F), out: ['bool'] }],
  LESS_EQUAL: [{ ...bin(I32), out: ['bool'] }], GREATER_EQUAL: [{ ...bin(F), out: ['bool'] }],
  EQUAL: [{ ...bin(I8), out: ['bool'] }], NOT_EQUAL: [{ ...bin(F), out: ['bool'] }],
  SELECT_V2: [{ in: [['bool', [2, 1]], [F, [3]], [F, [2, 3]]], out: [F] }],
  PRELU: [{ in: [[F, [2, 3]], [F, [3], null, true]], out: [F] }, { in: [[I8, [2, 3]], [I8, [3], null, true]], out: [I8], q: true }],
  PACK: [{ in: [[F, [2, 2]], [F, [2, 2]]], out: [F], opts: { 0: 2, 1: 1 } }],
  UNPACK: [{ in: [[F, [2, 3]]], out: [F, F, F], opts: { 0: 3, 1: 1 } }],
  SPLIT_V: [{ in: [[F, [2, 5]], c([2], [2, -1]), c([], [1])], out: [F, F] }],
  TILE: [{ in: [[I8, [2, 2]], c([2], [2, 3])], out: [I8], q: true }],
  RESIZE_BILINEAR: [{ in: [[F, [1, 3, 4, 2]], c([2], [5, 7])], out: [F], opts: { 3: true } },
    { in: [[I8, [1, 3, 4, 2]], c([2], [2, 3])], out: [I8], opts: { 2: true }, q: true }],
  RESIZE_NEAREST_NEIGHBOR: [{ in: [[F, [1, 3, 4, 2]], c([2], [5, 7])], out: [F], opts: { 1: true } }],
  REDUCE_MAX: [{ in: [[F, [2, 3, 4]], c([1], [1])], out: [F] }, { in: [[I8, [2, 3, 4]], c([2], [0, 2])], out: [I8], opts: { 0: true }, q: true }],
  REDUCE_MIN: [{ in: [[F, [2, 3, 4]], c([1], [-1])], out: [F] }], REDUCE_PROD: [{ in: [[F, [2, 3]], c([1], [0])], out: [F] }],
  ARG_MIN: [{ in: [[F, [2, 3]], c([1], [1])], out: [I32] }],
  RELU_N1_TO_1: [un(F), un(I8)], RELU_0_TO_1: [un(F)], ELU: [un(F), un(I8)],
  PADV2: [{ in: [[F, [2, 2]], c([2, 2], [1, 0, 0, 1]), [F, [1], [3], true]], out: [F] }],
  MIRROR_PAD: [{ in: [[F, [3, 3]], c([2, 2], [1, 2, 2, 1])], out: [F], opts: { 0: 0 } }, { in: [[F, [3, 3]], c([2, 2], [3, 0, 0, 3])], out: [F], opts: { 0: 1 } }],
  SPACE_TO_DEPTH: [{ in: [[F, [1, 4, 4, 2]]], out: [F], opts: { 0: 2 } }], DEPTH_TO_SPACE: [{ in: [[F, [1, 2, 2, 8]]], out: [F], opts: { 0: 2 } }],
  BROADCAST_TO: [{ in: [[F, [3, 1]], c([3], [2, 3, 4])], out: [F] }],
  GATHER_ND: [{ in: [[F, [3, 4, 2]], [I32, [2, 2], [2, 1, 0, 3]]], out: [F] }],
  LOGICAL_AND: [{ in: [['bool', [2, 3]], ['bool', [3]]], out: ['bool'] }], LOGICAL_OR: [{ in: [['bool', [2, 3]], ['bool', [1]]], out: ['bool'] }],
  LOGICAL_NOT: [{ in: [['bool', [4]]], out: ['bool'] }],
  FLOOR_DIV: [{ in: [[F, [2, 3]], [F, [3], [1, 2, 3]]], out: [F] }, { in: [[I32, [2, 3]], [I32, [3], [1, -2, 3]]], out: [I32] }],
  FLOOR_MOD: [{ in: [[F, [2, 3]], [F, [3], [1, 2, 3]]], out: [F] }, { in: [[I32, [2, 3]], [I32, [3], [1, -2, 3]]], out: [I32] }],
  REVERSE_V2: [{ in: [[F, [2, 3, 4]], c([2], [0, -1])], out: [F] }], ZEROS_LIKE: [{ in: [[I8, [2, 3]]], out: [I8] }],
  FILL: [{ in: [c([2], [2, 3]), [F, [], [1.5], true]], out: [F] }],
  CUMSUM: [{ in: [[F, [2, 5]], c([], [1])], out: [F], opts: { 0: true, 1: true } }],
  SPACE_TO_BATCH_ND: [{ in: [[F, [1, 4, 4, 2]], c([2], [2, 2]), c([2, 2], [0, 0, 1, 1])], out: [F] }],
  BATCH_TO_SPACE_ND: [{ in: [[F, [4, 2, 3, 1]], c([2], [2, 2]), c([2, 2], [0, 1, 1, 0])], out: [F] }],
  UNIDIRECTIONAL_SEQUENCE_LSTM: [{
    in: [[F, [1, 2, 3]], ...[0, 1, 2, 3].map((): T => [F, [2, 3], null, true]), ...[0, 1, 2, 3].map((): T => [F, [2, 2], null, true]),
      null, null, null, ...[0, 1, 2, 3].map((): T => [F, [2], null, true]), null, null, [F, [1, 2]], [F, [1, 2]], null, null, null, null],
    out: [F], opts: { 0: 4 },
  }],
};

const DTYPES: LiteDType[] = ['float32', 'int8', 'int32', 'uint8', 'int16', 'int64', 'bool', 'float16'];

function build(t: T, q: boolean, r: () => number): RtTensor {
  const [dtype, shape, vals, isConst] = t;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = vals ?? Array.from({ length: n }, () => Math.floor(r() * 7) - 3);
  const quant = q && dtype !== 'int32' && dtype !== 'float32' ? { scale: 0.1, zeroPoint: 0 } : undefined;
  return tensor(dtype, shape, dtype === 'int64' ? data.map(BigInt) : dtype === 'float16' ? data.map((v) => v & 0x7fff) : data,
    { isConst: !!isConst, quant: dtype === 'int32' && q && !vals ? { scale: 0.01, zeroPoint: 0 } : quant });
}

function resize(t: RtTensor, shape: number[], r: () => number): void {
  const n = shape.reduce((a, b) => a * b, 1);
  t.shape = shape;
  t.data = alloc(t.dtype, n);
  if (t.data instanceof BigInt64Array) for (let i = 0; i < n; i++) t.data[i] = BigInt(Math.floor(r() * 9) - 4);
  else for (let i = 0; i < n; i++) (t.data as Float32Array)[i] = Math.floor(r() * 9) - 4;
}

function mutate(ins: Array<RtTensor | null>, outs: RtTensor[], opts: Record<number, number | boolean | number[]>, r: () => number): Array<RtTensor | null> {
  const all = [...ins.filter((t): t is RtTensor => !!t), ...outs];
  const t = all[Math.floor(r() * all.length)]!;
  const k = Math.floor(r() * 9);
  if (k === 0) { const s = [...t.shape]; if (s.length) s[Math.floor(r() * s.length)] = Math.floor(r() * 7); resize(t, s, r); }
  else if (k === 1) { const s = [...t.shape]; if (r() < 0.5) s.push(1 + Math.floor(r() * 3)); else s.splice(Math.floor(r() * (s.length + 1)), 1); resize(t, s, r); }
  else if (k === 2) { t.dtype = DTYPES[Math.floor(r() * DTYPES.length)]!; resize(t, t.shape, r); }
  else if (k === 3 && ins.length) { const i = Math.floor(r() * ins.length); ins = [...ins]; if (r() < 0.5) ins[i] = null; else ins.length = i; }
  else if (k === 4) { opts[Math.floor(r() * 7)] = Math.floor(r() * 12) - 3; }
  else if (k === 5) { opts[Math.floor(r() * 7)] = Array.from({ length: Math.floor(r() * 4) }, () => Math.floor(r() * 6) - 2); }
  else if (k === 6) { t.quant = r() < 0.3 ? undefined : { scale: Float32Array.from({ length: 1 + Math.floor(r() * 3) }, () => [0, -1, NaN, 1e-30, 0.1][Math.floor(r() * 5)]!), zeroPoint: Int32Array.of(Math.floor(r() * 300) - 150), axis: Math.floor(r() * 5) - 1 }; }
  else if (k === 7) { (t as { isConst: boolean }).isConst = !t.isConst; }
  else { if (!(t.data instanceof BigInt64Array)) for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i] = Math.floor(r() * 13) - 6; }
  return ins;
}

/**
 * Unless LITE_OPS_FUZZ_STRICT=0, tensor data is wrapped so that reading or writing an
 * element outside the array throws (typed arrays would silently give undefined).
 */
const STRICT = process.env.LITE_OPS_FUZZ_STRICT !== '0';
function guard<A extends object>(a: A): A {
  return STRICT ? guardElements(a) : a;
}

describe('every op rejects hostile nodes with a LiteError', () => {
  const defs = Object.values(ops) as Array<LiteOp<unknown>>;
  it('has seeds for every op', () => {
    expect(defs.map((d) => d.name).filter((n) => !SEEDS[n])).toEqual([]);
  });
  it.each(defs.map((d) => [d.name, d] as const))('%s', (name, def) => {
    const r = rng(def.code * 7919 + Number(process.env.LITE_OPS_FUZZ_SEED ?? 1));
    let prepared = 0;
    const seeds = SEEDS[name] ?? [];
    const cases = Number(process.env.LITE_OPS_FUZZ_CASES ?? 400);
    for (let i = 0; i < cases; i++) {
      const seed = seeds[i % seeds.length]!;
      let ins = seed.in.map((t) => (t ? build(t, !!seed.q, r) : null));
      const outs = seed.out.map((dt) => build([dt, [0]], !!seed.q, r));
      const opts = { ...(seed.opts ?? {}) };
      const rounds = i < seeds.length ? 0 : 1 + Math.floor(r() * 3);
      for (let m = 0; m < rounds; m++) ins = mutate(ins, outs, opts, r);
      const n = node(ins, outs, opts);
      const live = ins.map((t) => (t && !t.isConst ? t.data : null));
      ins.forEach((t) => { if (t && !t.isConst) t.data = alloc(t.dtype, 0); });
      let state: unknown;
      try {
        state = def.prepare(n);
      } catch (e) {
        if (!(e instanceof LiteError)) throw new Error(`${name} prepare case ${i}: ${(e as Error).stack}`);
        continue;
      } finally {
        ins.forEach((t, k) => { if (t && live[k]) t.data = live[k]!; });
      }
      ins.forEach((t) => { if (t) t.data = guard(t.data); });
      if (i < seeds.length) prepared++;
      for (const o of outs) o.data = guard(alloc(o.dtype, o.shape.reduce((a, b) => a * b, 1)));
      try {
        def.run(n, state);
      } catch (e) {
        if (!(e instanceof LiteError)) throw new Error(`${name} run case ${i}: ${(e as Error).stack}`);
      }
    }
    expect(prepared).toBe(seeds.length); // every unmutated seed is valid
  });
});
