/**
 * The main demo (examples/demo.ts, `npm run demo`) end to end on a short budget, so it
 * cannot rot: training, the jit timing, ONNX export, float32/float16/int8 conversion and
 * accuracies, the int8 model on the CPU, on WebGPU where an adapter exists, and in workerd.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../examples/demo.js';

describe('npm run demo (shortened)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tglite-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains, times jit, exports, converts at three precisions and runs int8 on every runtime', async () => {
    const lines: string[] = [];
    const r = await runDemo({ epochs: 3, outDir: dir, timingMs: 20, progress: 'none', log: (s) => lines.push(s) });
    const text = lines.join('\n');
    expect(r.eagerAccuracy).toBeGreaterThan(0.9);
    expect(r.int8Note).toBeNull(); // full int8 conversion works (else the demo falls back to 'dynamic' and says so)
    expect(r.models.float16.bytes).toBeLessThan(0.6 * r.models.float32.bytes);
    expect(r.models.int8.bytes).toBeLessThan(0.35 * r.models.float32.bytes);
    for (const m of Object.values(r.models)) expect(Math.abs(m.accuracy - r.models.float32.accuracy)).toBeLessThanOrEqual(0.02);
    expect(r.jit.stepJitMs).toBeGreaterThan(0);
    const cpu = r.runs.find((x) => x.backend.startsWith('cpu'))!;
    expect(cpu.accuracy).toBe(r.models.int8.accuracy);
    const worker = r.runs.find((x) => x.backend.startsWith('workerd'))!;
    expect(worker.agreesWithCpu).toBe(1);
    const gpu = r.runs.find((x) => x.backend === 'webgpu')!;
    if (!gpu.note?.startsWith('skipped')) expect(gpu.agreesWithCpu).toBeGreaterThanOrEqual(0.95);
    for (const p of Object.values(r.artifacts)) expect(existsSync(p), p).toBe(true);
    expect(text).toMatch(/\[5\/5\]/);
    expect(text).toMatch(/worker size limits \(compressed\)/);
    expect(text).toMatch(/artifacts:/);
  }, 240_000);
});
