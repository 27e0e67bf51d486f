/**
 * Eager training step time: MLP 784-512-512-10 (batch 64) and CNN
 * conv3x3(32)-relu-conv3x3(64)-relu-maxpool2-dense128-dense10 on 28x28 (batch 32),
 * both Adam + cross-entropy, beside the same step in PyTorch (one thread,
 * OpenBLAS) and TensorFlow.js (wasm backend, one thread), measured in the same run.
 * Run standalone: `npx tsx bench/training.ts` (`--profile` prints where each step's time goes).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eager } from '../training/dispatch.js';
import * as tg from '../training/index.js';
import { runTorch } from './torch.js';
import { formatRows, type BenchRow } from './types.js';

type Model = tg.nn.Module & { forward(x: tg.Tensor): tg.Tensor };

/** CPU time of this process so far (ms): user + system. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Best CPU time per call (ms) over `rounds` rounds of at least `minMs` each. CPU time, as
 * the PyTorch side measures it (time.process_time): the machine is shared, and wall time
 * there moves by 2-5x with the other load while one-thread CPU time moves by ~10-20%.
 */
function timeIt(fn: () => void, rounds = 5, minMs = 300): number {
  for (let i = 0; i < 3; i++) fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let it = 0;
    const t0 = cpuMs();
    let dt = 0;
    do { fn(); it++; dt = cpuMs() - t0; } while (dt < minMs);
    best = Math.min(best, dt / it);
  }
  return best;
}

/** The benchmark's MLP, built from tg.nn modules. */
export const mlp = (): Model => new tg.nn.Sequential(
  new tg.nn.Linear(784, 512), new tg.nn.ReLU(), new tg.nn.Linear(512, 512), new tg.nn.ReLU(), new tg.nn.Linear(512, 10));

/** The benchmark's CNN on [N, 1, 28, 28]. */
export const cnn = (): Model => new tg.nn.Sequential(
  new tg.nn.Conv2d(1, 32, 3), new tg.nn.ReLU(), new tg.nn.Conv2d(32, 64, 3), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2),
  new tg.nn.Flatten(), new tg.nn.Linear(64 * 12 * 12, 128), new tg.nn.ReLU(), new tg.nn.Linear(128, 10));

/** One eager Adam step of `model` on (x, y); returns the step function. */
export function stepFn(model: Model, x: tg.Tensor, y: tg.Tensor): () => void {
  const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    opt.zeroGrad();
    tg.nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  };
}

interface Case { key: 'mlp' | 'cnn'; name: string; make: () => Model; x: () => tg.Tensor; batch: number }
const CASES: Case[] = [
  { key: 'mlp', name: 'MLP 784-512-512-10 Adam step b64', make: mlp, x: () => tg.randn([64, 784]), batch: 64 },
  { key: 'cnn', name: 'CNN 28x28 Adam step b32', make: cnn, x: () => tg.randn([32, 1, 28, 28]), batch: 32 },
];

/** PyTorch step times (ms) keyed 'mlp'/'cnn', or a note why missing. */
function torchFigures(): { figs: Record<string, number>; note: string } {
  const script = `
import json, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1); torch.manual_seed(0)
def best(fn, rounds=5, min_s=0.3):
    for _ in range(3): fn()
    b = 1e9
    for _ in range(rounds):
        it, t0 = 0, time.process_time()
        while True:
            fn(); it += 1
            dt = time.process_time() - t0
            if dt >= min_s: break
        b = min(b, dt / it)
    return b * 1000
def step(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    def f():
        opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
    return f
mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
cnn = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(64 * 12 * 12, 128), nn.ReLU(), nn.Linear(128, 10))
out = {'mlp': best(step(mlp, torch.randn(64, 784), torch.randint(0, 10, (64,)))),
       'cnn': best(step(cnn, torch.randn(32, 1, 28, 28), torch.randint(0, 10, (32,)))),
       'version': torch.__version__}
print(json.dumps(out))
`;
  return runTorch(script, 300_000, 'eager, 1 thread, CPU time');
}

