import { Command } from 'commander';
import { openModel, randomInputs } from './model-file.js';

/** `tglite bench model.tflite`: load time and median latency of one model on this machine. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure load time and per-inference latency of a .tflite model (the project-wide comparison is `npm run bench`)')
    .argument('<model>', 'path to a .tflite file')
    .option('-n, --runs <n>', 'timed runs', '100')
    .option('--warmup <n>', 'untimed runs first', '10')
    .action(async (path: string, opts: { runs: string; warmup: string }) => {
      const { model, loadMs } = await openModel(path);
      const inputs = randomInputs(model);
      for (let i = 0; i < Number(opts.warmup); i++) model.runSync(inputs);
      const times: number[] = [];
      for (let i = 0; i < Number(opts.runs); i++) {
        const t0 = performance.now();
        model.runSync(inputs);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
      console.log(`${path}: load ${loadMs.toFixed(2)} ms, median ${q(0.5).toFixed(3)} ms, p90 ${q(0.9).toFixed(3)} ms over ${times.length} runs (cpu)`);
      model.dispose();
    });
}
