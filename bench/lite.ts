/**
 * Lite runtime benchmark: for each real model in test/fixtures/tflite-micro and two float32 networks
 * written with converter/tflite-writer (bench/lite-models.ts), our `loadModel` beside
 * LiteRT.js and tfjs-tflite running the very same .tflite bytes, and onnxruntime-web
 * running the float networks exported to ONNX; all single-threaded, same run:
 * - load: bytes -> ready to run (median of 5, warm process);
 * - cold start: new Node process -> first result (median of 3; bench/lite-cold.mjs;
 *   ours loads the esbuild bundle of scripts/bundle-lite.mjs);
 * - inference: median latency of one batch-1 run, outputs read back (µs), after ~300 ms of warm-up runs
 *   (every runtime alike), as wall-clock time (median) and as CPU time of this process (the best of
 *   5 rounds, per run: what a busy machine perturbs least); per model, ours and the peers are timed
 *   in turn (`interleaved`), so a slow spell of the machine falls on all of them;
 * - memory (ours): the weights as the kernels hold them (`model.memory.packedBytes`) over the file's.
 * Beside the tiny models, real-size ones (bench/lite-large.ts: MobileNetV2 and ResNet18 at 224,
 * int8 and float32, a transformer encoder, an LSTM); `LITE_BENCH_LARGE=0` leaves them out.
 * Run standalone: `npx tsx bench/lite.ts`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadModel, type LiteModel } from '../lite-runtime/index.js';
import { convnetModel, mlpModel, type BenchNet } from './lite-models.js';
import { largeModels } from './lite-large.js';
import { CACHE, ROOT, harnessDir, liteRtPeer, ortWeb, tfjsTflitePeer, type PeerInput, type TflitePeer } from './lite-peers.js';
import { formatRows, type BenchRow } from './types.js';
// @ts-expect-error plain ESM script without type declarations
import { bundleLite } from '../scripts/bundle-lite.mjs';

const MODELS_DIR = path.join(ROOT, 'test/fixtures/tflite-micro');
const COLD_RUNS = 3;

interface Item { name: string; file: string; bytes: Uint8Array; net?: BenchNet }

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export function seeded(n: number, dtype: string, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    out.push(dtype === 'float32' ? Math.fround(u * 2 - 1) : dtype === 'int8' ? Math.floor(u * 256) - 128 : Math.floor(u * 256));
  }
  return out;
}

const CTOR: Record<string, { from(a: number[]): Float32Array | Int8Array | Uint8Array | Int16Array | Int32Array }> = {
  float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array,
};

/** Times `fn` until `iters` runs or `minMs`, after `warmup` runs; returns the median in ms. */
export async function medianMs(fn: () => Promise<unknown> | unknown, warmup: number, iters: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < iters; i++) { const t0 = performance.now(); await fn(); t.push(performance.now() - t0); }
  return median(t);
}

function coldStart(mode: string, model: string, inputs: string, runtime: string): number {
  const t: number[] = [];
  for (let r = 0; r < COLD_RUNS; r++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [path.join(ROOT, 'bench/lite-cold.mjs'), mode, model, inputs, runtime], { encoding: 'utf8', cwd: ROOT });
    const dt = performance.now() - t0;
    if (p.status !== 0 || !/"first"/.test(p.stdout)) throw new Error(`${mode} cold start failed: ${(p.stderr || p.stdout).split('\n').slice(-3).join(' ')}`);
    t.push(dt);
  }
  return median(t);
}

/** CPU time of this process per call of `fn` (ms): the best of `rounds` rounds of `n` calls. */
export async function bestRoundCpuMs(fn: () => Promise<unknown> | unknown, n: number, rounds = 5): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000 / n);
  }
  return best;
}

/** Calls per CPU-time round: about 100 ms of work, at least 1. */
export const roundFor = (ms: number) => Math.max(1, Math.min(200, Math.round(100 / Math.max(ms, 1e-3))));

/**
 * Wall-clock median and best-round CPU time (ms per inference) of runtimes measured alike and in
 * turn: each `runs(n)` runs n inferences and returns their median wall time. After each one's
 * warm-up (about 300 ms), chunks of runs alternate between them (the wall figure is the median
 * of their chunk medians), then rounds of CPU time do.
 */
