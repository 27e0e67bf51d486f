/**
 * Trains a small CNN on the UCI handwritten digits (8x8 images, 1797 samples)
 * and saves a checkpoint. Run: `npm run demo` (or `npx tsx examples/train-digits.ts [--epochs 15] [--out path]`).
 * The data ships in examples/data/digits.csv.gz (64 pixel values 0..16, then the label, per row).
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tg from '../training/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The digits data set: images [N, 1, 8, 8] scaled to [0, 1] and int32 labels [N]. */
export interface Digits { images: tg.Tensor; labels: tg.Tensor }

/**
 * Reads the gzipped CSV (64 pixel values 0..16, then the label per row).
 * @example const { images, labels } = loadDigits(); // [1797, 1, 8, 8], [1797]
 */
export function loadDigits(path = join(HERE, 'data', 'digits.csv.gz')): Digits {
  const rows = gunzipSync(readFileSync(path)).toString('utf8').trim().split('\n');
  const px = new Float32Array(rows.length * 64), lab = new Int32Array(rows.length);
  rows.forEach((row, r) => {
    const v = row.split(',').map(Number);
    if (v.length !== 65 || v.some((x) => !Number.isFinite(x))) throw new Error(`${path}: row ${r + 1} must hold 64 pixel values and a label, got ${v.length} fields`);
    for (let i = 0; i < 64; i++) px[r * 64 + i] = v[i] / 16;
    lab[r] = v[64];
  });
  return { images: tg.tensor(px, { shape: [rows.length, 1, 8, 8] }), labels: tg.tensor(lab, { shape: [rows.length], dtype: 'int32' }) };
}

/** A seeded permutation of 0..n-1 (mulberry32 + Fisher-Yates), independent of tg's generator. */
export function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** conv3x3(16)-relu-conv3x3(32)-relu-maxpool2-dense64-relu-dense10 on 8x8 inputs. */
export class DigitsCnn extends tg.nn.Module {
  features = new tg.nn.Sequential(
    new tg.nn.Conv2d(1, 16, 3, { padding: 1 }), new tg.nn.ReLU(),
    new tg.nn.Conv2d(16, 32, 3, { padding: 1 }), new tg.nn.ReLU(),
    new tg.nn.MaxPool2d(2), new tg.nn.Flatten(),
  );
  classifier = new tg.nn.Sequential(new tg.nn.Linear(32 * 4 * 4, 64), new tg.nn.ReLU(), new tg.nn.Dropout(0.1), new tg.nn.Linear(64, 10));

  forward(x: tg.Tensor): tg.Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

/** Options of trainDigits. */
export interface TrainDigitsOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Seeds the split, the initialization, the shuffling and dropout. */
  seed?: number;
  /** Fraction of the samples held out for testing. Default 0.2. */
  testFraction?: number;
  /** Where to write the safetensors checkpoint; null to skip. */
  checkpoint?: string | null;
  /** Progress output: 'auto' (an updating line on a TTY, plain lines otherwise), 'lines', or 'none'. */
  progress?: 'auto' | 'lines' | 'none';
  data?: Digits;
}

/** What trainDigits measured. */
export interface TrainDigitsResult {
  testAccuracy: number;
  trainAccuracy: number;
  finalLoss: number;
  samplesPerSec: number;
  trainSize: number;
  testSize: number;
  checkpoint: string | null;
  model: DigitsCnn;
}

/** Accuracy of `model` (eval mode, no grad) over images/labels, in batches. */
export function accuracy(model: tg.nn.Module & { forward(x: tg.Tensor): tg.Tensor }, images: tg.Tensor, labels: tg.Tensor): number {
  model.eval();
  let correct = 0;
  tg.noGrad(() => {
    for (let i = 0; i < images.shape[0]; i += 256) {
      const n = Math.min(256, images.shape[0] - i);
      const pred = model.forward(tg.narrow(images, 0, i, n)).argmax(1).data();
      const y = tg.narrow(labels, 0, i, n).data();
      for (let k = 0; k < n; k++) correct += +(pred[k] === y[k]);
    }
  });
  model.train();
  return images.shape[0] ? correct / images.shape[0] : 0;
}

