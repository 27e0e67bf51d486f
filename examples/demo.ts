/**
 * `npm run demo`: the whole story on the shipped UCI digits, offline, in about a minute:
 *   1. trains the digits CNN eagerly (progress bar);
 *   2. times a training step and inference eagerly and under tg.jit;
 *   3. exports ONNX;
 *   4. converts to float32, float16 and int8 .tflite (sizes, held-out accuracies);
 *   5. runs the int8 model in the lite runtime on the CPU, on WebGPU where an adapter
 *      exists, and in a local workerd (the worker template, bundled);
 *   6. prints where each artifact is.
 *   npx tsx examples/demo.ts [--epochs 10] [--out examples/out] [--no-worker] [--no-webgpu]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from '../training/index.js';
import { convert } from '../converter/index.js';
import { loadModel, type LiteModel } from '../lite-runtime/index.js';
import { DigitsCnn, loadDigits, permutation, trainDigits } from './train-digits.js';
import { bundleModel, sizeReport } from '../cli/commands/bundle.js';
import { nodeGpu } from '../cli/commands/gpu.js';
import { startWorker } from './worker/local.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Options of runDemo. */
export interface DemoOptions {
  epochs?: number;
  outDir?: string;
  /** Run the int8 model in a local workerd (default true). */
  worker?: boolean;
  /** Try WebGPU (default true; skipped where there is no adapter). */
  webgpu?: boolean;
  /** CPU milliseconds per timing round of the jit comparison (default 200). */
  timingMs?: number;
  log?: (line: string) => void;
  progress?: 'auto' | 'lines' | 'none';
}

/** What runDemo measured and wrote. */
export interface DemoResult {
  eagerAccuracy: number;
  jit: { stepEagerMs: number; stepJitMs: number; inferEagerMs: number; inferJitMs: number };
  models: Record<'float32' | 'float16' | 'int8', { path: string; bytes: number; accuracy: number }>;
  int8Note: string | null;
  runs: { backend: string; accuracy: number; msPerRun: number; agreesWithCpu?: number; note?: string }[];
  artifacts: Record<string, string>;
  seconds: number;
}

/**
 * CPU time per call (ms) of two functions: the best of `rounds` alternating rounds of at
 * least `minMs` each (CPU time, not wall time, and alternating rounds, so that a busy
 * machine favours neither).
 */
function timePair(a: () => void, b: () => void, minMs: number, rounds = 3): [number, number] {
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  a(); a(); b(); b();
  const best = [Infinity, Infinity];
  for (let r = 0; r < rounds; r++) {
    [a, b].forEach((fn, k) => {
      let n = 0, dt = 0;
      const t0 = cpuMs();
      do { fn(); n++; dt = cpuMs() - t0; } while (dt < minMs);
      best[k] = Math.min(best[k]!, dt / n);
    });
  }
  return [best[0]!, best[1]!];
}

const argmax = (a: ArrayLike<number>) => {
  let k = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[k]!) k = i;
  return k;
};

