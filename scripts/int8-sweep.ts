/**
 * Randomized sweep of int8 ADD / SUB / MUL (and HARD_SWISH, BATCH_MATMUL) against the real TFLite runtimes.
 *
 *   npx tsx scripts/int8-sweep.ts [--cases 300] [--seed 1] [--min 10000] [--max 100000]
 *                                 [--exhaustive 30] [--ops ADD,SUB,MUL] [--other 60] [--ref DIR] [--fixture]
 *
 * Each case is a single-op model written with converter/tflite-writer: random scales and
 * zero points (input/output scale ratios from 2^-12 to 2^10, beyond XNNPACK's range on both
 * sides), a fused activation, broadcasting patterns, a constant operand now and then, and
 * 10^4..10^5 output elements; the first `--exhaustive` cases are [256,1] x [1,256] tables of
 * every pair of int8 values (every input of their scales, 65,536 elements). It runs in LiteRT.js, tfjs-tflite and tglite; every element
 * must equal LiteRT.js's. Prints mismatching cases and a summary; exits 1 on any mismatch.
 *
 * `--other` cases follow (seed + 1): HARD_SWISH over every int8 input (TFLite's fixed-point kernel
 * in both runtimes) and BATCH_MATMUL with broadcasting, adj_x/adj_y and a constant input 1 now and
 * then (LiteRT.js's XNNPACK delegate takes it only when input 1's zero point is 0).
 *
 * --fixture writes 24 all-pairs tables and 48 small cases (200..1500 elements, same generator)
 * and 24 HARD_SWISH / BATCH_MATMUL cases
 * with LiteRT.js's outputs (deflated) to test/lite/int8/fixtures/elementwise.json, which
 * test/lite/int8/elementwise-sweep.test.ts replays without the reference runtimes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { writeTflite } from '../converter/tflite-writer/index.js';
import type { ModelDesc, TensorDesc } from '../converter/tflite-writer/types.js';
import { loadModel } from '../lite-runtime/index.js';
import { setRequantMode } from '../lite-runtime/ops/util/requant.js';
import { argOf, openReference, ROOT, toB64, type RefOutput } from './tflite-ref.js';
import { rng } from '../test/lite/ops/helpers.js';

export type ElementwiseOp = 'ADD' | 'SUB' | 'MUL';
export type OtherOp = 'HARD_SWISH' | 'BATCH_MATMUL';
const ACTS = ['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'] as const;

export interface SweepCase {
  name: string;
  op: ElementwiseOp | OtherOp;
  model: Uint8Array;
  /** Non-constant inputs, in model input order. */
  inputs: Int8Array[];
  /** Scale ratios, for the report: a/y and b/y (ADD, SUB) or a*b/y (MUL); [] for the other ops. */
  ratios: number[];
  /** HARD_SWISH / BATCH_MATMUL: whether LiteRT.js's XNNPACK delegate takes the node. */
  xnnpack?: boolean;
}

/** The tests' seeded generator (mulberry32), shared by the scripts that import it from here. */
export { rng };

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A pair of input shapes broadcasting to about `n` elements, drawn from common patterns. */
function shapes(R: () => number, n: number): [number[], number[]] {
  const pick = Math.floor(R() * 9);
  const c = [1, 3, 8, 16, 24, 32, 96][Math.floor(R() * 7)]!;
  const hw = Math.max(1, Math.round(Math.sqrt(n / c)));
  const full = [1, hw, hw, c];
  let pair: [number[], number[]];
  switch (pick) {
    case 0: case 1: case 2: pair = [full, full]; break; // residual ADD: same shape
    case 3: pair = [full, [1, 1, 1, c]]; break; // per-channel vector
    case 4: pair = [full, [1]]; break; // scalar
    case 5: pair = [full, [1, hw, hw, 1]]; break; // per-pixel
    case 6: pair = [full, [1, 1, hw, c]]; break;
    case 7: { const r = Math.max(1, Math.round(Math.sqrt(n))); pair = [[r, 1], [1, r + 3]]; break; } // both broadcast
    default: { const l = Math.max(1, Math.round(n)); pair = [[l], [l]]; } // flat rank 1
  }
  return R() < 0.25 ? [pair[1], pair[0]] : pair;
}