export async function interleaved(runs: ((n: number) => Promise<number>)[], chunks = 5, rounds = 5): Promise<{ wall: number; cpu: number }[]> {
  const once: number[] = [];
  for (const r of runs) { await r(3); once.push(await r(5)); }
  for (let k = 0; k < runs.length; k++) await runs[k]!(warmupFor(once[k]!));
  const chunkMeds = runs.map(() => [] as number[]);
  for (let c = 0; c < chunks; c++) {
    for (let k = 0; k < runs.length; k++) chunkMeds[k]!.push(await runs[k]!(Math.ceil(iterationsFor(once[k]!) / chunks)));
  }
  const wall = chunkMeds.map(median), cpu = runs.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < runs.length; k++) {
      const n = roundFor(wall[k]!), c0 = process.cpuUsage();
      await runs[k]!(n);
      const c = process.cpuUsage(c0);
      cpu[k] = Math.min(cpu[k]!, (c.user + c.system) / 1000 / n);
    }
  }
  return runs.map((_, k) => ({ wall: wall[k]!, cpu: cpu[k]! }));
}

async function items(): Promise<Item[]> {
  const list: Item[] = [];
  for (const f of fs.readdirSync(MODELS_DIR).filter((f) => f.endsWith('.tflite')).sort()) {
    const file = path.join(MODELS_DIR, f);
    list.push({ name: f.replace(/\.tflite$/, ''), file, bytes: new Uint8Array(fs.readFileSync(file)) });
  }
  fs.mkdirSync(CACHE, { recursive: true });
  for (const net of [mlpModel(), convnetModel()]) {
    const file = path.join(CACHE, `${net.name.split(' ')[0]}.tflite`);
    fs.writeFileSync(file, net.tflite);
    fs.writeFileSync(file.replace(/\.tflite$/, '.onnx'), net.onnx);
    list.push({ name: net.name, file, bytes: net.tflite, net });
  }
  if (process.env.LITE_BENCH_LARGE !== '0') {
    for (const m of await largeModels()) {
      const file = path.join(CACHE, `${m.file}.tflite`);
      fs.writeFileSync(file, m.bytes);
      list.push({ name: m.name, file, bytes: m.bytes });
    }
  }
  return list;
}

export const iterationsFor = (ms: number) => (ms < 0.1 ? 1000 : ms < 1 ? 200 : ms < 10 ? 50 : 20);
/** Warm-up runs worth about 300 ms (at least 5), the same rule for every runtime, so JIT warm-up is not timed. */
export const warmupFor = (ms: number) => Math.max(5, Math.min(20000, Math.ceil(300 / Math.max(ms, 1e-3))));

