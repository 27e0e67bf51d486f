/**
 * Float32 matmul benchmark: our kernels (wasm, js, and m = 1 with packed B)
 * beside PyTorch (one thread, OpenBLAS) and TensorFlow.js (wasm backend, one
 * thread), measured in the same run. Run standalone: `npx tsx bench/matmul.ts`.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  matmul, packB, matmulPacked, freePacked, setKernelBackend, kernelBackend, wasmFlavour,
  packI8, qmatmulI8Packed, depthwiseNHWC, convOutputSize,
} from '../lite-runtime/kernels/index.js';
import { embeddedWasm, instantiate } from '../lite-runtime/kernels/wasm/runtime.js';
import { runTorch } from './torch.js';
import { formatRows, type BenchRow } from './types.js';

const SIZES = [256, 512, 1024];

/** Seconds of CPU time this process has used (user + system). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Seconds per call: the best of `rounds` rounds of at least `minMs` each,
 * timed in process CPU time, so other load on the machine (it is shared)
 * does not count; unloaded, CPU time equals wall time for this one-thread work.
 */
function timeIt(fn: () => void, rounds = 5, minMs = 150): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let it = 0;
    const t0 = cpuSeconds();
    let dt = 0;
    do { fn(); it++; dt = cpuSeconds() - t0; } while (dt * 1000 < minMs);
    best = Math.min(best, dt / it);
  }
  return best;
}

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

const gflops = (m: number, k: number, n: number, s: number) => (2 * m * k * n) / s / 1e9;

/** PyTorch figures (GFLOP/s) keyed 'N' and 'm1_N', or a note why they are missing. */
function torchFigures(): { figs: Record<string, number>; note: string } {
  const script = `
import json, time, torch
torch.set_num_threads(1)
def best(fn, rounds=5, min_s=0.15):
    fn(); b = 1e9
    for _ in range(rounds):
        it, t0 = 0, time.process_time()
        while True:
            fn(); it += 1
            dt = time.process_time() - t0
            if dt >= min_s: break
        b = min(b, dt / it)
    return b
out = {}
for n in ${JSON.stringify(SIZES)}:
    a, b, c = torch.rand(n, n) - 0.5, torch.rand(n, n) - 0.5, torch.empty(n, n)
    out[str(n)] = 2 * n ** 3 / best(lambda: torch.matmul(a, b, out=c)) / 1e9
    x, y = torch.rand(1, n) - 0.5, torch.empty(1, n)
    out['m1_' + str(n)] = 2 * n * n / best(lambda: torch.matmul(x, b, out=y)) / 1e9
out['version'] = torch.__version__
print(json.dumps(out))
`;
  return runTorch(script, 120_000, '1 thread (OPENBLAS_NUM_THREADS=1)');
}