const f32 = Math.fround;
/** Log-uniform in [lo, hi]. */
const logU = (R: () => number, lo: number, hi: number): number => lo * (hi / lo) ** R();

/** Ratios at the edges of XNNPACK's ranges (the delegate takes [lo, hi)), and just inside or outside. */
function edgeRatio(R: () => number, lo: number, hi: number): number {
  const e = [lo, hi][Math.floor(R() * 2)]!;
  return e * [1, 1 - 2 ** -22, 1 + 2 ** -22, 1 - 2 ** -12, 1 + 2 ** -12][Math.floor(R() * 5)]!;
}

/**
 * An output scale where the fused activation's bound lands on a rounding tie:
 * bound / scale = k + 0.5 in float32 (RELU6 and RELU_N1_TO_1).
 */
function tieScale(R: () => number, act: string): number {
  const bound = act === 'RELU6' ? 6 : 1;
  return f32(bound / (Math.floor(R() * 120) + 0.5));
}

/**
 * Scales: half the time near 1:1 ratios (as in real models), else anywhere in 2^-12..2^10;
 * one case in eight at the edges of XNNPACK's ratio ranges; output scales on activation ties.
 */
function scales(R: () => number, op: ElementwiseOp, act: string): { sa: number; sb: number; sy: number } {
  const sy = act !== 'NONE' && act !== 'RELU' && R() < 0.4 ? tieScale(R, act) : f32(logU(R, 1e-3, 0.5));
  const edge = R() < 0.125;
  if (edge && op === 'MUL') {
    const sa = f32(logU(R, 1e-3, 1));
    return { sa, sb: f32((edgeRatio(R, 2 ** -16, 256) * sy) / sa), sy };
  }
  const ratio = (): number => (edge ? edgeRatio(R, 2 ** -10, 256) : R() < 0.5 ? logU(R, 0.25, 4) : logU(R, 2 ** -12, 2 ** 10));
  if (op !== 'MUL') {
    const u = R();
    const sa = f32(sy * ratio());
    const sb = u < 0.1 ? sa : u < 0.15 ? sy : f32(sy * ratio());
    return { sa, sb, sy };
  }
  // MUL: the product ratio sa*sb/sy from 2^-20 to 2^10 (XNNPACK takes 2^-16..2^8).
  const sa = f32(logU(R, 1e-3, 1));
  const pr = R() < 0.5 ? logU(R, 2 ** -10, 4) : logU(R, 2 ** -20, 2 ** 10);
  const sb = f32((pr * sy) / sa);
  return { sa, sb, sy };
}

const zp = (R: () => number): number => (R() < 0.15 ? 0 : Math.floor(R() * 256) - 128);

/** Random int8 values: uniform, or clustered around a center (as activations are). */
function values(R: () => number, n: number): Int8Array {
  const a = new Int8Array(n);
  if (R() < 0.6) { for (let i = 0; i < n; i++) a[i] = Math.floor(R() * 256) - 128; return a; }
  const c = Math.floor(R() * 200) - 100, w = 1 + Math.floor(R() * 40);
  for (let i = 0; i < n; i++) a[i] = Math.max(-128, Math.min(127, c + Math.round((R() - 0.5) * 2 * w)));
  return a;
}

/** Every int8 value once, in order: [-128 .. 127]. */
const ALL_INT8 = Int8Array.from({ length: 256 }, (_, i) => i - 128);

/**
 * One random case of `op` with about `n` output elements; `exhaustive`: a [256,1] x [1,256]
 * table of every pair of int8 values instead (one case covers every input of its scales).
 */
