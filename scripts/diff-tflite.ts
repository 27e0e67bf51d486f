/**
 * Tensor-by-tensor differential harness: cuts a .tflite after each operator (the writer
 * rewrites the model so that the operator's outputs are the model's outputs), runs every
 * cut in tglite and in the real runtime (LiteRT.js; tfjs-tflite with --tfjs), and compares
 * each intermediate tensor. Reports the first operator whose outputs differ, and every one.
 *
 *   npx tsx scripts/diff-tflite.ts MODEL.tflite|DIR ... [--runs 3] [--seed 1] [--ref DIR] [--tfjs] [--quiet]
 *   npx tsx scripts/diff-tflite.ts --fixture OUT.json MODEL.tflite   # the reference's intermediates, for a test
 *
 * Inputs are seeded random values (int8: uniform over [-128, 127]; float: [-1, 1]).
 * int8/int16/uint8/int32 tensors must be equal; float32 within 1e-5 relative (reported as max error).
 * Exits 1 when any cut of any model differs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { descFromModel, writeTflite } from '../converter/tflite-writer/index.js';
import type { ModelDesc } from '../converter/tflite-writer/types.js';
import { loadModel, parseModel, type TypedArray } from '../lite-runtime/index.js';
import type { TensorDef } from '../lite-runtime/format/model.js';
import { rng } from './int8-sweep.js';
import { argOf, openReference, toB64, type Reference, type RuntimeName } from './tflite-ref.js';

const CTOR: Record<string, new (n: number) => TypedArray> = {
  float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, bool: Uint8Array,
};

/** Seeded inputs for the model's inputs. */
export function makeInputs(tensors: TensorDef[], inputs: number[], seed: number): TypedArray[] {
  const R = rng(seed);
  return inputs.map((i) => {
    const t = tensors[i]!;
    const C = CTOR[t.dtype];
    if (!C) throw new Error(`input ${t.name}: dtype ${t.dtype} not handled`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    const a = new C(n);
    for (let k = 0; k < n; k++) {
      a[k] = t.dtype === 'float32' ? R() * 2 - 1 : t.dtype === 'int8' ? Math.floor(R() * 256) - 128
        : t.dtype === 'uint8' ? Math.floor(R() * 256) : t.dtype === 'int16' ? Math.floor(R() * 65536) - 32768 : Math.floor(R() * 8);
    }
    return a;
  });
}

/** The model with operators after `last` dropped and `last`'s outputs as the model's outputs. */
export function cutAfter(desc: ModelDesc, last: number): Uint8Array {
  const op = desc.operators[last]!;
  const cut: ModelDesc = { ...desc, operators: desc.operators.slice(0, last + 1), outputs: op.outputs };
  delete (cut as { signatureDefs?: unknown }).signatureDefs;
  return writeTflite(cut);
}

export interface CutResult {
  op: number;
  name: string;
  tensor: string;
  dtype: string;
  shape: number[];
  /** Differing elements (int) or elements beyond tolerance (float). */
  bad: number;
  maxErr: number;
  /** The runtime that gave the reference. */
  ref: RuntimeName;
  error?: string;
}

/** Compares one cut in tglite and the reference; one result per output tensor of the op. */
async function compareCut(
  ref: Reference, rt: RuntimeName, bytes: Uint8Array, inputs: TypedArray[], op: number, opName: string, outs: TensorDef[],
): Promise<CutResult[]> {
  const base = (t: TensorDef): CutResult => ({ op, name: opName, tensor: t.name, dtype: t.dtype, shape: t.shape, bad: 0, maxErr: 0, ref: rt });
  let theirs, used = rt;
  const feed = inputs.map((a) => ({ b64: toB64(a) }));
  try { theirs = await ref.run(rt, bytes, feed, {}); } catch (e) {
    // LiteRT.js rejects some valid models (variable tensors): tfjs-tflite is the reference there
    used = rt === 'litert' ? 'tfjs' : 'litert';
    try { theirs = await ref.run(used, bytes, feed, {}); } catch {
      return outs.map((t) => ({ ...base(t), bad: -1, maxErr: NaN, error: `reference: ${String((e as Error).message).split('\n')[0]}` }));
    }
  }
  let ours;
  try {
    const m = await loadModel(bytes);
    try { ours = m.runSync(inputs); } finally { m.dispose(); }
  } catch (e) {
    return outs.map((t) => ({ ...base(t), bad: -1, maxErr: NaN, error: `tglite: ${String((e as Error).message).split('\n')[0]}` }));
  }
  return outs.map((t, k) => {
    const r = { ...base(t), ref: used };
    const want = theirs.find((o) => o.name === t.name) ?? theirs[k]!, got = ours[k]!.data;
    if (want.data.length !== got.length) return { ...r, bad: -1, maxErr: NaN, error: `sizes ${got.length} vs ${want.data.length}` };
    const float = t.dtype === 'float32';
    for (let i = 0; i < got.length; i++) {
      const a = Number(got[i]), b = want.data[i]!;
      const e = Math.abs(a - b);
      if (!(e <= r.maxErr)) r.maxErr = Number.isNaN(e) ? Infinity : e;
      if (float ? !(e <= 1e-5 * Math.max(1, Math.abs(b))) : e !== 0) r.bad++;
    }
    return r;
  });
}

/** Cuts `file` after every operator and compares every cut over `runs` seeded inputs. */
export async function diffModel(ref: Reference, file: string, o: { runs: number; seed: number; rt: RuntimeName; quiet: boolean }): Promise<CutResult[]> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const def = parseModel(bytes);
  const sg = def.subgraphs[0]!;
  const desc = descFromModel(def);
  const worst: CutResult[] = [];
  for (let i = 0; i < sg.operators.length; i++) {
    const op = sg.operators[i]!;
    const cut = cutAfter(desc, i);
    const outs = op.outputs.map((t) => sg.tensors[t]!);
    for (let run = 0; run < o.runs; run++) {
      const res = await compareCut(ref, o.rt, cut, makeInputs(sg.tensors, sg.inputs, o.seed + run), i, op.name, outs);
      res.forEach((r, k) => {
        const w = worst[i * 16 + k];
        if (!w || r.bad < 0 || (w.bad >= 0 && (r.bad > w.bad || r.maxErr > w.maxErr))) worst[i * 16 + k] = r;
      });
    }
  }
  const list = worst.filter(Boolean);
  const first = list.find((r) => r.bad !== 0);
  console.log(`\n${path.basename(file)}: ${sg.operators.length} operators, ${o.runs} seeded inputs, against ${o.rt === 'litert' ? 'LiteRT.js' : 'tfjs-tflite'}`);
  for (const r of list) {
    if (o.quiet && r.bad === 0) continue;
    const n = r.shape.reduce((a, b) => a * b, 1);
    const what = r.error ? `ERROR ${r.error}` : r.bad ? `${r.bad}/${n} elements differ (max ${r.maxErr})` : `equal${r.dtype === 'float32' ? ` (max err ${r.maxErr.toExponential(1)})` : ''}`;
    console.log(`  #${String(r.op).padStart(3)} ${r.name.padEnd(20)} ${r.dtype.padEnd(7)} [${r.shape}] ${what}${r.ref !== o.rt ? ` (vs ${r.ref === 'tfjs' ? 'tfjs-tflite' : 'LiteRT.js'}: ${o.rt === 'litert' ? 'LiteRT.js' : 'tfjs-tflite'} rejects the model)` : ''}`);
  }
  console.log(first ? `  FIRST DIFFERENCE: operator #${first.op} ${first.name} (output ${first.tensor})` : '  every intermediate tensor equals the reference');
  return list;
}

