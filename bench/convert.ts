/**
 * `npm run bench -- convert`: the converter on torchvision `mobilenet_v2` (ONNX from Debian's
 * torch, random weights; scripts/fixtures/torchvision-onnx.ts), and the converted models run:
 * - conversion time, float32 (median of 3) and int8 with 32 seeded calibration samples (one run,
 *   the default report included), as wall time and CPU time of this process; goals on a 2-core
 *   machine: float32 <= 2 s, int8 <= 10 s;
 * - inference of the converted float32 and int8 files in the lite runtime beside LiteRT.js on the
 *   same bytes, and onnxruntime-web on the source ONNX (float32); one thread each, same run,
 *   measured as in bench/lite.ts (wall median after ~300 ms of warm-up, CPU time best of 5 rounds).
 * Run standalone: `npx tsx bench/convert.ts`.
 */
import { convert } from '../converter/index.js';
import { loadModel } from '../lite-runtime/index.js';
import { rng } from '../scripts/int8-sweep.js';
import { HAS_TORCH, torchvisionOnnx } from '../scripts/fixtures/torchvision-onnx.js';
import { bestRoundCpuMs, iterationsFor, median, medianMs, roundFor, seeded, warmupFor } from './lite.js';
import { harnessDir, liteRtPeer, ortWeb } from './lite-peers.js';
import { formatRows, type BenchRow } from './types.js';

const SAMPLES = 32;
const SHAPE = [1, 3, 224, 224];

/** Wall and CPU milliseconds of one call. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

interface Figures { wall: number; cpu: number; out: ArrayLike<number> }

/** Our inference of `bytes` on input `x` (float32, NCHW): wall median and best-round CPU per run, in ms. */
async function ours(bytes: Uint8Array, x: Float32Array): Promise<Figures> {
  const m = await loadModel(bytes, { backend: 'cpu' });
  try {
    const run = () => m.runSync([x], { dequantize: true });
    const once = await medianMs(run, 3, 5);
    const wall = await medianMs(run, warmupFor(once), iterationsFor(once));
    const cpu = await bestRoundCpuMs(run, roundFor(wall));
    return { wall, cpu, out: run()[0]!.data as Float32Array };
  } finally {
    m.dispose();
  }
}