export function makeCase(R: () => number, op: ElementwiseOp, n: number, k: number, exhaustive = false): SweepCase {
  const [shA, shB] = exhaustive ? [[256, 1], [1, 256]] : shapes(R, n);
  const act = R() < 0.6 ? 'NONE' : ACTS[1 + Math.floor(R() * 3)]!;
  const { sa, sb, sy } = scales(R, op, act);
  const za = zp(R), zb = zp(R), zy = zp(R);
  const constB = !exhaustive && R() < 0.2;
  const outShape = shA.length >= shB.length
    ? shA.map((d, i) => Math.max(d, shB[i - (shA.length - shB.length)] ?? 1))
    : shB.map((d, i) => Math.max(d, shA[i - (shB.length - shA.length)] ?? 1));
  const a = exhaustive ? ALL_INT8 : values(R, prod(shA)), b = exhaustive ? ALL_INT8 : values(R, prod(shB));
  const q = (s: number, z: number) => ({ scale: [s], zeroPoint: [z] });
  const tensors: TensorDesc[] = [
    { name: 'a', shape: shA, dtype: 'int8', quant: q(sa, za) },
    { name: 'b', shape: shB, dtype: 'int8', quant: q(sb, zb), ...(constB ? { data: b } : {}) },
    { name: 'y', shape: outShape, dtype: 'int8', quant: q(sy, zy) },
  ];
  const desc: ModelDesc = {
    tensors,
    operators: [{ op, inputs: ['a', 'b'], outputs: ['y'], options: { fused_activation_function: act } } as ModelDesc['operators'][number]],
    inputs: constB ? ['a'] : ['a', 'b'],
    outputs: ['y'],
  };
  const ratios = op === 'MUL' ? [(sa * sb) / sy] : [sa / sy, sb / sy];
  const name = `${k} ${op} [${shA}]${constB ? '(const)' : ''}x[${shB}] s=${sa.toPrecision(4)},${sb.toPrecision(4)}->${sy.toPrecision(4)}` +
    ` z=${za},${zb}->${zy} ${act}`;
  return { name, op, model: writeTflite(desc), inputs: constB ? [a] : [a, b], ratios };
}

/** Whether XNNPACK's delegate takes the case (its scale-ratio limits), for the report. */
export function xnnpackRange(c: SweepCase): boolean {
  if (c.xnnpack !== undefined) return c.xnnpack;
  return c.op === 'MUL'
    ? c.ratios[0]! >= 2 ** -16 && c.ratios[0]! < 256
    : c.ratios.every((r) => r >= 2 ** -10 && r < 256);
}

/**
 * One HARD_SWISH case (every int8 input, 16 times: 4,096 elements) or BATCH_MATMUL case
 * ([b, m, k] x [b or 1, k, n], adj_x/adj_y, input 1 constant or not, its zero point 0 or not).
 */