/**
 * tfjs-core's Node (CJS) build registers no gradients, and its ESM gradient
 * files use directory imports Node cannot load: bundle them with esbuild into
 * a temp file and import it. Gradients land in tfjs's global registry, which
 * every copy of tfjs-core shares.
 */
async function registerTfjsGradients(require: NodeRequire): Promise<void> {
  const { build } = await import('esbuild');
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'es2022', write: false, logLevel: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'tglite-tfjs-grads-'));
  try {
    const file = join(dir, 'grads.mjs');
    writeFileSync(file, out.outputFiles[0].contents);
    await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type TF = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

/** The MLP and CNN Adam steps in TensorFlow.js on its current backend (ms per step; a note where one cannot run). */
function tfjsSteps(tf: TF, label: string): { figs: Record<string, number>; notes: string[] } {
  const figs: Record<string, number> = {}, notes: string[] = [];
  const uniform = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
  const dense = (i: number, o: number) => [uniform([i, o], i), tf.variable(tf.zeros([o]))] as const;
  const labels = (n: number) => tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10);
  const step = (forward: (x: TfTensor) => TfTensor, x: TfTensor, y: TfTensor) => {
    const opt = tf.train.adam(1e-3);
    return () => {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as import('@tensorflow/tfjs-core').Scalar, true);
      loss?.dataSync();
      loss?.dispose();
    };
  };
  const [w1, b1] = dense(784, 512), [w2, b2] = dense(512, 512), [w3, b3] = dense(512, 10);
  const fc = (x: TfTensor, w: TfTensor, b: TfTensor) => tf.add(tf.matMul(x, w), b);
  figs.mlp = timeIt(step((x) => fc(tf.relu(fc(tf.relu(fc(x, w1, b1)), w2, b2)), w3, b3), tf.randomNormal([64, 784]), labels(64)), 3, 500);
  try {
    const c1 = uniform([3, 3, 1, 32], 9) as unknown as import('@tensorflow/tfjs-core').Tensor4D, cb1 = tf.variable(tf.zeros([32]));
    const c2 = uniform([3, 3, 32, 64], 288) as unknown as import('@tensorflow/tfjs-core').Tensor4D, cb2 = tf.variable(tf.zeros([64]));
    const [f1, fb1] = dense(64 * 12 * 12, 128), [f2, fb2] = dense(128, 10);
    figs.cnn = timeIt(step((x) => {
      const h1 = tf.relu(tf.add(tf.conv2d(x as import('@tensorflow/tfjs-core').Tensor4D, c1, 1, 'valid'), cb1)) as import('@tensorflow/tfjs-core').Tensor4D;
      const h2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, c2, 1, 'valid'), cb2)) as import('@tensorflow/tfjs-core').Tensor4D, 2, 2, 'valid');
      return fc(tf.relu(fc(tf.reshape(h2, [32, -1]), f1, fb1)), f2, fb2);
    }, tf.randomNormal([32, 28, 28, 1]), labels(32)), 2, 500);
  } catch (e) {
    notes.push(`${label} CNN: cannot train (${(e as Error).message.split('\n')[0]})`);
  }
  tf.disposeVariables();
  return { figs, notes };
}

/**
 * TensorFlow.js wasm-backend step times (ms, one thread). tfjs-wasm 4.9 has no
 * Conv2DBackpropFilter kernel, so its CNN row stays empty with a note (the
 * plain-JS cpu backend took ~100 s per CNN step here: not a useful peer).
 */
async function tfjsFigures(): Promise<{ wasm: Record<string, number>; notes: string[] }> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    await registerTfjsGradients(require);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    if (typeof wasm.setThreadsCount === 'function') wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) failed');
    await tf.ready();
    const r = tfjsSteps(tf, 'tfjs-wasm');
    return { wasm: r.figs, notes: [`tfjs-wasm: @tensorflow/tfjs-backend-wasm ${tf.version_core}, 1 thread, tf.train.adam + softmaxCrossEntropy (NHWC)`, ...r.notes] };
  } catch (e) {
    return { wasm: {}, notes: [`tfjs-wasm: unavailable (${(e as Error).message})`] };
  }
}

