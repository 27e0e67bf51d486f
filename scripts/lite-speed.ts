/**
 * One model, one thread, the same run: tglite's median inference and its time per op type
 * (`profile`), beside LiteRT.js and tfjs-tflite: wall medians, then the CPU time of this
 * process per inference in interleaved rounds (tglite, LiteRT.js, tfjs-tflite, again), which a
 * loaded machine perturbs least and alike for all (best and median of the rounds).
 *
 *   npx tsx scripts/lite-speed.ts MODEL.tflite ... [--iters 30] [--rounds 7] [--ref DIR] [--no-peers]
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadModel, parseModel, type TypedArray } from '../lite-runtime/index.js';
import { makeInputs } from './diff-tflite.js';
import { argOf, openReference } from './tflite-ref.js';

const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!; };
const cpuMs = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

async function main(): Promise<void> {
  const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').match(/^--(iters|rounds|ref)$/));
  const iters = Number(argOf('--iters') ?? 30), rounds = Number(argOf('--rounds') ?? 7);
  const ref = process.argv.includes('--no-peers') ? null : await openReference(argOf('--ref'));
  for (const f of files) {
    const bytes = new Uint8Array(fs.readFileSync(f));
    const sg = parseModel(bytes).subgraphs[0]!;
    const inputs: TypedArray[] = makeInputs(sg.tensors, sg.inputs, 1);
    const t0 = performance.now();
    const m = await loadModel(bytes);
    const loadMs = performance.now() - t0;
    for (let i = 0; i < 3; i++) m.runSync(inputs);
    const times: number[] = [];
    for (let i = 0; i < iters; i++) { const s = performance.now(); m.runSync(inputs); times.push(performance.now() - s); }
    const byOp = new Map<string, { ms: number[]; count: number }>();
    const runs = 5;
    for (let r = 0; r < runs; r++) {
      const agg = new Map<string, number>();
      let count = new Map<string, number>();
      for (const p of m.profile(inputs)) { agg.set(p.op, (agg.get(p.op) ?? 0) + p.ms); count.set(p.op, (count.get(p.op) ?? 0) + 1); }
      for (const [op, ms] of agg) { const e = byOp.get(op) ?? { ms: [], count: count.get(op)! }; e.ms.push(ms); byOp.set(op, e); }
      count = new Map();
    }
    const ours = median(times);
    console.log(`\n${path.basename(f)}: tglite median ${ours.toFixed(2)} ms (best ${Math.min(...times).toFixed(2)}), load ${loadMs.toFixed(0)} ms`);
    for (const [op, e] of [...byOp].sort((a, b) => median(b[1].ms) - median(a[1].ms))) {
      console.log(`  ${op.padEnd(20)} ${String(e.count).padStart(3)}x ${median(e.ms).toFixed(2).padStart(8)} ms`);
    }
    if (!ref) { m.dispose(); continue; }
    // typed arrays: the harnesses copy them natively on each call (base64 costs LiteRT.js tens of ms per call for an image)
    const feed = inputs.map((a) => ({ data: a as Float32Array }));
    const peers: { name: string; runs: (n: number) => Promise<unknown>; cpu: number[]; del: () => void }[] = [];
    for (const rt of ['litert', 'tfjs'] as const) {
      const name = rt === 'litert' ? 'LiteRT.js  ' : 'tfjs-tflite';
      try {
        const b = await ref.bench(rt, bytes, feed, iters);
        console.log(`  ${name} median ${b.medianMs.toFixed(2)} ms (best ${b.minMs.toFixed(2)}); tglite / it = ${(ours / b.medianMs).toFixed(2)}x`);
        const c = await ref.compile(rt, bytes, feed);
        await c.runs(Math.max(3, Math.ceil(300 / ours))); // a fresh compile packs weights and its wasm tiers up on the first runs
        peers.push({ name, runs: (n) => c.runs(n), cpu: [], del: () => c.delete() });
      } catch (e) { console.log(`  ${name} ${(e as Error).message.split('\n')[0]}`); }
    }
    // interleaved rounds of CPU time per inference (about 100 ms each)
    const per = Math.max(1, Math.ceil(100 / Math.max(ours, 1))), own: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = cpuMs();
      for (let i = 0; i < per; i++) m.runSync(inputs);
      own.push((cpuMs() - t) / per);
      for (const p of peers) { t = cpuMs(); await p.runs(per); p.cpu.push((cpuMs() - t) / per); }
    }
    m.dispose();
    const fig = (a: number[]): string => `best ${Math.min(...a).toFixed(2)} ms, median ${median(a).toFixed(2)}`;
    console.log(`  CPU per inference, ${rounds} interleaved rounds of ${per}: tglite ${fig(own)}`);
    for (const p of peers) {
      console.log(`    ${p.name} ${fig(p.cpu)}; it / tglite = ${(Math.min(...p.cpu) / Math.min(...own)).toFixed(2)}x best, ${(median(p.cpu) / median(own)).toFixed(2)}x median (> 1: tglite faster)`);
      p.del();
    }
  }
}

await main();