export function makeOtherCase(R: () => number, op: OtherOp, k: number): SweepCase {
  const q = (s: number, z: number) => ({ scale: [s], zeroPoint: [z] });
  const int = (n: number): number => Math.floor(R() * n);
  if (op === 'HARD_SWISH') {
    const sx = f32(logU(R, 2e-3, 0.5)), sy = f32(sx * logU(R, 0.05, 4)), zx = zp(R), zy = zp(R);
    const x = Int8Array.from({ length: 4096 }, (_, i) => (i & 255) - 128);
    const model = writeTflite({ tensors: [{ name: 'x', shape: [4096], dtype: 'int8', quant: q(sx, zx) }, { name: 'y', shape: [4096], dtype: 'int8', quant: q(sy, zy) }],
      operators: [{ op, inputs: ['x'], outputs: ['y'] }], inputs: ['x'], outputs: ['y'] });
    return { name: `${k} HARD_SWISH s=${sx.toPrecision(4)}->${sy.toPrecision(4)} z=${zx}->${zy}`, op, model, inputs: [x], ratios: [], xnnpack: false };
  }
  const b = 1 + int(3), m = 1 + int(64), kk = 1 + int(48), n = 1 + int(64), adjX = R() < 0.3, adjY = R() < 0.3;
  const by = R() < 0.25 ? 1 : b, constB = R() < 0.5, sym = R() < 0.5;
  const sx = f32(logU(R, 1e-3, 0.2)), sw = f32(logU(R, 1e-3, 0.2)), sy = f32(sx * sw * Math.sqrt(kk) * logU(R, 2, 200));
  const zx = zp(R), zw = sym ? 0 : zp(R), zy = zp(R);
  const x = values(R, b * m * kk), w = values(R, by * kk * n);
  const model = writeTflite({
    tensors: [
      { name: 'x', shape: adjX ? [b, kk, m] : [b, m, kk], dtype: 'int8', quant: q(sx, zx) },
      { name: 'w', shape: adjY ? [by, n, kk] : [by, kk, n], dtype: 'int8', quant: q(sw, zw), ...(constB ? { data: w } : {}) },
      { name: 'y', shape: [b, m, n], dtype: 'int8', quant: q(sy, zy) }],
    operators: [{ op, inputs: ['x', 'w'], outputs: ['y'], options: { adj_x: adjX, adj_y: adjY } }],
    inputs: constB ? ['x'] : ['x', 'w'], outputs: ['y'],
  });
  const name = `${k} BATCH_MATMUL [${b},${m},${kk}]${adjX ? 'T' : ''}x[${by},${kk},${n}]${adjY ? 'T' : ''}${constB ? '(const)' : ''}` +
    ` s=${sx.toPrecision(4)},${sw.toPrecision(4)}->${sy.toPrecision(4)} z=${zx},${zw}->${zy}`;
  return { name, op, model, inputs: constB ? [x] : [x, w], ratios: [], xnnpack: zw === 0 };
}

/** `count` HARD_SWISH / BATCH_MATMUL cases, alternating, deterministic in `seed`. */
export function makeOtherCases(seed: number, count: number): SweepCase[] {
  const R = rng(seed);
  return Array.from({ length: count }, (_, k) => makeOtherCase(R, k % 2 ? 'BATCH_MATMUL' : 'HARD_SWISH', k));
}

/** Cases of the sweep, deterministic in `seed`; the first `exhaustive` are all-pairs tables. */
export function makeCases(seed: number, count: number, min: number, max: number, ops: ElementwiseOp[], exhaustive = 0): SweepCase[] {
  const R = rng(seed);
  return Array.from({ length: count }, (_, k) => makeCase(R, ops[k % ops.length]!, Math.round(logU(R, min, max)), k, k < exhaustive));
}

/** tglite's output of a case (`reference`: TFLite's own kernels' arithmetic, as TFLite Micro). */
export async function runOurs(c: SweepCase, reference = false): Promise<Int8Array> {
  if (reference) setRequantMode('reference');
  try {
    const m = await loadModel(c.model);
    try { return m.runSync(c.inputs)[0]!.data as Int8Array; } finally { m.dispose(); }
  } finally { setRequantMode('fp32'); }
}

/** Index and values of the first difference, and the number of differing elements. */
export function diff(ours: ArrayLike<number>, ref: ArrayLike<number>): { count: number; first: number; maxAbs: number } {
  let count = 0, first = -1, maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i]! - ref[i]!);
    if (d !== 0) { count++; if (first < 0) first = i; if (d > maxAbs) maxAbs = d; }
  }
  if (ours.length !== ref.length) count += Math.abs(ours.length - ref.length);
  return { count, first, maxAbs };
}