/** One row per model and measure; peers that cannot run a model are null with a note. */
export async function benchLite(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bundle = path.join(CACHE, 'lite.min.mjs');
  fs.mkdirSync(CACHE, { recursive: true });
  // the entry under a fixed name, its chunks (split bundle) next to it
  const built = await bundleLite() as { code: Uint8Array; entry: string; files: { path: string; contents: Uint8Array }[] };
  for (const f of built.files) if (f.path !== built.entry) fs.writeFileSync(path.join(CACHE, f.path), f.contents);
  fs.writeFileSync(bundle, built.code);
  const list = await items();

  type PeerFig = { load: number | null; infer: number | null; cold: number | null; cpu?: number | null; note?: string; diff?: number };
  const peerFigs: Record<string, Map<string, PeerFig>> = {};
  const peers: { name: string; mode: string; h: TflitePeer }[] = [];
  let harness = '';
  try { harness = harnessDir(); } catch (e) { for (const p of ['litert.js', 'tfjs-tflite']) peerFigs[p] = new Map(list.map((it) => [it.name, { load: null, infer: null, cold: null, note: `${p}: ${(e as Error).message}` }])); }
  for (const [name, init, mode] of harness ? [['litert.js', liteRtPeer, 'litert'], ['tfjs-tflite', tfjsTflitePeer, 'tfjs']] as const : []) {
    peerFigs[name] = new Map();
    try { peers.push({ name, mode, h: await init() }); } catch (e) { list.forEach((it) => peerFigs[name]!.set(it.name, { load: null, infer: null, cold: null, note: `${name}: ${(e as Error).message}` })); }
  }

  // Per model: ours and each peer loaded, then timed in turn (interleaved), so that a slow
  // spell of the machine, or the process's own start, falls on all of them alike.
  const ours = new Map<string, { load: number; infer: number; cpu: number; packed: number; out: number[]; inputs: { dtype: string; shape: number[]; data: number[] }[] } | Error>();
  for (const it of list) {
    const timed: { runs: (n: number) => Promise<number>; done: (wall: number, cpu: number) => void; fail: (e: Error) => void }[] = [];
    const cleanup: (() => void)[] = [];
    let mine: { load: number; packed: number; out: number[]; inputs: { dtype: string; shape: number[]; data: number[] }[] } | undefined;
    try {
      let m: LiteModel | undefined;
      const load = await medianMs(async () => { m?.dispose(); m = await loadModel(it.bytes, { backend: 'cpu' }); }, 1, 5);
      const model = m!;
      cleanup.push(() => model.dispose());
      const inputs = model.inputs.map((t, k) => ({ dtype: t.dtype, shape: t.shape, data: seeded(t.shape.reduce((a, b) => a * b, 1), t.dtype, 7 + k) }));
      const typed = inputs.map((i) => CTOR[i.dtype]!.from(i.data));
      // The first run's output, as the peers' is: models with state (LSTM, SVDF) change it on every run.
      const out = Array.from((await model.run(typed))[0]!.data as ArrayLike<number>, Number);
      const o = { load, packed: model.memory.packedBytes / Math.max(1, model.memory.constBytes), out, inputs };
      mine = o;
      timed.push({ runs: (n) => medianMs(() => model.run(typed), 0, n), done: (infer, cpu) => ours.set(it.name, { ...o, infer, cpu }), fail: (e) => ours.set(it.name, e) });
    } catch (e) {
      ours.set(it.name, e as Error);
    }
    for (const { name, h } of peers) {
      const f: PeerFig = { load: null, infer: null, cold: null };
      peerFigs[name]!.set(it.name, f);
      const inputs: PeerInput[] = mine ? mine.inputs.map((i) => ({ data: CTOR[i.dtype]!.from(i.data) })) : [];
      try {
        const loads: number[] = [];
        let c = await h.compile(it.bytes, { fix: {}, numThreads: 1 });
        for (let r = 0; r < 4; r++) { c.delete(); c = await h.compile(it.bytes, { fix: {}, numThreads: 1 }); loads.push(c.compileMs); }
        f.load = median(loads);
        const compiled = c;
        cleanup.push(() => compiled.delete());
        const out = await h.run(compiled, inputs);
        if (mine) f.diff = Math.max(...mine.out.map((v, i) => Math.abs(v - out[0]!.data[i]!)));
        timed.push({
          runs: async (n) => (await h.bench(compiled, inputs, { warmup: 0, iters: n })).medianMs,
          done: (infer, cpu) => { f.infer = infer; f.cpu = cpu; }, fail: (e) => { f.note = `${name} on ${it.name}: ${e.message.split('\n')[0]}`; },
        });
      } catch (e) {
        f.note = `${name} on ${it.name}: ${(e as Error).message.split('\n').slice(0, 2).join(' ')}`;
      }
    }
    // a runtime that fails part way drops out with its error; the others go on
    const dead = timed.map(() => false);
    const figs = await interleaved(timed.map((t, k) => async (n: number) => {
      if (dead[k]) return NaN;
      try { return await t.runs(n); } catch (e) { dead[k] = true; t.fail(e as Error); return NaN; }
    }));
    timed.forEach((t, k) => { if (!dead[k]) t.done(figs[k]!.wall, figs[k]!.cpu); });
    cleanup.forEach((f) => f());
    for (const { name, mode } of mine ? peers : []) {
      const f = peerFigs[name]!.get(it.name)!;
      if (f.infer === null) continue;
      try {
        const inFile = path.join(CACHE, `${it.name.split(' ')[0]}.inputs.json`);
        fs.writeFileSync(inFile, JSON.stringify(mine!.inputs));
        f.cold = coldStart(mode, it.file, inFile, harness);
      } catch (e) {
        f.note = `${name} on ${it.name}: ${(e as Error).message.split('\n').slice(0, 2).join(' ')}`;
      }
    }
  }

  // onnxruntime-web on the float networks.
  const ortFigs = new Map<string, PeerFig>();
  try {
    const ort = await ortWeb();
    for (const it of list.filter((x) => x.net)) {
      const net = it.net!, o = ours.get(it.name);
      if (!o || o instanceof Error) continue;
      const f: PeerFig = { load: null, infer: null, cold: null };
      try {
        const x = new ort.Tensor('float32', net.toOnnxInput(Float32Array.from(o.inputs[0]!.data)), net.onnxInput);
        let s = await ort.InferenceSession.create(net.onnx);
        f.load = await medianMs(async () => { s = await ort.InferenceSession.create(net.onnx); }, 1, 5);
        const out = await s.run({ x });
        f.diff = Math.max(...o.out.map((v, i) => Math.abs(v - Number(out['y']!.data[i]))));
        f.infer = await medianMs(() => s.run({ x }), warmupFor(f.load), iterationsFor(f.load));
        const onnxFile = it.file.replace(/\.tflite$/, '.onnx');
        const inFile = path.join(CACHE, `${it.name.split(' ')[0]}.onnx-inputs.json`);
        fs.writeFileSync(inFile, JSON.stringify([{ dtype: 'float32', shape: net.onnxInput, data: Array.from(net.toOnnxInput(Float32Array.from(o.inputs[0]!.data))) }]));
        f.cold = coldStart('ort', onnxFile, inFile, '');
      } catch (e) {
        f.note = `ort-web on ${it.name}: ${(e as Error).message}`;
      }
      ortFigs.set(it.name, f);
    }
  } catch (e) {
    list.filter((x) => x.net).forEach((it) => ortFigs.set(it.name, { load: null, infer: null, cold: null, note: `ort-web: ${(e as Error).message}` }));
  }
  peerFigs['ort-web'] = ortFigs;

  const bare: number[] = [];
  for (let r = 0; r < COLD_RUNS; r++) { const t0 = performance.now(); spawnSync(process.execPath, ['-e', '0']); bare.push(performance.now() - t0); }
  const bareNote = `cold start includes starting node itself: ${median(bare).toFixed(0)} ms for \`node -e 0\` here`;
  for (const it of list) {
    const o = ours.get(it.name)!;
    if (o instanceof Error) {
      rows.push({ name: `${it.name}: inference`, ours: NaN, unit: 'µs', peers: {}, notes: [`ours on ${it.name}: ${o.message.slice(0, 200)}`] });
      continue;
    }
    let cold = NaN;
    const notes: string[] = [];
    try {
      const inFile = path.join(CACHE, `${it.name.split(' ')[0]}.inputs.json`);
      fs.writeFileSync(inFile, JSON.stringify(o.inputs));
      cold = coldStart('ours', it.file, inFile, bundle);
    } catch (e) { notes.push(`ours cold start on ${it.name}: ${(e as Error).message}`); }
    const pick = (k: 'load' | 'infer' | 'cold' | 'cpu') => Object.fromEntries(Object.entries(peerFigs)
      .filter(([, m]) => m.has(it.name) && (k !== 'cpu' || m.get(it.name)!.cpu !== undefined)).map(([p, m]) => [p, m.get(it.name)![k] ?? null]));
    for (const [p, m] of Object.entries(peerFigs)) {
      const f = m.get(it.name);
      if (f?.note) notes.push(f.note);
      if (f?.diff !== undefined) notes.push(`${it.name}: max |ours - ${p}| on output 0 = ${f.diff.toExponential(2)}`);
    }
    rows.push({ name: `${it.name}: load`, ours: o.load, unit: 'ms', peers: pick('load') });
    rows.push({ name: `${it.name}: cold start`, ours: cold, unit: 'ms', peers: pick('cold'), notes: [bareNote] });
    const us = (v: Record<string, number | null>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? null : x * 1000]));
    notes.push(`${it.name}: weights held ${o.packed.toFixed(2)}x the file's (model.memory.packedBytes / constBytes)`);
    rows.push({ name: `${it.name}: inference (wall median)`, ours: o.infer * 1000, unit: 'µs', peers: us(pick('infer')), notes });
    rows.push({ name: `${it.name}: inference (CPU, best round)`, ours: o.cpu * 1000, unit: 'µs', peers: us(pick('cpu')) });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/lite.ts')) {
  console.log(formatRows(await benchLite()));
  process.exit(0);
}
