import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Runs a PyTorch script that prints one JSON object of figures (with `version`) under
 * Debian's /usr/bin/python3, one thread, on OpenBLAS tuned for this CPU when it is installed
 * (see ENVIRONMENT.md). Returns the figures and a note saying how they were measured, or
 * no figures and a note why.
 * @example const { figs, note } = runTorch(`import json, torch; print(json.dumps({'version': torch.__version__}))`, 60_000, '1 thread');
 */
export function runTorch(script: string, timeoutMs: number, how: string): { figs: Record<string, number>; note: string } {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return { figs: {}, note: 'pytorch: /usr/bin/python3 not found' };
  const openblas = existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread') || existsSync('/usr/lib/aarch64-linux-gnu/openblas-pthread');
  const core = openblas ? openblasCoreType() : undefined;
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', ...(core ? { OPENBLAS_CORETYPE: core } : {}) };
  const r = spawnSync(py, ['-c', script], { env, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) return { figs: {}, note: `pytorch: failed (${(r.stderr || r.error?.message || r.signal || '').toString().trim().split('\n').pop()})` };
  const figs = JSON.parse(r.stdout) as Record<string, number>;
  const blas = openblas ? `OpenBLAS, OPENBLAS_CORETYPE=${core ?? '(auto)'}` : 'reference BLAS (libopenblas0-pthread not installed: ~25x slow)';
  return { figs, note: `pytorch: torch ${String(figs.version)}, ${how}, ${blas}` };
}

/**
 * OpenBLAS's auto-detection picks a slow kernel on these CPUs, and SkylakeX kernels die
 * with SIGILL without AVX-512: choose from the CPU's flags (undefined: not x86 or unknown).
 */
function openblasCoreType(): string | undefined {
  let flags = '';
  try { flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? ''; } catch { return undefined; }
  const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);
  if (has('avx512f')) return 'SkylakeX';
  if (has('avx2')) return 'Haswell';
  return undefined;
}
