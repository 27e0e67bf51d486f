/**
 * Runs one model's fuzz cases in a worker thread, posting before each case so the test
 * (fuzz.test.ts) can tell a hang from slow progress and name the case that hung.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { modelBytes } from '../models/shared.js';
import { TEST_OPS } from '../interpreter/helpers.js';
import { rng } from '../ops/helpers.js';
import { mutate, mutateParams, paramPositions, runCase, structuralPositions } from './cases.js';

/**
 * `file` is a real model, or with `conformance` a list of fixture files of
 * test/fixtures/lite/conformance whose single-op models (every op, float32 and int8)
 * are each mutated `cases` times; with `controlFlow`, the built models of
 * test/fixtures/lite/models/{control_flow,dags}.json (LESS from the test ops, loops capped).
 */
export interface FuzzJob { file: string; cases: number; seed: number; conformance?: string[]; controlFlow?: boolean }
export interface FuzzStats { ran: number; rejectedAtLoad: number; rejectedAtRun: number; maxMs: number; wrapped: string[] }
export type FuzzMessage =
  | { type: 'case'; c: number }
  | { type: 'fail'; c: number; error: string }
  | { type: 'done'; stats: FuzzStats };

/** The models built with our writer: control flow (IF, WHILE, IF in WHILE) and random DAGs. */
function controlFlowModels(): Uint8Array[] {
  return ['control_flow.json', 'dags.json'].flatMap((f) => {
    const json = JSON.parse(readFileSync(new URL(`../../fixtures/lite/models/${f}`, import.meta.url), 'utf8')) as { models: { model: string }[] };
    return json.models.map((m) => new Uint8Array(Buffer.from(m.model, 'base64')));
  });
}

/** The single-op models of one conformance fixture file. */
function conformanceModels(file: string): Uint8Array[] {
  const json = JSON.parse(readFileSync(new URL(`../../fixtures/lite/conformance/${file}`, import.meta.url), 'utf8')) as { cases: { model: string }[] };
  return json.cases.map((c) => new Uint8Array(Buffer.from(c.model, 'base64')));
}

const job = (workerData as { job: FuzzJob }).job;
const post = (m: FuzzMessage): void => parentPort!.postMessage(m);
const sources = job.controlFlow ? controlFlowModels()
  : job.conformance ? job.conformance.flatMap(conformanceModels) : [modelBytes(job.file)];
const options = job.controlFlow ? { ops: TEST_OPS, maxLoopIterations: 10000 } : {};
const structural = sources.map(structuralPositions);
const params = sources.map(paramPositions);
const rand = rng(job.seed);
const stats: FuzzStats = { ran: 0, rejectedAtLoad: 0, rejectedAtRun: 0, maxMs: 0, wrapped: [] };
const wrapped = new Set<string>();
let failed = false;
const total = job.cases * sources.length;
for (let c = 0; c < total && !failed; c++) {
  const k = c % sources.length;
  // Single-op models: half the cases change only op parameters, to reach every op's prepare checks.
  const bytes = (job.conformance || job.controlFlow) && rand() < 0.5 ? mutateParams(sources[k]!, params[k]!, rand) : mutate(sources[k]!, structural[k]!, rand);
  post({ type: 'case', c });
  const t0 = performance.now();
  try {
    const r = await runCase(bytes, options);
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
