/**
 * Per op type speed beside LiteRT.js: cuts every operator of a model into a one-op model
 * (the writer; constant inputs kept, the others become the model's inputs), groups equal
 * cuts (op, shapes, options), and times each group in tglite and LiteRT.js as CPU time of
 * this process in interleaved rounds (best and median), outputs not copied out, less the
 * time of a RESHAPE of the same input 0 (feeding it and one invoke). Per op type: the sum
 * over the model of the best times, and the ratio (> 1: tglite faster).
 *
 *   npx tsx scripts/op-speed-float.ts MODEL.tflite ... [--rounds 7] [--ms 50] [--op MUL] [--ref DIR]
 */
import fs from 'node:fs';
import path from 'node:path';
import { descFromModel, writeTflite } from '../converter/tflite-writer/index.js';
import type { ModelDesc, OperatorDesc, TensorDesc } from '../converter/tflite-writer/types.js';
import { loadModel, parseModel } from '../lite-runtime/index.js';
import { makeInputs } from './diff-tflite.js';
import { argOf, openReference } from './tflite-ref.js';

const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };
const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const cpuOf = async (f: () => Promise<unknown>): Promise<number> => { const t = cpuMs(); await f(); return cpuMs() - t; };
/** Ours without copying outputs; LiteRT.js without reading them back (its runs set the inputs once per call; ours copies them in every run). */
const views = { views: true };

/** Operator `i` of `desc` alone: its constant inputs kept, its other inputs the model's inputs. */
export function oneOp(desc: ModelDesc, i: number): { bytes: Uint8Array; key: string } {
  const op = desc.operators[i]!, tensors: TensorDesc[] = [], ids = new Map<number, number>(), ins: number[] = [];
  const ref = (r: number | string): number => {
    const t = typeof r === 'number' ? r : desc.tensors.findIndex((x) => x.name === r);
    if (t < 0) return -1;
    if (!ids.has(t)) { ids.set(t, tensors.length); tensors.push({ ...desc.tensors[t]!, name: `t${tensors.length}` }); }
    return ids.get(t)!;
  };
  const inputs = op.inputs.map((r) => {
    const t = ref(r);
    if (t >= 0 && !tensors[t]!.data && !tensors[t]!.isVariable && !ins.includes(t)) ins.push(t);
    return t;
  });
  const outputs = op.outputs.map(ref);
  const cut = { ...op, inputs, outputs } as OperatorDesc;
  const key = JSON.stringify([op.op, inputs.map((t) => t < 0 ? null : [tensors[t]!.shape, !!tensors[t]!.data]), op.options ?? null]);
  return { bytes: writeTflite({ tensors, operators: [cut], inputs: ins, outputs }), key };
}

/** A RESHAPE of the model's input 0 to its own shape: what feeding that input and one invoke cost. */
function feedOnly(bytes: Uint8Array): Uint8Array {
  const sg = parseModel(bytes).subgraphs[0]!, t = sg.tensors[sg.inputs[0]!]!;
  return writeTflite({
    tensors: [{ name: 'x', shape: t.shape, dtype: t.dtype }, { name: 's', shape: [t.shape.length], dtype: 'int32', data: Int32Array.from(t.shape) },
      { name: 'y', shape: t.shape, dtype: t.dtype }],
    operators: [{ op: 'RESHAPE', inputs: ['x', 's'], outputs: ['y'] }], inputs: ['x'], outputs: ['y'],
  });
}

type Ref = Awaited<ReturnType<typeof openReference>>;

