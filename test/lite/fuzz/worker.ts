/**
 * Runs one model's fuzz cases in a worker thread, posting before each case so the test
 * (fuzz.test.ts) can tell a hang from slow progress and name the case that hung.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { modelBytes } from '../models/shared.js';
import { mulberry32, mutate, runCase, structuralPositions } from './cases.js';

export interface FuzzJob { file: string; cases: number; seed: number }
export interface FuzzStats { ran: number; rejectedAtLoad: number; rejectedAtRun: number; maxMs: number; wrapped: string[] }
export type FuzzMessage =
  | { type: 'case'; c: number }
  | { type: 'fail'; c: number; error: string }
  | { type: 'done'; stats: FuzzStats };

const job = (workerData as { job: FuzzJob }).job;
const post = (m: FuzzMessage): void => parentPort!.postMessage(m);
const src = modelBytes(job.file);
const structural = structuralPositions(src);
const rand = mulberry32(job.seed);
const stats: FuzzStats = { ran: 0, rejectedAtLoad: 0, rejectedAtRun: 0, maxMs: 0, wrapped: [] };
const wrapped = new Set<string>();
let failed = false;
for (let c = 0; c < job.cases && !failed; c++) {
  const bytes = mutate(src, structural, rand);
  post({ type: 'case', c });
  const t0 = performance.now();
  try {
    const r = await runCase(bytes);
    if (r.kind === 'ran') stats.ran++;
    else {
      if (r.atRun) stats.rejectedAtRun++;
      else stats.rejectedAtLoad++;
      if (r.wrapped) wrapped.add(r.wrapped);
    }
  } catch (e) {
    post({ type: 'fail', c, error: String((e as Error)?.stack ?? e) });
    failed = true;
  }
  stats.maxMs = Math.max(stats.maxMs, performance.now() - t0);
}
stats.wrapped = [...wrapped];
if (!failed) post({ type: 'done', stats });
