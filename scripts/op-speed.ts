/**
 * Speed per op type beside LiteRT.js: cuts every operator of a model into a one-op model (the
 * writer; constant inputs kept, the others become the model's inputs), groups equal cuts (op,
 * shapes, options), and times each group in tglite and LiteRT.js in interleaved rounds. Both
 * are timed alike, one run at a time, inputs set once and outputs left where the run put them
 * (tglite `runSync` with `views`, LiteRT.js's harness without read-back; tglite still copies its
 * inputs in on every run). Per op type: the sum over the model of the best times and the ratio
 * (LiteRT.js / tglite: < 1 means tglite is slower on that op type, per element).
 *
 *   npx tsx scripts/op-speed.ts MODEL.tflite ... [--rounds 7] [--ms 20] [--op CONV_2D]
 */
import fs from 'node:fs';
import path from 'node:path';
import { descFromModel, writeTflite } from '../converter/tflite-writer/index.js';
import type { ModelDesc, OperatorDesc, TensorDesc } from '../converter/tflite-writer/types.js';
import { loadModel, parseModel } from '../lite-runtime/index.js';
import { liteRtPeer } from '../bench/lite-peers.js';
import { makeInputs } from './diff-tflite.js';
import { argOf } from './tflite-ref.js';

const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };

/** Operator `i` of `desc` alone: its constant inputs kept, its other inputs the model's inputs; `key` names equal cuts. */
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
  const key = JSON.stringify([op.op, inputs.map((t) => (t < 0 ? null : [tensors[t]!.shape, tensors[t]!.dtype, !!tensors[t]!.data])), op.options ?? null]);
  return { bytes: writeTflite({ tensors, operators: [{ ...op, inputs, outputs } as OperatorDesc], inputs: ins, outputs }), key };
}

export interface OpSpeed { op: string; count: number; shapes: string; ours: number; oursMedian: number; litert: number; litertMedian: number }

/** Times every distinct one-op cut of the model at `file` (best and median ms per run, per cut). */
export async function opSpeed(file: string, o: { rounds: number; ms: number; only?: string }): Promise<OpSpeed[]> {
  const desc = descFromModel(parseModel(new Uint8Array(fs.readFileSync(file))));
  const groups = new Map<string, { op: string; bytes: Uint8Array; count: number }>();
  desc.operators.forEach((op, i) => {
    if (o.only && op.op !== o.only) return;
    const { bytes, key } = oneOp(desc, i);
    const g = groups.get(key) ?? { op: op.op, bytes, count: 0 };
    g.count++;
    groups.set(key, g);
  });
  const lr = await liteRtPeer();
  const out: OpSpeed[] = [];
  for (const g of groups.values()) {
    const sg = parseModel(g.bytes).subgraphs[0]!;
    const inputs = makeInputs(sg.tensors, sg.inputs, 1);
    const shapes = `[${sg.inputs.map((i) => sg.tensors[i]!.shape.join('x')).join(', ')}] -> [${sg.outputs.map((i) => sg.tensors[i]!.shape.join('x')).join(', ')}]`;
    const m = await loadModel(g.bytes);
    const c = await lr.compile(g.bytes, { fix: {}, numThreads: 1 });
    const feed = inputs.map((a) => ({ data: a as ArrayLike<number> }));
    const theirs = (n: number) => lr.bench(c, feed, { warmup: 0, iters: n, readback: false });
    const ours = (n: number): { minMs: number; medianMs: number } => {
      const t: number[] = [];
      for (let i = 0; i < n; i++) { const t0 = performance.now(); m.runSync(inputs, { views: true }); t.push(performance.now() - t0); }
      return { minMs: Math.min(...t), medianMs: median(t) };
    };
    const once = ours(5).medianMs;
    await theirs(5);
    const per = Math.max(3, Math.min(500, Math.ceil(o.ms / Math.max(once, 0.002))));
    const a: { minMs: number; medianMs: number }[] = [], b: { minMs: number; medianMs: number }[] = [];
    for (let r = 0; r < o.rounds; r++) { a.push(ours(per)); b.push(await theirs(per)); }
    m.dispose();
    c.delete();
    out.push({
      op: g.op, count: g.count, shapes,
      ours: Math.min(...a.map((x) => x.minMs)), oursMedian: median(a.map((x) => x.medianMs)),
      litert: Math.min(...b.map((x) => x.minMs)), litertMedian: median(b.map((x) => x.medianMs)),
    });
  }
  return out;
}

async function main(): Promise<void> {
  const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').match(/^--(rounds|ms|op)$/));
  const o = { rounds: Number(argOf('--rounds') ?? 7), ms: Number(argOf('--ms') ?? 20), ...(argOf('--op') ? { only: argOf('--op')! } : {}) };
  const us = (ms: number): string => (ms * 1000).toFixed(1);
  for (const f of files) {
    const list = await opSpeed(f, o);
    console.log(`\n${path.basename(f)}: ${list.length} distinct one-op cuts; best (median) µs per run, ratio LiteRT.js / tglite (< 1: tglite slower)`);
    const byType = new Map<string, { ours: number; litert: number; count: number }>();
    for (const s of list) {
      console.log(`  ${s.op.padEnd(20)} ${String(s.count).padStart(2)}x ${s.shapes}: tglite ${us(s.ours)} (${us(s.oursMedian)}), LiteRT.js ${us(s.litert)} (${us(s.litertMedian)}): ${(s.litert / s.ours).toFixed(2)}x`);
      const e = byType.get(s.op) ?? { ours: 0, litert: 0, count: 0 };
      e.ours += s.ours * s.count; e.litert += s.litert * s.count; e.count += s.count;
      byType.set(s.op, e);
    }
    console.log('  per op type, sum over the model of the best times:');
    for (const [op, e] of [...byType].sort((x, y) => y[1].ours - x[1].ours)) {
      console.log(`    ${op.padEnd(20)} ${String(e.count).padStart(3)}x tglite ${e.ours.toFixed(3).padStart(8)} ms, LiteRT.js ${e.litert.toFixed(3).padStart(8)} ms: ${(e.litert / e.ours).toFixed(2)}x${e.litert < e.ours ? '  SLOWER' : ''}`);
    }
  }
  process.exit(0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