/** Best and median CPU ms per run of `bytes` in tglite and LiteRT.js (NaN: it does not load), in interleaved rounds. */
async function time(ref: Ref, bytes: Uint8Array, rounds: number, ms: number): Promise<{ ours: number[]; lr: number[] }> {
  const sg = parseModel(bytes).subgraphs[0]!;
  const inputs = makeInputs(sg.tensors, sg.inputs, 1);
  const m = await loadModel(bytes);
  let c: Awaited<ReturnType<Ref['compile']>> | null = null;
  try { c = await ref.compile('litert', bytes, inputs.map((a) => ({ data: a as Float32Array })), false); } catch (e) { console.log(`  LiteRT.js: ${(e as Error).message.split('\n')[0]}`); }
  for (let i = 0; i < 3; i++) m.runSync(inputs, views);
  if (c) await c.runs(3);
  let t = cpuMs();
  m.runSync(inputs, views);
  const per = Math.max(1, Math.ceil(ms / Math.max(cpuMs() - t, 0.005)));
  const own: number[] = [], lr: number[] = [];
  for (let r = 0; r < rounds; r++) {
    t = cpuMs();
    for (let i = 0; i < per; i++) m.runSync(inputs, views);
    own.push((cpuMs() - t) / per);
    lr.push(c ? await cpuOf(() => c.runs(per)) / per : NaN);
  }
  m.dispose();
  c?.delete();
  const fig = (a: number[]): number[] => [Math.min(...a), median(a)];
  return { ours: fig(own), lr: fig(lr) };
}

async function main(): Promise<void> {
  const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').match(/^--(rounds|ms|op|ref)$/));
  const rounds = Number(argOf('--rounds') ?? 7), ms = Number(argOf('--ms') ?? 50), only = argOf('--op');
  const ref = await openReference(argOf('--ref'));
  for (const f of files) {
    const desc = descFromModel(parseModel(new Uint8Array(fs.readFileSync(f))));
    const groups = new Map<string, { op: string; bytes: Uint8Array; count: number; n: number }>();
    desc.operators.forEach((op, i) => {
      if (only && op.op !== only) return;
      const { bytes, key } = oneOp(desc, i);
      const out = desc.tensors[typeof op.outputs[0] === 'number' ? op.outputs[0] : 0]!;
      const g = groups.get(key) ?? { op: op.op, bytes, count: 0, n: numel(out.shape) };
      g.count++;
      groups.set(key, g);
    });
    console.log(`\n${path.basename(f)}: ${groups.size} distinct one-op cuts of ${desc.operators.length} operators (µs per run, best / median, less a RESHAPE of the same input)`);
    const byType = new Map<string, { ours: number; lr: number }>();
    for (const g of groups.values()) {
      if (g.op === 'RESHAPE') continue;
      const op = await time(ref, g.bytes, rounds, ms), base = await time(ref, feedOnly(g.bytes), rounds, ms);
      const o = op.ours.map((v, i) => v - base.ours[i]!), l = op.lr.map((v, i) => v - base.lr[i]!);
      const e = byType.get(g.op) ?? { ours: 0, lr: 0 };
      e.ours += o[0]! * g.count; e.lr += l[0]! * g.count;
      byType.set(g.op, e);
      const sg = parseModel(g.bytes).subgraphs[0]!, shapes = sg.inputs.map((i) => sg.tensors[i]!.shape.join('x')).join(', ');
      const us = (v: number[]): string => `${(v[0]! * 1000).toFixed(1)} / ${(v[1]! * 1000).toFixed(1)}`;
      console.log(`  ${g.op.padEnd(18)} ${String(g.count).padStart(2)}x [${shapes}] -> ${g.n}: tglite ${us(o)}, LiteRT.js ${us(l)}: ${(l[0]! / o[0]!).toFixed(2)}x`);
    }
    console.log('  per op type, sum of best times over the model (> 1: tglite faster):');
    for (const [op, e] of [...byType].sort((a, b) => b[1].ours - a[1].ours)) {
      console.log(`    ${op.padEnd(18)} tglite ${e.ours.toFixed(3).padStart(8)} ms, LiteRT.js ${e.lr.toFixed(3).padStart(8)} ms: ${(e.lr / e.ours).toFixed(2)}x`);
    }
  }
}

if (process.argv[1]?.endsWith('op-speed-float.ts')) await main();
