/**
 * The WebGPU backend's contract around the kernels: float16 weights dequantized at load,
 * CPU fallback with transfers planned once (model.backendPlan), 'auto' choice, typed errors
 * (device loss, validation), pipelines shared between models on one device.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import {
  BackendError, GpuDeviceLostError, GpuValidationError, loadModel, type TypedArray,
} from '../../../lite-runtime/index.js';
import { openWebGpu } from '../../../lite-runtime/backends/webgpu/index.js';
import { GPU_KERNELS } from '../../../lite-runtime/backends/webgpu/kernels.js';
import { BuiltinOp } from '../../../lite-runtime/format/schema.js';
import { fp16Model as fp16, modelBytes } from '../models/shared.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();
const nums = (d: TypedArray): number[] => Array.from(d as Float32Array);


// x -> ADD c -> CUMSUM (no GPU kernel) -> MUL c -> y
const mixed: ModelDesc = {
  tensors: [
    { name: 'x', shape: [2, 3], dtype: 'float32' },
    { name: 'c', shape: [3], dtype: 'float32', data: new Float32Array([1, 2, 3]) },
    { name: 'axis', shape: [], dtype: 'int32', data: new Int32Array([1]) },
    { name: 'a', shape: [2, 3], dtype: 'float32' },
    { name: 's', shape: [2, 3], dtype: 'float32' },
    { name: 'y', shape: [2, 3], dtype: 'float32' },
  ],
  operators: [
    { op: 'ADD', inputs: ['x', 'c'], outputs: ['a'] },
    { op: 'CUMSUM', inputs: ['a', 'axis'], outputs: ['s'] },
    { op: 'MUL', inputs: ['s', 'c'], outputs: ['y'] },
  ],
  inputs: ['x'], outputs: ['y'],
};

describe.skipIf(!gpu)('webgpu backend', { timeout: 60_000 }, () => {
  it('dequantizes float16 weights at load (DEQUANTIZE folded, FULLY_CONNECTED on the GPU)', async () => {
    const m = await loadModel(writeTflite(fp16), { backend: 'webgpu', gpu });
    expect(m.backend).toBe('webgpu');
    expect(m.backendPlan.gpuOps).toBe(1);
    expect(m.backendPlan.cpuOps).toEqual([]);
    for (let r = 0; r < 2; r++) expect(nums((await m.run([new Float32Array([4, 8])]))[0]!.data)).toEqual([8, -6]);
    m.dispose();
  });

  it('runs an op without a GPU kernel on the CPU, with the transfers planned at load', async () => {
    const bytes = writeTflite(mixed);
    const m = await loadModel(bytes, { backend: 'webgpu', gpu });
    const c = await loadModel(bytes, { backend: 'cpu' });
    const plan = m.backendPlan;
    expect(plan.gpuOps).toBe(2);
    expect(plan.cpuOps).toEqual([{ node: 1, op: 'CUMSUM', reason: 'no WebGPU kernel' }]);
    expect(plan.transfers.map((t) => `${t.direction} ${t.tensor} before ${t.before}`)).toEqual([
      'upload x before node 0 (ADD)', 'download a before node 1 (CUMSUM)', 'upload s before node 2 (MUL)', 'download y before end',
    ]);
    expect(plan.commandBuffers).toBe(2);
    const x = new Float32Array([1, -2, 3, 0.5, 0.25, -4]);
    for (let r = 0; r < 2; r++) expect(nums((await m.run([x]))[0]!.data)).toEqual(nums((await c.run([x]))[0]!.data));
    m.dispose();
    c.dispose();
  });

  it('fuses an elementwise chain the model left apart into one shader', async () => {
    const bytes = writeTflite({
      tensors: [
        { name: 'x', shape: [2, 3], dtype: 'float32' },
        { name: 'c', shape: [3], dtype: 'float32', data: new Float32Array([0.5, -1, 2]) },
        { name: 'm', shape: [2, 3], dtype: 'float32' },
        { name: 't', shape: [2, 3], dtype: 'float32' },
        { name: 'y', shape: [2, 3], dtype: 'float32' },
      ],
      operators: [
        { op: 'MUL', inputs: ['x', 'c'], outputs: ['m'] },
        { op: 'TANH', inputs: ['m'], outputs: ['t'] },
        { op: 'LEAKY_RELU', inputs: ['t'], outputs: ['y'], options: { alpha: 0.2 } },
      ],
      inputs: ['x'], outputs: ['y'],
    });
    const m = await loadModel(bytes, { backend: 'webgpu', gpu });
    const c = await loadModel(bytes, { backend: 'cpu' });
    expect(m.backendPlan.fusedOps).toBe(2);
    expect(m.backendPlan.dispatches).toBe(1);
    const x = new Float32Array([1, -2, 3, 0.5, 0.25, -4]);
    const [yg] = await m.run([x]), [yc] = await c.run([x]);
    nums(yg!.data).forEach((v, i) => expect(v).toBeCloseTo(nums(yc!.data)[i]!, 5));
    m.dispose();
    c.dispose();
  });

  it("'auto' keeps small models and software adapters on the CPU, and says why", async () => {
    const small = await loadModel(modelBytes('hello_world_float.tflite'), { backend: 'auto', gpu });
    expect(small.backend).toBe('cpu');
    expect(small.backendPlan.reason).toMatch(/^auto: \d+ multiply-adds per run, under/);
    small.dispose();
    const sw = await loadModel(modelBytes('hello_world_float.tflite'), { backend: 'auto', gpu, autoMinMacs: 0 });
    expect(sw.backend).toBe('cpu');
    expect(sw.backendPlan.reason).toBe('auto: the WebGPU adapter is a software renderer');
    sw.dispose();
  });

  it('runSync is refused on WebGPU (results arrive asynchronously)', async () => {
    const m = await loadModel(modelBytes('hello_world_float.tflite'), { backend: 'webgpu', gpu });
    expect(() => m.runSync([new Float32Array([1])])).toThrow(BackendError);
    m.dispose();
  });

  it('shares pipelines between models on one device', async () => {
    const a = await loadModel(modelBytes('hello_world_float.tflite'), { backend: 'webgpu', gpu });
    const s = await openWebGpu(gpu);
    const before = s.created;
    const b = await loadModel(modelBytes('hello_world_float.tflite'), { backend: 'webgpu', gpu });
    expect(s.created).toBe(before);
    expect(nums((await b.run([new Float32Array([2])]))[0]!.data)).toEqual(nums((await a.run([new Float32Array([2])]))[0]!.data));
    s.release();
    a.dispose();
    b.dispose();
  });

  it('surfaces a shader the device rejects as GpuValidationError', async () => {
    const abs = GPU_KERNELS.get(BuiltinOp.ABS)!;
    GPU_KERNELS.set(BuiltinOp.ABS, (node, ctx) => {
      const steps = abs(node, ctx);
      if (typeof steps === 'string') return steps;
      return steps.map((s) => ('wgsl' in s ? { ...s, cacheKey: 'broken', wgsl: s.wgsl.replace('abs(x)', 'abs(x, x)') } : s));
    });
    try {
      const bytes = writeTflite({
        tensors: [{ name: 'x', shape: [4], dtype: 'float32' }, { name: 'y', shape: [4], dtype: 'float32' }],
        operators: [{ op: 'ABS', inputs: ['x'], outputs: ['y'] }], inputs: ['x'], outputs: ['y'],
      });
      await expect(loadModel(bytes, { backend: 'webgpu', gpu })).rejects.toThrow(GpuValidationError);
    } finally {
      GPU_KERNELS.set(BuiltinOp.ABS, abs);
    }
  });

  it('reports a lost device from run as GpuDeviceLostError; loading again recovers', async () => {
    const bytes = modelBytes('hello_world_float.tflite');
    const m = await loadModel(bytes, { backend: 'webgpu', gpu });
    const s = await openWebGpu(gpu);
    s.device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await expect(m.run([new Float32Array([1])])).rejects.toThrow(GpuDeviceLostError);
    s.release();
    m.dispose();
    const again = await loadModel(bytes, { backend: 'webgpu', gpu });
    expect((await again.run([new Float32Array([1])]))[0]!.data.length).toBe(1);
    again.dispose();
  });
});
