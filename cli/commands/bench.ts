import { Command } from 'commander';
import { backendOption, intOption, openModel, randomInputs } from './model-file.js';

/** `tglite bench model.tflite`: load time and latency percentiles of one model per backend on this machine. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure load time and per-inference latency of a .tflite model (the project-wide comparison is `npm run bench`)')
    .argument('<model>', 'path to a .tflite file')
    .option('-n, --runs <n>', 'timed runs (>= 1)', intOption(1), 100)
    .option('--warmup <n>', 'untimed runs first (>= 0)', intOption(0), 10)
    .option('-b, --backend <backend>', 'cpu | webgpu | all (cpu, and webgpu where an adapter exists)', (v: string) => {
      if (v !== 'all') backendOption(v);
      return v;
    }, 'all')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  tglite bench person_detect.tflite\n  tglite bench digits.tflite -n 500 --backend cpu\n')
    .action(async (path: string, opts: { runs: number; warmup: number; backend: string; json?: boolean }) => {
      const results: { backend: string; loadMs: number; runs: number; min: number; p50: number; p90: number; p99: number }[] = [];
      const skipped: string[] = [];
      for (const backend of opts.backend === 'all' ? ['cpu', 'webgpu'] as const : [opts.backend as 'cpu' | 'webgpu']) {
        let opened;
        try {
          opened = await openModel(path, backend);
        } catch (e) {
          if (opts.backend === 'all' && backend === 'webgpu') { skipped.push(`webgpu: ${(e as Error).message}`); continue; }
          throw e;
        }
        const { model, loadMs } = opened;
        const inputs = randomInputs(model);
        const times: number[] = [];
        try {
          for (let i = 0; i < opts.warmup; i++) await model.run(inputs);
          for (let i = 0; i < opts.runs; i++) {
            const t0 = performance.now();
            await model.run(inputs);
            times.push(performance.now() - t0);
          }
        } finally {
          model.dispose();
        }
        times.sort((a, b) => a - b);
        const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
        results.push({ backend: model.backend, loadMs, runs: times.length, min: times[0]!, p50: q(0.5), p90: q(0.9), p99: q(0.99) });
      }
      if (opts.json) { console.log(JSON.stringify({ model: path, results, skipped }, null, 2)); return; }
      for (const r of results) {
        console.log(`${path}: load ${r.loadMs.toFixed(2)} ms, median ${r.p50.toFixed(3)} ms, p90 ${r.p90.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, min ${r.min.toFixed(3)} ms over ${r.runs} runs (${r.backend})`);
      }
      for (const s of skipped) console.log(`(skipped ${s})`);
    });
}