async function main(): Promise<void> {
  const fixture = process.argv.includes('--fixture');
  const seed = Number(argOf('--seed') ?? (fixture ? 20240 : 1));
  const count = Number(argOf('--cases') ?? (fixture ? 72 : 300));
  const min = Number(argOf('--min') ?? (fixture ? 200 : 10_000));
  const max = Number(argOf('--max') ?? (fixture ? 1500 : 100_000));
  // all-pairs tables: every int8 input pair for the case's scales (65,536 elements each)
  const exhaustive = Number(argOf('--exhaustive') ?? (fixture ? 24 : 30));
  const ops = (argOf('--ops') ?? 'ADD,SUB,MUL').split(',') as ElementwiseOp[];
  const ref = await openReference(argOf('--ref'));
  const cases = [...makeCases(seed, count, min, max, ops, exhaustive), ...makeOtherCases(seed + 1, Number(argOf('--other') ?? (fixture ? 24 : 60)))];
  const stats = new Map<string, { cases: number; elems: number; bad: number; badElems: number; tfjsBad: number; refBad: number; refBadElems: number }>();
  const stored: unknown[] = [];
  let failed = 0;
  for (const c of cases) {
    const inputs = c.inputs.map((a) => ({ b64: toB64(a) }));
    let lr: RefOutput[];
    try { lr = await ref.run('litert', c.model, inputs); } catch (e) {
      console.log(`REJECTED by LiteRT.js: ${c.name}: ${String((e as Error).message).split('\n')[0]}`);
      continue;
    }
    const tf = await ref.run('tfjs', c.model, inputs);
    const want = lr[0]!.data;
    const ours = await runOurs(c);
    const d = diff(ours, want), dt = diff(tf[0]!.data, want), dr = diff(await runOurs(c, true), want);
    const key = `${c.op} ${xnnpackRange(c) ? 'in XNNPACK range' : 'outside XNNPACK range'}`;
    const s = stats.get(key) ?? { cases: 0, elems: 0, bad: 0, badElems: 0, tfjsBad: 0, refBad: 0, refBadElems: 0 };
    stats.set(key, s);
    s.cases++; s.elems += want.length;
    if (dt.count) {
      s.tfjsBad++;
      console.log(`note: tfjs-tflite differs from LiteRT.js on ${c.name} (${dt.count}/${want.length} elements; ratios ${c.ratios.map((r) => r.toPrecision(7)).join(', ')})`);
    }
    if (dr.count) { s.refBad++; s.refBadElems += dr.count; }
    if (d.count) {
      s.bad++; s.badElems += d.count; failed++;
      console.log(`MISMATCH ${c.name}: ${d.count}/${want.length} elements, max ${d.maxAbs} (first [${d.first}]: ours ${ours[d.first]}, LiteRT.js ${want[d.first]})`);
    }
    if (fixture) {
      const z = (a: ArrayBufferView): string => toB64(deflateRawSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength), { level: 9 }));
      stored.push({ name: c.name, op: c.op, xnnpack: xnnpackRange(c), model: z(c.model), inputs: c.inputs.map(z), output: z(Int8Array.from(want)) });
    }
  }
  console.log(`\nseed ${seed}, ${cases.length} cases, ${min}..${max} elements each`);
  for (const [k, s] of [...stats].sort()) {
    console.log(`  ${k.padEnd(32)} ${String(s.cases).padStart(4)} cases ${String(s.elems).padStart(9)} elements: ` +
      `${s.bad} cases / ${s.badElems} elements differ from LiteRT.js; tfjs-tflite differs in ${s.tfjsBad} cases; ` +
      `TFLite-kernel arithmetic ('reference' mode) differs in ${s.refBad} cases / ${s.refBadElems} elements`);
  }
  if (fixture) {
    const file = path.join(ROOT, 'test/lite/int8/fixtures/elementwise.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const doc = {
      generator: `scripts/int8-sweep.ts --fixture --seed ${seed} --cases ${count} --min ${min} --max ${max} --exhaustive ${exhaustive}`,
      reference: 'LiteRT.js @litertjs/core 2.5.3 (CPU, XNNPACK), one thread',
      encoding: 'model, inputs and output: raw bytes, deflateRaw, base64', cases: stored,
    };
    fs.writeFileSync(file, JSON.stringify(doc) + '\n');
    console.log(`wrote ${stored.length} cases to ${path.relative(ROOT, file)}`);
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
