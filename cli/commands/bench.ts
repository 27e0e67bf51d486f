import { Command } from 'commander';
import { backendOption, intOption, openModel, randomInputs } from './model-file.js';

/** `tglite bench model.tflite`: load time and latency percentiles of one model per backend on this machine. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('measure load time and per-inference latency of a .tflite model (the project-wide comparison is `npm run bench`)')
    .argument('<model>', 'path to a .tflite file')
    .option('-n, --runs <n>', 'timed runs (>= 1)', intOption(1), 100)
    .option('--warmup <n>', 'untimed runs first (>= 0)', intOption(0), 10)
    .option('-t, --time <seconds>', 'time budget per backend: warm-up and timed runs stop early when it is spent (>= 1; at least one timed run)', intOption(1), 20)
    .option('-b, --backend <backend>', 'cpu | webgpu | all (cpu, and webgpu where an adapter exists)', (v: string) => {
      if (v !== 'all') backendOption(v);
      return v;
    }, 'all')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  tglite bench person_detect.tflite\n  tglite bench digits.tflite -n 500 --backend cpu\n  tglite bench mobilenet.tflite --backend webgpu --time 60\n')
    .action(async (path: string, opts: { runs: number; warmup: number; time: number; backend: string; json?: boolean }) => {
      const results: {
        backend: string; loadMs: number; runs: number; min: number; p50: number; p90: number; p99: number;
        /** CPU time of this process per run, best of 5 rounds (what a busy machine perturbs least). */
        cpuMs: number;
        /** Weights in the file, and as the ops hold them packed for their kernels (bytes). */
        weightBytes: number; packedBytes: number;
      }[] = [];
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
        let cpuMs = Infinity;
        const mem = model.memory;
        // a slow backend (a software GPU adapter) stops early instead of running for minutes
        const start = performance.now(), spent = (share: number) => performance.now() - start > share * opts.time * 1000;
        try {
          for (let i = 0; i < opts.warmup && !spent(0.2); i++) await model.run(inputs);
          for (let i = 0; i < opts.runs && (i === 0 || !spent(0.8)); i++) {
            const t0 = performance.now();
            await model.run(inputs);
            times.push(performance.now() - t0);
          }
          const fastest = times.reduce((a, b) => Math.min(a, b), Infinity); // no spread: a 1 s budget may time 10^5 runs
          const per = Math.max(1, Math.min(opts.runs, Math.round(100 / Math.max(fastest, 1e-3))));
          for (let r = 0; r < 5 && (r === 0 || !spent(1)); r++) {
            const c0 = process.cpuUsage();
            for (let i = 0; i < per; i++) await model.run(inputs);
            const c = process.cpuUsage(c0);
            cpuMs = Math.min(cpuMs, (c.user + c.system) / 1000 / per);
          }
        } finally {
          model.dispose();
        }
        times.sort((a, b) => a - b);
        const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
        const r = { backend: model.backend, loadMs, runs: times.length, min: times[0]!, p50: q(0.5), p90: q(0.9), p99: q(0.99),
          cpuMs, weightBytes: mem.constBytes, packedBytes: mem.packedBytes };
        results.push(r);
        if (opts.json) continue;
        // each backend's figures as soon as they are measured
        const cut = r.runs < opts.runs ? ` (the ${opts.time} s budget stopped it; --time to raise it)` : '';
        console.log(`${path}: load ${r.loadMs.toFixed(2)} ms, median ${r.p50.toFixed(3)} ms, p90 ${r.p90.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, min ${r.min.toFixed(3)} ms over ${r.runs} runs (${r.backend}), wall clock${cut}`);
        const mb = (b: number) => (b / 1e6).toFixed(2);
        console.log(`  CPU time per inference ${r.cpuMs.toFixed(3)} ms (best of up to 5 rounds); weights ${mb(r.weightBytes)} MB in the file, ${mb(r.packedBytes)} MB held for the kernels (${(r.packedBytes / Math.max(1, r.weightBytes)).toFixed(2)}x)`);
      }
      if (opts.json) { console.log(JSON.stringify({ model: path, results, skipped }, null, 2)); return; }
      for (const s of skipped) console.log(`(skipped ${s})`);
    });
}
