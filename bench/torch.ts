import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', ...(openblas ? { OPENBLAS_CORETYPE: 'SkylakeX' } : {}) };
  const r = spawnSync(py, ['-c', script], { env, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) return { figs: {}, note: `pytorch: failed (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})` };
  const figs = JSON.parse(r.stdout) as Record<string, number>;
  const blas = openblas ? 'OpenBLAS, OPENBLAS_CORETYPE=SkylakeX' : 'reference BLAS (libopenblas0-pthread not installed: ~25x slow)';
  return { figs, note: `pytorch: torch ${String(figs.version)}, ${how}, ${blas}` };
}
