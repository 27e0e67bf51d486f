/**
 * Fuzz: mutated real models (seeded) either load and run, or throw a LiteError; never
 * another error, never a hang. Mutations (cases.ts): random byte flips, 32-bit words at
 * structural positions (tables, vtables, fields, vector headers, op options) overwritten
 * with edge values, and truncation. Each model's cases run in a worker thread; a case
 * that makes no progress for HANG_MS fails the test by its index (same seed, same case).
 * Op failures the interpreter had to wrap (a non-LiteError thrown inside an op) are
 * printed: they point at op bugs.
 */
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { FuzzJob, FuzzMessage, FuzzStats } from './worker.js';

const PLAN: [string, number][] = [
  ['hello_world_float.tflite', 2000],
  ['hello_world_int8.tflite', 2000],
  ['micro_speech_quantized.tflite', 1500],
  ['keyword_scrambled.tflite', 1500],
  ['person_detect.tflite', 800],
];
/** Multiplies the case counts (e.g. TGLITE_FUZZ_SCALE=20 for a long local run). */
const SCALE = Number(process.env.TGLITE_FUZZ_SCALE ?? 1);
const HANG_MS = 10000;

function runJob(job: FuzzJob): Promise<FuzzStats> {
  const worker = new Worker(new URL('./boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./worker.ts', import.meta.url).href, job },
  });
  return new Promise<FuzzStats>((resolve, reject) => {
    let last = -1;
    let timer: ReturnType<typeof setTimeout>;
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(() => reject(new Error(
        `${job.file}: case ${last} (seed ${job.seed}) made no progress for ${HANG_MS} ms: a hang`))), HANG_MS);
    };
    arm();
    worker.on('message', (m: FuzzMessage) => {
      if (m.type === 'case') { last = m.c; arm(); }
      else if (m.type === 'fail') finish(() => reject(new Error(`${job.file}: case ${m.c} (seed ${job.seed}) threw a non-LiteError:\n${m.error}`)));
      else finish(() => resolve(m.stats));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`${job.file}: worker exited (${code}) after case ${last}`))));
  });
}

/** Conformance fixtures whose single-op models are mutated too (exercises every op's prepare checks). */
const CONFORMANCE_DIR = new URL('../../fixtures/lite/conformance/', import.meta.url);
const MUTATIONS_PER_OP_MODEL = 16;

describe('fuzz: mutated single-op models (every op)', () => {
  it(`each conformance model mutated ${MUTATIONS_PER_OP_MODEL * SCALE} times`, async () => {
    const files = readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThan(10);
    const totals = await runJob({ file: 'conformance', cases: Math.round(MUTATIONS_PER_OP_MODEL * SCALE), seed: 0xc0f, conformance: files });
    const { wrapped, ...counts } = totals;
    console.log(`single-op models of ${files.length} ops: ${JSON.stringify({ ...counts, maxMs: Math.round(counts.maxMs) })}${wrapped.length ? `\n  op errors wrapped by the interpreter:\n  ${wrapped.join('\n  ')}` : ''}`);
    expect(totals.maxMs).toBeLessThan(3000);
    expect(totals.ran).toBeGreaterThan(0);
  }, 300000 * SCALE);
});

describe('fuzz: mutated control-flow models and random DAGs', () => {
  it(`IF, WHILE, IF in WHILE, 12 DAGs: ${Math.round(100 * SCALE) * 15} cases`, async () => {
    const stats = await runJob({ file: 'built models', cases: Math.round(100 * SCALE), seed: 0xcf, controlFlow: true });
    const { wrapped, ...counts } = stats;
    console.log(`control flow and DAGs: ${JSON.stringify({ ...counts, maxMs: Math.round(counts.maxMs) })}${wrapped.length ? `\n  op errors wrapped by the interpreter:\n  ${wrapped.join('\n  ')}` : ''}`);
    expect(stats.maxMs).toBeLessThan(3000);
    expect(stats.ran).toBeGreaterThan(0);
  }, 120000 * SCALE);
});

describe('fuzz: mutated real models', () => {
  for (const [file, base] of PLAN) {
    const cases = Math.round(base * SCALE);
    it(`${file}: ${cases} cases load+run or throw LiteError`, async () => {
      const stats = await runJob({ file, cases, seed: 0xf022 + base + file.length });
      const { wrapped, ...counts } = stats;
      console.log(`${file}: ${JSON.stringify({ ...counts, maxMs: Math.round(counts.maxMs) })}${wrapped.length ? `\n  op errors wrapped by the interpreter:\n  ${wrapped.join('\n  ')}` : ''}`);
      expect(stats.ran + stats.rejectedAtLoad + stats.rejectedAtRun).toBe(cases);
      expect(stats.rejectedAtLoad).toBeGreaterThan(cases / 10);
      expect(stats.ran).toBeGreaterThan(cases / 20);
      expect(stats.maxMs).toBeLessThan(3000);
    }, 120000 * SCALE);
  }
});