export async function benchConvert(): Promise<BenchRow[]> {
  if (!HAS_TORCH) return [{ name: 'mobilenet_v2 conversion', ours: NaN, unit: 'ms', peers: {}, notes: ['needs /usr/bin/python3 with torch, torchvision and onnx (Debian packages) to export mobilenet_v2'] }];
  const onnx = torchvisionOnnx('mobilenet_v2');
  const rows: BenchRow[] = [];
  const notes: string[] = [];

  // conversion
  const f32runs: { value: Uint8Array; wall: number; cpu: number }[] = [];
  for (let r = 0; r < 3; r++) f32runs.push(await timed(() => convert(onnx)));
  const f32 = f32runs[0]!.value;
  const R = rng(21);
  const calibration = Array.from({ length: SAMPLES }, () => [Float32Array.from({ length: 3 * 224 * 224 }, () => R() * 2 - 1)]);
  const q = await timed(() => convert(onnx, { quantize: 'int8', calibration }));
  const i8 = q.value;
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const convNote = `mobilenet_v2: ONNX ${kb(onnx.length)} -> float32 ${kb(f32.length)}, int8 ${kb(i8.length)} (${SAMPLES} samples, output SQNR ${i8.report.quantError.find((e) => e.tensor.startsWith('output'))?.sqnrDb.toFixed(1) ?? '?'} dB); goals: float32 <= 2 s, int8 <= 10 s`;
  rows.push(
    { name: 'mobilenet_v2 convert float32 (wall median of 3)', ours: median(f32runs.map((r) => r.wall)), unit: 'ms', peers: {}, notes: [convNote] },
    { name: 'mobilenet_v2 convert float32 (CPU, median of 3)', ours: median(f32runs.map((r) => r.cpu)), unit: 'ms', peers: {} },
    { name: `mobilenet_v2 convert int8, ${SAMPLES} samples (wall)`, ours: q.wall, unit: 'ms', peers: {} },
    { name: `mobilenet_v2 convert int8, ${SAMPLES} samples (CPU)`, ours: q.cpu, unit: 'ms', peers: {} },
  );

  // inference: ours, LiteRT.js on the same files, onnxruntime-web on the source ONNX
  const xs = seeded(3 * 224 * 224, 'float32', 7);
  const x = Float32Array.from(xs);
  const figs = { f32: await ours(f32, x), int8: await ours(i8, x) };
  const peer: Record<'f32' | 'int8', Record<string, Figures | null>> = { f32: {}, int8: {} };
  try {
    harnessDir();
    const h = await liteRtPeer();
    for (const [k, bytes] of [['f32', f32], ['int8', i8]] as const) {
      try {
        const c = await h.compile(bytes, { fix: {}, numThreads: 1 });
        const inputs = [{ data: xs }];
        const out = (await h.run(c, inputs))[0]!.data;
        const once = (await h.bench(c, inputs, { warmup: 3, iters: 5 })).medianMs;
        const wall = (await h.bench(c, inputs, { warmup: warmupFor(once), iters: iterationsFor(once) })).medianMs;
        const per = roundFor(wall);
        const cpu = await bestRoundCpuMs(() => h.bench(c, inputs, { warmup: 0, iters: per }), 1) / per;
        c.delete();
        peer[k]['litert.js'] = { wall, cpu, out };
      } catch (e) {
        peer[k]['litert.js'] = null;
        notes.push(`litert.js on ${k}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  } catch (e) {
    peer.f32['litert.js'] = peer.int8['litert.js'] = null;
    notes.push(`litert.js: ${(e as Error).message}`);
  }
  try {
    const ort = await ortWeb();
    const s = await ort.InferenceSession.create(onnx);
    const feeds = { input: new ort.Tensor('float32', x, SHAPE) };
    const run = () => s.run(feeds);
    const once = await medianMs(run, 3, 5);
    const wall = await medianMs(run, warmupFor(once), iterationsFor(once));
    const cpu = await bestRoundCpuMs(run, roundFor(wall));
    const out = Object.values(await run())[0]!.data;
    peer.f32['ort-web'] = peer.int8['ort-web'] = { wall, cpu, out };
  } catch (e) {
    peer.f32['ort-web'] = peer.int8['ort-web'] = null;
    notes.push(`ort-web: ${(e as Error).message}`);
  }
  /** max |a - b| over max |b| (random-weight mobilenet_v2 logits are tiny, so absolute figures say little). */
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let d = 0, m = 0;
    for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i]! - Number(b[i]))); m = Math.max(m, Math.abs(Number(b[i]))); }
    return m > 0 ? d / m : d;
  };
  for (const k of ['f32', 'int8'] as const) {
    const o = figs[k];
    for (const [p, f] of Object.entries(peer[k])) if (f) notes.push(`${k}: max |ours - ${p}| / max |${p}| on the output = ${maxDiff(o.out, f.out).toExponential(2)}${p === 'ort-web' && k === 'int8' ? ' (ort-web runs the float ONNX)' : ''}`);
    const us = (pick: 'wall' | 'cpu') => Object.fromEntries(Object.entries(peer[k]).map(([p, f]) => [p, f ? f[pick] * 1000 : null]));
    rows.push(
      { name: `mobilenet_v2 ${k} (converted): inference (wall median)`, ours: o.wall * 1000, unit: 'µs', peers: us('wall'), notes: k === 'int8' ? notes : [] },
      { name: `mobilenet_v2 ${k} (converted): inference (CPU, best round)`, ours: o.cpu * 1000, unit: 'µs', peers: us('cpu') },
    );
  }
  return rows;
}

if (process.argv[1]?.endsWith('bench/convert.ts')) {
  console.log(formatRows(await benchConvert()));
  process.exit(0);
}
