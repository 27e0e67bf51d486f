/**
 * Real models on the WebGPU backend (Dawn on SwiftShader) against the CPU backend:
 * hello_world_float (FULLY_CONNECTED x3) within 1e-5; int8 models (weights dequantized at
 * load, activations fake-quantized) within a few quantization steps of the int8 CPU path.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, type LiteModel, type TypedArray } from '../../../lite-runtime/index.js';
import { modelBytes } from '../models/shared.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();
const open: LiteModel[] = [];
afterAll(() => open.forEach((m) => m.dispose()));

async function both(file: string): Promise<[LiteModel, LiteModel]> {
  const bytes = modelBytes(file);
  const g = await loadModel(bytes, { backend: 'webgpu', gpu });
  const c = await loadModel(bytes, { backend: 'cpu' });
  open.push(g, c);
  return [g, c];
}

function maxDiff(a: TypedArray, b: TypedArray): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i]) - Number(b[i])));
  return m;
}

describe.skipIf(!gpu)('webgpu: real models equal the CPU backend', { timeout: 60_000 }, () => {
  it('hello_world_float: every op on the GPU, within 1e-5', async () => {
    const [g, c] = await both('hello_world_float.tflite');
    expect(g.backend).toBe('webgpu');
    expect(g.backendPlan.cpuOps).toEqual([]);
    expect(g.backendPlan.commandBuffers).toBe(1);
    for (const x of [0, 0.5, 1.5, 3, 6.2]) {
      const [yg] = await g.run([new Float32Array([x])]);
      const [yc] = await c.run([new Float32Array([x])]);
      expect(maxDiff(yg!.data, yc!.data)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('person_detect (int8): on the GPU with dequantized weights, within 3 steps of the CPU, same decision', { timeout: 60_000 }, async () => {
    const t0 = performance.now();
    const [g, c] = await both('person_detect.tflite');
    const load = performance.now() - t0;
    expect(g.backendPlan.cpuOps).toEqual([]);
    expect(g.backendPlan.commandBuffers).toBe(1);
    for (const img of ['person.bmp', 'no_person.bmp']) {
      const bmp = modelBytes(img);
      const off = bmp[10]! | (bmp[11]! << 8);
      const x = Int8Array.from(bmp.subarray(off, off + 96 * 96), (v) => v - 128);
      const t1 = performance.now();
      const [yg] = await g.run([x]);
      const ms = performance.now() - t1;
      const [yc] = await c.run([x]);
      console.log(`person_detect ${img}: webgpu ${Array.from(yg!.data as Int8Array)} cpu ${Array.from(yc!.data as Int8Array)} (load ${load.toFixed(0)} ms, run ${ms.toFixed(0)} ms on SwiftShader)`);
      expect(maxDiff(yg!.data, yc!.data)).toBeLessThanOrEqual(3);
      const arg = (d: TypedArray): number => (Number(d[1]) > Number(d[0]) ? 1 : 0);
      expect(arg(yg!.data)).toBe(arg(yc!.data));
    }
  });

  it('micro_speech and hello_world_int8 (int8): within 2 steps of the CPU', async () => {
    for (const file of ['micro_speech_quantized.tflite', 'hello_world_int8.tflite']) {
      const [g, c] = await both(file);
      const t = c.inputs[0]!;
      const n = t.shape.reduce((a, d) => a * d, 1);
      const x = Int8Array.from({ length: n }, (_, i) => ((i * 37) % 255) - 128);
      const [yg] = await g.run([x]);
      const [yc] = await c.run([x]);
      expect(maxDiff(yg!.data, yc!.data), file).toBeLessThanOrEqual(2);
    }
  });

  it('keyword_scrambled: int16 SVDF state runs on the CPU, planned at load, same outputs', async () => {
    const [g, c] = await both('keyword_scrambled.tflite');
    const plan = g.backendPlan;
    expect(plan.cpuOps.map((o) => o.op)).toContain('SVDF');
    const t = c.inputs[0]!;
    const n = t.shape.reduce((a, d) => a * d, 1);
    for (let r = 0; r < 3; r++) {
      const x = Int16Array.from({ length: n }, (_, i) => ((i * 97 + r * 13) % 2000) - 1000);
      const [yg] = await g.run([x]);
      const [yc] = await c.run([x]);
      expect(maxDiff(yg!.data, yc!.data)).toBeLessThanOrEqual(2);
    }
  });
});