/** TensorFlow.js wasm backend figures (GFLOP/s), or a note why missing. */
async function tfjsFigures(): Promise<{ figs: Record<string, number>; note: string }> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dist}/`);
    let threads = 'threads default';
    if (typeof wasm.setThreadsCount === 'function') { wasm.setThreadsCount(1); threads = '1 thread'; }
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) failed');
    await tf.ready();
    const figs: Record<string, number> = {};
    for (const n of SIZES) {
      const a = tf.tensor2d(rand(n * n), [n, n]), b = tf.tensor2d(rand(n * n), [n, n]), x = tf.tensor2d(rand(n), [1, n]);
      figs[String(n)] = gflops(n, n, n, timeIt(() => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }));
      figs[`m1_${n}`] = gflops(1, n, n, timeIt(() => { const c = tf.matMul(x, b); c.dataSync(); c.dispose(); }));
      tf.dispose([a, b, x]);
    }
    return { figs, note: `tfjs-wasm: @tensorflow/tfjs-backend-wasm ${tf.version_core}, ${threads}` };
  } catch (e) {
    return { figs: {}, note: `tfjs-wasm: unavailable (${(e as Error).message})` };
  }
}

function randI8(n: number): Int8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(Math.random() * 256) - 128;
  return a;
}

/**
 * Our int8 GEMM and depthwise figures (GOP/s, 2 ops per multiply-add) on the
 * active backend: no peer runs these in this process.
 */
function int8AndDepthwiseRows(backend: string): BenchRow[] {
  const rows: BenchRow[] = [];
  const note = 'int8 / depthwise: ours only (2 ops per multiply-add; operands copied into wasm memory each call)';
  for (const [m, k, n] of [[1, 1024, 1000], [784, 288, 64], [768, 256, 256]] as const) {
    const a = randI8(m * k), w = packI8(randI8(n * k), n, k), acc = new Int32Array(m * n);
    rows.push({ name: `qmatmulI8 ${m}x${k}x${n} packed (${backend})`, unit: 'GOP/s', peers: {}, notes: [note],
      ours: gflops(m, k, n, timeIt(() => qmatmulI8Packed(a, 3, w, acc, m))) });
    freePacked(w);
  }
  for (const [hw, c] of [[112, 32], [56, 144], [14, 384]] as const) {
    const geo = { c, h: hw, w: hw, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
    const g = convOutputSize(geo), macs = g.outH * g.outW * c * 9;
    const x = rand(hw * hw * c), w = rand(9 * c), y = new Float32Array(g.outH * g.outW * c);
    rows.push({ name: `depthwise 3x3 ${hw}x${hw}x${c} f32 (${backend})`, unit: 'GOP/s', peers: {}, notes: [note],
      ours: (2 * macs) / timeIt(() => depthwiseNHWC(x, w, y, geo, { act: 'relu6' })) / 1e9 });
  }
  return rows;
}

/**
 * The SIMD128 build's figures (GFLOP/s keyed 'N' and 'm1_N'), instantiated beside the loaded
 * FMA build: what hosts without relaxed SIMD run.
 */
function simdFigures(): Record<string, number> | null {
  const k = instantiate(new WebAssembly.Module(embeddedWasm('simd')), 'simd');
  if (!k) return null;
  const out: Record<string, number> = {};
  for (const n of SIZES) {
    const a = rand(n * n), b = rand(n * n), c = new Float32Array(n * n), x = rand(n), y = new Float32Array(n);
    out[String(n)] = gflops(n, n, n, timeIt(() => k.matmul(a, b, c, n, n, n, false, false, false)));
    const w = k.packB(b, n, n, false);
    out[`m1_${n}`] = gflops(1, n, n, timeIt(() => k.matmulPacked(x, w, y, 1, n, n, null, 0)));
  }
  return out;
}

/**
 * Measures GFLOP/s at 256/512/1024 cubed for the wasm and js backends and for
 * m = 1 with a packed B, beside PyTorch and TensorFlow.js.
 * @example console.log(formatRows(await benchMatmul()));
 */
export async function benchMatmul(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const hasWasm = kernelBackend() === 'wasm';
  const flavour = wasmFlavour();
  const ours: Record<string, number> = {};
  for (const n of SIZES) {
    const a = rand(n * n), b = rand(n * n), c = new Float32Array(n * n), x = rand(n), y = new Float32Array(n);
    for (const backend of hasWasm ? (['wasm', 'js'] as const) : (['js'] as const)) {
      setKernelBackend(backend);
      const slow = backend === 'js' && n >= 1024;
      ours[`${backend}_${n}`] = gflops(n, n, n, timeIt(() => matmul(a, b, c, n, n, n), slow ? 2 : 5, slow ? 0 : 150));
      const w = packB(b, n, n);
      ours[`${backend}_m1_${n}`] = gflops(1, n, n, timeIt(() => matmulPacked(x, w, y, 1)));
      freePacked(w);
    }
    if (hasWasm) setKernelBackend('wasm');
  }
  const extra = int8AndDepthwiseRows(hasWasm ? 'wasm' : 'js');
  const simd = hasWasm && flavour === 'fma' ? simdFigures() : null;
  const torch = torchFigures();
  const tfjs = await tfjsFigures();
  const notes = [
    hasWasm ? `ours: wasm ${flavour} build, 1 thread` : 'ours: wasm unavailable on this host, js only',
    'timing: best of 5 rounds, process CPU time (other load on the machine excluded)',
    torch.note, tfjs.note,
  ];
  const peer = (key: string) => ({ pytorch: torch.figs[key] ?? null, 'tfjs-wasm': tfjs.figs[key] ?? null });
  for (const n of SIZES) {
    if (hasWasm) rows.push({ name: `matmul ${n}^3 (wasm)`, ours: ours[`wasm_${n}`], unit: 'GFLOP/s', peers: peer(String(n)), notes });
    rows.push({ name: `matmul ${n}^3 (js)`, ours: ours[`js_${n}`], unit: 'GFLOP/s', peers: peer(String(n)), notes });
  }
  for (const n of SIZES) {
    const be = hasWasm ? 'wasm' : 'js';
    rows.push({ name: `matmul m=1 k=n=${n} packed (${be})`, ours: ours[`${be}_m1_${n}`], unit: 'GFLOP/s', peers: peer(`m1_${n}`), notes });
  }
  if (simd) {
    const snotes = [...notes, 'wasm simd128: the build hosts without relaxed SIMD load (no fused multiply-add)'];
    for (const n of SIZES) rows.push({ name: `matmul ${n}^3 (wasm simd128)`, ours: simd[String(n)], unit: 'GFLOP/s', peers: peer(String(n)), notes: snotes });
    rows.push({ name: 'matmul m=1 k=n=1024 packed (wasm simd128)', ours: simd.m1_1024, unit: 'GFLOP/s', peers: peer('m1_1024'), notes: snotes });
  }
  rows.push(...extra);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchMatmul().then((rows) => console.log(formatRows(rows)), (e) => { console.error(e); process.exit(1); });
}
