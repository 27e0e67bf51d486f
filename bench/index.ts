/**
 * `npm run bench`: every benchmark, ours beside the peers measured in the same run.
 * `npm run bench -- matmul lite` runs a subset.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { formatRows, type BenchRow } from './types.js';

const suites: Record<string, { file: string; fn: string }> = {
  matmul: { file: './matmul.ts', fn: 'benchMatmul' },
  training: { file: './training.ts', fn: 'benchTraining' },
  jit: { file: './jit.ts', fn: 'benchJit' },
  lite: { file: './lite.ts', fn: 'benchLite' },
  convert: { file: './convert.ts', fn: 'benchConvert' },
  worker: { file: './worker.ts', fn: 'benchWorker' },
  webgpu: { file: './webgpu.ts', fn: 'benchWebgpu' },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
console.log(`tglite bench — ${new Date().toISOString()} — ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, node ${process.version}, one thread everywhere`);
let failed = false;
for (const [name, s] of Object.entries(suites)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n## ${name}`);
  if (!existsSync(new URL(s.file, import.meta.url))) { console.log(`(suite ${s.file} not present)`); failed = true; continue; }
  try {
    const mod = (await import(s.file)) as Record<string, () => Promise<BenchRow[]>>;
    console.log(formatRows(await mod[s.fn]()));
  } catch (e) {
    failed = true;
    console.log(`suite ${name} failed: ${(e as Error).stack ?? e}`);
  }
}
process.exitCode = failed ? 1 : 0;
