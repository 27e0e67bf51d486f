/**
 * The WebGPU columns of the conformance table (scripts/lite-coverage.ts writes the table):
 * every op conformance case (test/fixtures/lite/conformance) run on the WebGPU backend (Dawn
 * on SwiftShader, set up by scripts/setup-webgpu.sh), per op and dtype: how many cases pass
 * within the WebGPU tolerance (test/lite/webgpu/compare.ts), and whether the op ran on the
 * GPU or fell back to the CPU (with the plan's reason).
 *
 * ```ts
 * const cells = await webgpuCoverage(loadFixtures()); // null where no adapter could be had
 * ```
 */
import { loadModel } from '../lite-runtime/index.js';
import type { FixtureFile } from '../test/lite/conformance/run-case.js';
import { compare, toTyped } from '../test/lite/webgpu/compare.js';
import { testGpu } from '../test/lite/webgpu/gpu.js';

export type GpuCell = { pass: number; total: number; gpu: number; reasons: Set<string> };

/** Cells by op, then dtype; null when there is no WebGPU adapter here. */
export async function webgpuCoverage(fixtures: FixtureFile[]): Promise<Map<string, Record<string, GpuCell>> | null> {
  const gpu = await testGpu();
  if (!gpu) return null;
  const rows = new Map<string, Record<string, GpuCell>>();
  for (const file of fixtures) {
    const row: Record<string, GpuCell> = rows.get(file.op) ?? {};
    for (const c of file.cases) {
      const cell = (row[c.dtype] ??= { pass: 0, total: 0, gpu: 0, reasons: new Set() });
      cell.total++;
      try {
        const m = await loadModel(Buffer.from(c.model, 'base64'), { backend: 'webgpu', gpu });
        try {
          const outs = await m.run(c.inputs.map((t) => ({ data: toTyped(t), shape: t.shape })));
          const err = compare(file.op, c, outs);
          if (!err) cell.pass++; else cell.reasons.add(`FAIL: ${err}`);
          const mine = m.backendPlan.cpuOps.filter((o) => o.op === file.op);
          if (mine.length === 0) cell.gpu++;
          for (const o of mine) cell.reasons.add(o.reason);
        } finally {
          m.dispose();
        }
      } catch (e) {
        cell.reasons.add(`FAIL: ${(e as Error).message}`);
      }
    }
    rows.set(file.op, row);
  }
  return rows;
}

/** A table cell: pass count and where the op ran ("GPU", "CPU fallback", "GPU k/n"). */
export function showGpuCell(c: GpuCell | undefined): string {
  if (!c) return '—';
  const where = c.gpu === c.total ? 'GPU' : c.gpu === 0 ? 'CPU fallback' : `GPU ${c.gpu}/${c.total}`;
  return `${c.pass === c.total ? 'pass' : '**FAIL**'} ${c.pass}/${c.total}, ${where}`;
}