/**
 * Trains DigitsCnn with Adam and cross-entropy on a seeded train/test split,
 * reports progress, evaluates on the held-out part and saves a checkpoint.
 * @example const r = await trainDigits({ epochs: 5, checkpoint: null }); console.log(r.testAccuracy);
 */
export async function trainDigits(opts: TrainDigitsOptions = {}): Promise<TrainDigitsResult> {
  const { epochs = 15, batchSize = 32, lr = 3e-3, seed = 0, testFraction = 0.2 } = opts;
  const data = opts.data ?? loadDigits();
  const n = data.images.shape[0], nTest = Math.round(n * testFraction);
  const order = permutation(n, seed);
  const pick = (idx: Int32Array) => {
    const i = tg.tensor(idx, { shape: [idx.length], dtype: 'int32' });
    return [tg.indexSelect(data.images, 0, i), tg.indexSelect(data.labels, 0, i)] as const;
  };
  const [testX, testY] = pick(order.subarray(0, nTest));
  const [trainX, trainY] = pick(order.subarray(nTest));
  tg.manualSeed(seed);
  const model = new DigitsCnn();
  const opt = new tg.optim.Adam(model.parameters(), { lr });
  const sched = new tg.optim.CosineAnnealingLR(opt, { tMax: epochs });
  const loader = new tg.data.DataLoader(new tg.data.TensorDataset(trainX, trainY), { batchSize, shuffle: true, seed });
  const mode = opts.progress ?? 'auto';
  const tty = mode === 'auto' && process.stdout.isTTY === true;
  const say = (line: string, final: boolean) => {
    if (mode === 'none') return;
    if (tty) process.stdout.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else if (final) console.log(line);
  };
  let seen = 0, trainMs = 0, lastLoss = NaN;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let lossSum = 0, correct = 0, count = 0, b = 0;
    const t0 = performance.now();
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const logits = model.forward(x);
      const loss = tg.nn.functional.crossEntropy(logits, y);
      loss.backward();
      opt.step();
      const k = y.shape[0];
      lossSum += loss.item() * k;
      const pred = logits.argmax(1).data(), yy = y.data();
      for (let i = 0; i < k; i++) correct += +(pred[i] === yy[i]);
      count += k;
      b++;
      if (tty && b % 5 === 0) {
        const sps = count / ((performance.now() - t0) / 1000);
        say(`epoch ${epoch}/${epochs}  batch ${b}/${loader.length}  loss ${(lossSum / count).toFixed(4)}  acc ${(100 * correct / count).toFixed(1)}%  ${sps.toFixed(0)} samples/s`, false);
      }
    }
    sched.step();
    const dt = performance.now() - t0;
    trainMs += dt;
    seen += count;
    lastLoss = lossSum / count;
    const testAcc = accuracy(model, testX, testY);
    say(`epoch ${epoch}/${epochs}  loss ${lastLoss.toFixed(4)}  train acc ${(100 * correct / count).toFixed(1)}%  test acc ${(100 * testAcc).toFixed(1)}%  ${(count / (dt / 1000)).toFixed(0)} samples/s`, true);
  }
  const testAccuracy = accuracy(model, testX, testY);
  const trainAccuracy = accuracy(model, trainX, trainY);
  let checkpoint: string | null = null;
  if (opts.checkpoint !== null) {
    checkpoint = opts.checkpoint ?? join(HERE, 'out', 'digits-cnn.safetensors');
    await mkdir(dirname(checkpoint), { recursive: true });
    await tg.save(model.stateDict(), checkpoint, { model: 'DigitsCnn', testAccuracy: testAccuracy.toFixed(4) });
  }
  return { testAccuracy, trainAccuracy, finalLoss: lastLoss, samplesPerSec: seen / (trainMs / 1000), trainSize: n - nTest, testSize: nTest, checkpoint, model };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const epochs = arg('epochs') === undefined ? undefined : Number(arg('epochs'));
  const r = await trainDigits({ epochs, checkpoint: arg('out') });
  console.log(`held-out accuracy ${(100 * r.testAccuracy).toFixed(2)}% on ${r.testSize} samples (trained on ${r.trainSize}); ` +
    `${r.samplesPerSec.toFixed(0)} training samples/s; checkpoint: ${r.checkpoint ?? 'not saved'}`);
  if (r.testAccuracy < 0.97) process.exitCode = 1;
}
