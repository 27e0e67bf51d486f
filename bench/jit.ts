/**
 * Eager vs tg.jit in one run: inference forward (batch 1 and 64) and the Adam
 * training step of the MLP 784-512-512-10 and the CNN
 * conv3x3(32)-relu-conv3x3(64)-relu-maxpool2-dense128-dense10 on 28x28.
 * `ours` is the jitted time, the `eager` peer the same work eagerly (ratio > 1: jit faster), both in
 * CPU time per call.
 * Run standalone: `npx tsx bench/jit.ts`.
 */
import { pathToFileURL } from 'node:url';
import * as tg from '../training/index.js';
import { compileGraph } from '../training/jit/executor.js';
import { cnn, mlp } from './training.js';
import { formatRows, type BenchRow } from './types.js';

type Model = tg.nn.Module & { forward(x: tg.Tensor): tg.Tensor };

/** CPU time of this process so far (ms): user + system, all of its threads (GC helpers included). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Best CPU time per call (ms) of two functions over `rounds` alternating rounds
 * of at least `minMs` each. CPU time rather than wall time: on a shared, loaded
 * machine wall time swings by 1.5x between runs of this suite (the kernels are
 * single-threaded, so CPU time is what a run costs); alternating keeps the
 * remaining noise (caches, frequency) from favouring one.
 */
function timePair(a: () => void, b: () => void, rounds = 5, minMs = 200): [number, number] {
  a(); a(); b(); b();
  const best = [Infinity, Infinity];
  for (let r = 0; r < rounds; r++) {
    [a, b].forEach((fn, k) => {
      let it = 0;
      const t0 = cpuMs();
      let dt = 0;
      do { fn(); it++; dt = cpuMs() - t0; } while (dt < minMs);
      best[k] = Math.min(best[k], dt / it);
    });
  }
  return [best[0], best[1]];
}

const crossEntropy = (logits: tg.Tensor, labels: tg.Tensor): tg.Tensor => tg.nn.functional.crossEntropy(logits, labels);

function inferenceRow(name: string, model: Model, x: tg.Tensor): BenchRow {
  model.eval();
  const f = tg.jit(model);
  const [eager, jit] = timePair(() => tg.noGrad(() => model.forward(x)), () => f(x));
  return { name: `${name} inference b${x.shape[0]}`, ours: jit, unit: 'ms', peers: { eager } };
}

function trainRow(name: string, make: () => Model, x: tg.Tensor, y: tg.Tensor): BenchRow {
  const a = make(), b = make();
  const optA = new tg.optim.Adam(a.parameters(), { lr: 1e-3 }), optB = new tg.optim.Adam(b.parameters(), { lr: 1e-3 });
  const step = tg.jit((xb: tg.Tensor, yb: tg.Tensor) => { optB.zeroGrad(); const l = crossEntropy(b.forward(xb), yb); l.backward(); optB.step(); return l; });
  const [eager, jit] = timePair(() => { optA.zeroGrad(); crossEntropy(a.forward(x), y).backward(); optA.step(); }, () => step(x, y), 5, 300);
  return { name: `${name} Adam step b${x.shape[0]}`, ours: jit, unit: 'ms', peers: { eager }, notes: [dominant(`${name} Adam step`, step.optimizedGraphFor(x, y), [x, y])] };
}

/** Where a compiled graph spends its time: the top ops by share, from the executor's profile. */
function dominant(name: string, graph: tg.Graph, inputs: tg.Tensor[]): string {
  const prof = new Map<string, number>();
  const exe = compileGraph(graph, { profile: prof });
  const data = inputs.map((t) => t.data());
  for (let i = 0; i < 5; i++) exe.run(data); // steady state: weights repacked, then multiplied unpacked
  prof.clear();
  for (let i = 0; i < 5; i++) exe.run(data);
  const total = [...prof.values()].reduce((p, v) => p + v, 0);
  const top = [...prof].sort((p, q) => q[1] - p[1]).slice(0, 4).map(([op, v]) => `${op} ${Math.round((100 * v) / total)}%`);
  return `${name} (jit) time by op: ${top.join(', ')}`;
}

/** The rows of this suite (see the file comment). */
export async function benchJit(): Promise<BenchRow[]> {
  tg.manualSeed(0);
  const rows: BenchRow[] = [];
  const m = mlp();
  for (const b of [1, 64]) rows.push(inferenceRow('MLP 784-512-512-10', m, tg.randn([b, 784])));
  rows.push(trainRow('MLP 784-512-512-10', mlp, tg.randn([64, 784]), tg.randint(0, 10, [64])));
  const c = cnn();
  for (const b of [1, 64]) rows.push(inferenceRow('CNN 28x28', c, tg.randn([b, 1, 28, 28])));
  rows.push(trainRow('CNN 28x28', cnn, tg.randn([32, 1, 28, 28]), tg.randint(0, 10, [32])));
  for (const r of rows) r.notes = ['jit: ours is the tg.jit time; eager: the same model run eagerly in this process; both CPU time per call (best round)', ...(r.notes ?? [])];
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatRows(await benchJit()));
}
