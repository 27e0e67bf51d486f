/**
 * Eager vs tg.jit in one run: inference forward (batch 1 and 64) and the Adam
 * training step of the MLP 784-512-512-10 and the CNN
 * conv3x3(32)-relu-conv3x3(64)-relu-maxpool2-dense128-dense10 on 28x28.
 * `ours` is the jitted time, the `eager` peer the same work eagerly (ratio > 1: jit faster).
 * Run standalone: `npx tsx bench/jit.ts`.
 */
import { pathToFileURL } from 'node:url';
import * as tg from '../training/index.js';
import { formatRows, type BenchRow } from './types.js';

type Model = tg.nn.Module & { forward(x: tg.Tensor): tg.Tensor };

/** Best time per call (ms) over `rounds` rounds of at least `minMs` each. */
function timeMs(fn: () => void, rounds = 3, minMs = 250): number {
  fn(); fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let it = 0;
    const t0 = performance.now();
    let dt = 0;
    do { fn(); it++; dt = performance.now() - t0; } while (dt < minMs);
    best = Math.min(best, dt / it);
  }
  return best;
}

function crossEntropy(logits: tg.Tensor, labels: tg.Tensor): tg.Tensor {
  return tg.logSoftmax(logits, -1).mul(tg.oneHot(labels, logits.shape[1])).sum(1).mean().neg();
}

class Cnn extends tg.nn.Module {
  w1 = tg.nn.Parameter(tg.randn([32, 1, 3, 3]).mul(1 / 3));
  b1 = tg.nn.Parameter(tg.zeros([32]));
  w2 = tg.nn.Parameter(tg.randn([64, 32, 3, 3]).mul(1 / Math.sqrt(288)));
  b2 = tg.nn.Parameter(tg.zeros([64]));
  fc1 = new tg.nn.Linear(64 * 12 * 12, 128);
  fc2 = new tg.nn.Linear(128, 10);
  forward(x: tg.Tensor): tg.Tensor {
    const h = tg.maxPool2d(tg.conv2d(tg.conv2d(x, this.w1, this.b1).relu(), this.w2, this.b2).relu(), 2);
    return this.fc2.forward(this.fc1.forward(tg.flatten(h, 1)).relu());
  }
}

const mlp = (): Model => new tg.nn.Sequential(new tg.nn.Linear(784, 512), new tg.nn.ReLU(), new tg.nn.Linear(512, 512), new tg.nn.ReLU(), new tg.nn.Linear(512, 10));

function inferenceRow(name: string, model: Model, x: tg.Tensor): BenchRow {
  model.eval();
  const f = tg.jit(model);
  const eager = timeMs(() => tg.noGrad(() => model.forward(x)));
  const jit = timeMs(() => f(x));
  return { name: `${name} inference b${x.shape[0]}`, ours: jit, unit: 'ms', peers: { eager } };
}

function trainRow(name: string, make: () => Model, x: tg.Tensor, y: tg.Tensor): BenchRow {
  const a = make(), b = make();
  const optA = new tg.optim.Adam(a.parameters(), { lr: 1e-3 }), optB = new tg.optim.Adam(b.parameters(), { lr: 1e-3 });
  const eager = timeMs(() => { optA.zeroGrad(); crossEntropy(a.forward(x), y).backward(); optA.step(); }, 3, 400);
  const step = tg.jit((xb: tg.Tensor, yb: tg.Tensor) => { optB.zeroGrad(); const l = crossEntropy(b.forward(xb), yb); l.backward(); optB.step(); return l; });
  const jit = timeMs(() => step(x, y), 3, 400);
  return { name: `${name} Adam step b${x.shape[0]}`, ours: jit, unit: 'ms', peers: { eager } };
}

/** The rows of this suite (see the file comment). */
export async function benchJit(): Promise<BenchRow[]> {
  tg.manualSeed(0);
  const rows: BenchRow[] = [];
  const m = mlp();
  for (const b of [1, 64]) rows.push(inferenceRow('MLP 784-512-512-10', m, tg.randn([b, 784])));
  rows.push(trainRow('MLP 784-512-512-10', mlp, tg.randn([64, 784]), tg.randint(0, 10, [64])));
  const c = new Cnn();
  for (const b of [1, 64]) rows.push(inferenceRow('CNN 28x28', c, tg.randn([b, 1, 28, 28])));
  rows.push(trainRow('CNN 28x28', () => new Cnn(), tg.randn([32, 1, 28, 28]), tg.randint(0, 10, [32])));
  for (const r of rows) r.notes = ['jit: ours is the tg.jit time; eager: the same model run eagerly in this process'];
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatRows(await benchJit()));
}