/**
 * Eager Adam step times of the MLP and CNN, ours beside PyTorch and TensorFlow.js.
 * @example console.log(formatRows(await benchTraining()));
 */
export async function benchTraining(): Promise<BenchRow[]> {
  tg.manualSeed(0);
  const steps = CASES.map((c) => stepFn(c.make(), c.x(), tg.randint(0, 10, [c.batch])));
  const ours: Record<string, number> = {};
  // ours and PyTorch are each timed twice, alternating (best of both), so a
  // burst of background load during one measurement does not decide the ratio
  const measure = () => CASES.forEach((c, i) => { ours[c.key] = Math.min(ours[c.key] ?? Infinity, timeIt(steps[i], 3)); });
  measure();
  const torch = torchFigures();
  measure();
  const again = torchFigures();
  for (const k of Object.keys(again.figs)) if (typeof torch.figs[k] === 'number') torch.figs[k] = Math.min(torch.figs[k], again.figs[k]);
  const tfjs = await tfjsFigures();
  const notes = ['ours: eager tg.nn modules, F.crossEntropy, tg.optim.Adam, 1 thread', 'timing: best round, process CPU time per step (ours, PyTorch and tfjs alike)', torch.note, ...tfjs.notes];
  return CASES.map((c) => ({
    name: c.name, ours: ours[c.key], unit: 'ms', notes,
    peers: { pytorch: torch.figs[c.key] ?? null, 'tfjs-wasm': tfjs.wasm[c.key] ?? null },
  }));
}

/**
 * Where an eager step's time goes: forward / backward / optimizer phases, and
 * the ops (forward and gradient kernels alike) by CPU time per step. Times every
 * op by wrapping the eager interpreter's apply in place (the optimizer's fused
 * eager path checks that interpreter's identity, so it must stay the same object).
 * @example console.log(profileSteps()); // or: npx tsx bench/training.ts --profile
 */
export function profileSteps(steps = 20): string {
  const lines: string[] = [];
  const orig = eager.apply;
  const ops = new Map<string, number>();
  eager.apply = function timed(op, inputs, attrs) {
    const t0 = cpuMs();
    const out = orig.call(this, op, inputs, attrs);
    ops.set(op.name, (ops.get(op.name) ?? 0) + cpuMs() - t0);
    return out;
  };
  try {
    for (const c of CASES) {
      const model = c.make(), x = c.x(), y = tg.randint(0, 10, [c.batch]);
      const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
      const phase = { forward: 0, backward: 0, optimizer: 0 };
      const run = () => {
        const t0 = cpuMs();
        opt.zeroGrad();
        const loss = tg.nn.functional.crossEntropy(model.forward(x), y);
        const t1 = cpuMs();
        loss.backward();
        const t2 = cpuMs();
        opt.step();
        const t3 = cpuMs();
        phase.forward += t1 - t0; phase.backward += t2 - t1; phase.optimizer += t3 - t2;
      };
      for (let i = 0; i < 3; i++) run();
      ops.clear();
      phase.forward = phase.backward = phase.optimizer = 0;
      for (let i = 0; i < steps; i++) run();
      const total = phase.forward + phase.backward + phase.optimizer;
      const f = (ms: number) => `${(ms / steps).toFixed(2)} ms (${((100 * ms) / total).toFixed(0)}%)`;
      lines.push(`${c.name}: ${(total / steps).toFixed(2)} ms/step = forward ${f(phase.forward)} + backward ${f(phase.backward)} + optimizer ${f(phase.optimizer)}`);
      const opTotal = [...ops.values()].reduce((s, v) => s + v, 0);
      for (const [name, ms] of [...ops].sort((p, q) => q[1] - p[1]).slice(0, 12)) lines.push(`  ${name.padEnd(24)} ${f(ms)}`);
      lines.push(`  ${'(outside op dispatch)'.padEnd(24)} ${f(total - opTotal)}  (fused eager optimizer kernels, autograd bookkeeping)`);
    }
  } finally {
    eager.apply = orig;
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--profile')) console.log(profileSteps());
  else console.log(formatRows(await benchTraining()));
}