/** Runs the demo; see the file comment. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const log = opts.log ?? ((s: string) => console.log(s));
  const out = opts.outDir ?? join(HERE, 'out');
  mkdirSync(out, { recursive: true });
  const artifacts: Record<string, string> = {};
  const data = loadDigits();

  // 1. eager training
  log(`\n[1/5] training the digits CNN eagerly (${data.images.shape[0]} images of 8x8, 20% held out)`);
  const checkpoint = join(out, 'digits-cnn.safetensors');
  const trained = await trainDigits({ epochs: opts.epochs ?? 10, checkpoint, data, progress: opts.progress ?? 'auto' });
  artifacts.checkpoint = checkpoint;
  const model = trained.model;
  model.eval();
  log(`      held-out accuracy ${(100 * trained.testAccuracy).toFixed(2)}% on ${trained.testSize} images, ${trained.samplesPerSec.toFixed(0)} samples/s`);

  // 2. tg.jit
  log('\n[2/5] tg.jit: the same work traced once and compiled');
  const ms = opts.timingMs ?? 200;
  tg.manualSeed(1);
  const a = new DigitsCnn(), b = new DigitsCnn();
  const optA = new tg.optim.Adam(a.parameters(), { lr: 1e-3 }), optB = new tg.optim.Adam(b.parameters(), { lr: 1e-3 });
  const xb = tg.narrow(data.images, 0, 0, 32), yb = tg.narrow(data.labels, 0, 0, 32);
  const ce = tg.nn.functional.crossEntropy;
  const step = tg.jit((x: tg.Tensor, y: tg.Tensor) => { optB.zeroGrad(); const l = ce(b.forward(x), y); l.backward(); optB.step(); return l; });
  const [stepEagerMs, stepJitMs] = timePair(() => { optA.zeroGrad(); ce(a.forward(xb), yb).backward(); optA.step(); }, () => step(xb, yb), ms);
  const x1 = tg.narrow(data.images, 0, 0, 1);
  const fast = tg.jit(model);
  const [inferEagerMs, inferJitMs] = timePair(() => tg.noGrad(() => model.forward(x1)), () => fast(x1), ms);
  log(`      Adam step, batch 32: eager ${stepEagerMs.toFixed(2)} ms, jit ${stepJitMs.toFixed(2)} ms (${(stepEagerMs / stepJitMs).toFixed(2)}x faster; CPU time per call, best of 3 alternating rounds)`);
  log(`      inference, batch 1:  eager ${inferEagerMs.toFixed(3)} ms, jit ${inferJitMs.toFixed(3)} ms (${(inferEagerMs / inferJitMs).toFixed(2)}x)`);

  // 3. ONNX
  log('\n[3/5] exporting ONNX');
  const onnxPath = join(out, 'digits.onnx');
  const onnx = tg.onnx.export(model, [x1], { inputNames: ['image'], outputNames: ['logits'] });
  writeFileSync(onnxPath, onnx);
  artifacts.onnx = onnxPath;
  log(`      ${relative(process.cwd(), onnxPath)}: ${(onnx.length / 1024).toFixed(1)} KB`);

  // 4. convert at three precisions; accuracy on the held-out split
  log('\n[4/5] converting to .tflite and measuring held-out accuracy in the lite runtime (CPU)');
  const order = permutation(data.images.shape[0], 0);
  const test = order.subarray(0, trained.testSize), train = order.subarray(trained.testSize);
  const xs = data.images.data() as Float32Array, ys = data.labels.data() as Int32Array;
  const sample = (i: number) => xs.slice(i * 64, (i + 1) * 64);
  const evaluate = async (lite: LiteModel, idx: ArrayLike<number> = test) => {
    const preds: number[] = [];
    let correct = 0;
    const s = performance.now();
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const [y] = await lite.run([sample(i)], { dequantize: true });
      preds.push(argmax(y!.data as Float32Array));
      correct += +(preds[k] === ys[i]);
    }
    return { accuracy: correct / idx.length, msPerRun: (performance.now() - s) / idx.length, preds };
  };
  const models = {} as DemoResult['models'];
  let int8Note: string | null = null;
  const calibration = Array.from(train.subarray(0, 64), (i) => [sample(i)]);
  let int8Bytes: Uint8Array | null = null;
  for (const [name, quantize] of [['float32', 'none'], ['float16', 'float16'], ['int8', 'int8']] as const) {
    let bytes: Uint8Array;
    try {
      bytes = await convert(onnx, { quantize, ...(quantize === 'int8' ? { calibration } : {}) });
    } catch (e) {
      if (quantize !== 'int8') throw e;
      int8Note = `full int8 conversion failed (${(e as Error).message}); this is the 'dynamic' model (int8 weights, float activations)`;
      bytes = await convert(onnx, { quantize: 'dynamic' });
    }
    const path = join(out, `digits-${name}.tflite`);
    writeFileSync(path, bytes);
    artifacts[name] = path;
    const lite = await loadModel(bytes);
    const r = await evaluate(lite);
    lite.dispose();
    models[name] = { path, bytes: bytes.length, accuracy: r.accuracy };
    if (name === 'int8') int8Bytes = bytes;
    log(`      ${name.padEnd(8)} ${(bytes.length / 1024).toFixed(1).padStart(6)} KB  accuracy ${(100 * r.accuracy).toFixed(2)}%  (${relative(process.cwd(), path)})`);
  }
  if (int8Note) log(`      note: ${int8Note}`);

  // 5. the int8 model on each runtime
  log('\n[5/5] the int8 model in the lite runtime and in a local workerd');
  const runs: DemoResult['runs'] = [];
  const cpu = await loadModel(int8Bytes!);
  const c = await evaluate(cpu);
  cpu.dispose();
  runs.push({ backend: 'cpu (JS + WASM SIMD)', accuracy: c.accuracy, msPerRun: c.msPerRun });
  if (opts.webgpu !== false) {
    try {
      const gpu = await loadModel(int8Bytes!, { backend: 'webgpu', gpu: await nodeGpu() });
      const few = test.subarray(0, 60);
      const g = await evaluate(gpu, few);
      gpu.dispose();
      const agree = g.preds.filter((p, k) => p === c.preds[k]).length / few.length;
      runs.push({ backend: 'webgpu', accuracy: g.accuracy, msPerRun: g.msPerRun, agreesWithCpu: agree, note: `first ${few.length} held-out images` });
    } catch (e) {
      runs.push({ backend: 'webgpu', accuracy: NaN, msPerRun: NaN, note: `skipped: ${(e as Error).message}` });
    }
  }
  if (opts.worker !== false) {
    const dir = join(out, 'worker');
    const bundle = await bundleModel(artifacts.int8!, 'worker', dir);
    artifacts.worker = dir;
    for (const line of sizeReport(bundle).split('\n')) log(`      ${line}`);
    const w = await startWorker(dir);
    try {
      const few = test.subarray(0, 100);
      const preds: number[] = [];
      let correct = 0;
      const s = performance.now();
      for (const i of few) {
        const r = await fetch(new URL('/predict', w.url), { method: 'POST', body: JSON.stringify({ inputs: { image: Array.from(sample(i)) }, dequantize: true }) });
        if (r.status !== 200) throw new Error(`workerd answered ${r.status}: ${await r.text()}`);
        const { outputs } = (await r.json()) as { outputs: { data: number[] }[] };
        preds.push(argmax(outputs[0]!.data));
        correct += +(preds[preds.length - 1] === ys[i]);
      }
      const agree = preds.filter((p, k) => p === c.preds[k]).length / few.length;
      runs.push({ backend: 'workerd (POST /predict)', accuracy: correct / few.length, msPerRun: (performance.now() - s) / few.length, agreesWithCpu: agree, note: `first ${few.length} held-out images, over loopback HTTP` });
    } finally {
      await w.dispose();
    }
  }
  for (const r of runs) {
    const acc = Number.isNaN(r.accuracy) ? '' : `accuracy ${(100 * r.accuracy).toFixed(2)}%, ${r.msPerRun.toFixed(3)} ms/run`;
    const agree = r.agreesWithCpu === undefined ? '' : `, same prediction as the CPU on ${(100 * r.agreesWithCpu).toFixed(0)}%`;
    log(`      ${r.backend.padEnd(24)} ${acc}${agree}${r.note ? ` (${r.note})` : ''}`);
  }

  const seconds = (performance.now() - t0) / 1000;
  const samplePath = join(out, 'sample.json');
  writeFileSync(samplePath, JSON.stringify({ image: Array.from(sample(test[0]!)) }));
  artifacts.sample = samplePath;
  log(`\nnext: npx tsx cli/index.ts run ${relative(process.cwd(), artifacts.int8!)} -i ${relative(process.cwd(), samplePath)} --dequantize   (a held-out ${ys[test[0]!]})`);
  log(`      cd ${relative(process.cwd(), artifacts.worker ?? out)} && npx wrangler deploy    (the bundled worker)`);
  log('\nartifacts:');
  for (const [k, p] of Object.entries(artifacts)) log(`  ${k.padEnd(10)} ${relative(process.cwd(), p) || '.'}`);
  log(`done in ${seconds.toFixed(1)} s`);
  return { eagerAccuracy: trained.testAccuracy, jit: { stepEagerMs, stepJitMs, inferEagerMs, inferJitMs }, models, int8Note, runs, artifacts, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const r = await runDemo({
    epochs: arg('epochs') === undefined ? undefined : Number(arg('epochs')), outDir: arg('out'),
    worker: !process.argv.includes('--no-worker'), webgpu: !process.argv.includes('--no-webgpu'),
  });
  if (r.models.int8.accuracy < 0.95) process.exitCode = 1;
}