/**
 * Stores the model, one seeded input and LiteRT.js's output of every cut (deflated, base64)
 * for test/lite/int8/diff-harness.test.ts, which replays the cuts without the reference runtimes.
 */
async function writeFixture(ref: Reference, file: string, out: string, seed: number): Promise<void> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const def = parseModel(bytes);
  const sg = def.subgraphs[0]!;
  const desc = descFromModel(def);
  const inputs = makeInputs(sg.tensors, sg.inputs, seed);
  const z = (a: ArrayBufferView): string => toB64(deflateRawSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength), { level: 9 }));
  const cuts = [];
  for (let i = 0; i < sg.operators.length; i++) {
    const outs = await ref.run('litert', cutAfter(desc, i), inputs.map((a) => ({ b64: toB64(a) })), {});
    cuts.push({ op: i, name: sg.operators[i]!.name, outputs: outs.map((o) => ({ dtype: o.dtype, shape: o.shape, data: z(new (CTOR[o.dtype]!)(o.data as never)) })) });
  }
  fs.writeFileSync(out, JSON.stringify({
    generator: `scripts/diff-tflite.ts --fixture ${path.basename(out)} ${path.basename(file)} --seed ${seed}`,
    reference: 'LiteRT.js @litertjs/core 2.5.3 (CPU, XNNPACK), one thread',
    encoding: 'model, inputs and outputs: raw bytes, deflateRaw, base64',
    model: z(bytes), inputs: inputs.map(z), cuts,
  }) + '\n');
  console.log(`wrote ${cuts.length} cuts of ${file} to ${out}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) { if (!['--tfjs', '--quiet'].includes(a)) i++; continue; }
    if (fs.statSync(a).isDirectory()) files.push(...fs.readdirSync(a).filter((f) => f.endsWith('.tflite')).sort().map((f) => path.join(a, f)));
    else files.push(a);
  }
  if (!files.length) throw new Error('usage: npx tsx scripts/diff-tflite.ts MODEL.tflite|DIR ... [--runs 3] [--seed 1] [--ref DIR] [--tfjs] [--quiet]');
  const ref = await openReference(argOf('--ref'));
  const fixture = argOf('--fixture');
  if (fixture) { await writeFixture(ref, files[0]!, fixture, Number(argOf('--seed') ?? 1)); return; }
  const o = { runs: Number(argOf('--runs') ?? 3), seed: Number(argOf('--seed') ?? 1), rt: (args.includes('--tfjs') ? 'tfjs' : 'litert') as RuntimeName, quiet: args.includes('--quiet') };
  let failed = false;
  for (const f of files) if ((await diffModel(ref, f, o)).some((r) => r.bad !== 0)) failed = true;
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
