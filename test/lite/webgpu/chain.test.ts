/**
 * Chaining models on the GPU: `run(inputs, { keepOnGpu: true })` returns GPUBuffers, and
 * GPUBuffers are accepted as inputs, so two models run back to back with no readback in
 * between; the result equals the two models run on the CPU.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import { BackendError, InputError, loadModel } from '../../../lite-runtime/index.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

// encoder: x[1,8] -> FULLY_CONNECTED(16, relu) -> h[1,16]
const encoder: ModelDesc = {
  tensors: [
    { name: 'x', shape: [1, 8], dtype: 'float32' },
    { name: 'w', shape: [16, 8], dtype: 'float32', data: rand(128, 1) },
    { name: 'b', shape: [16], dtype: 'float32', data: rand(16, 2) },
    { name: 'h', shape: [1, 16], dtype: 'float32' },
  ],
  operators: [{ op: 'FULLY_CONNECTED', inputs: ['x', 'w', 'b'], outputs: ['h'], options: { fused_activation_function: 'RELU' } }],
  inputs: ['x'], outputs: ['h'],
};

// head: h[1,16] -> FULLY_CONNECTED(4) -> SOFTMAX -> y[1,4]; also returns h * 2 (a second output)
const head: ModelDesc = {
  tensors: [
    { name: 'h', shape: [1, 16], dtype: 'float32' },
    { name: 'w', shape: [4, 16], dtype: 'float32', data: rand(64, 3) },
    { name: 'two', shape: [1], dtype: 'float32', data: new Float32Array([2]) },
    { name: 'z', shape: [1, 4], dtype: 'float32' },
    { name: 'y', shape: [1, 4], dtype: 'float32' },
    { name: 'h2', shape: [1, 16], dtype: 'float32' },
  ],
  operators: [
    { op: 'FULLY_CONNECTED', inputs: ['h', 'w', -1], outputs: ['z'] },
    { op: 'SOFTMAX', inputs: ['z'], outputs: ['y'], options: { beta: 1 } },
    { op: 'MUL', inputs: ['h', 'two'], outputs: ['h2'] },
  ],
  inputs: ['h'], outputs: ['y', 'h2'],
};

// a model whose first op has no GPU kernel (CUMSUM reads the input on the CPU)
const cpuFirst: ModelDesc = {
  tensors: [
    { name: 'h', shape: [1, 16], dtype: 'float32' },
    { name: 'axis', shape: [], dtype: 'int32', data: new Int32Array([1]) },
    { name: 's', shape: [1, 16], dtype: 'float32' },
    { name: 'y', shape: [1, 16], dtype: 'float32' },
  ],
  operators: [
    { op: 'CUMSUM', inputs: ['h', 'axis'], outputs: ['s'] },
    { op: 'TANH', inputs: ['s'], outputs: ['y'] },
  ],
  inputs: ['h'], outputs: ['y'],
};

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!)));
};

describe.skipIf(!gpu)('webgpu chaining (keepOnGpu, GPUBuffer inputs)', { timeout: 60_000 }, () => {
  it('chains two models on the GPU; equal to the CPU', async () => {
    const [eb, hb] = [writeTflite(encoder), writeTflite(head)];
    const eg = await loadModel(eb, { backend: 'webgpu', gpu });
    const hg = await loadModel(hb, { backend: 'webgpu', gpu });
    const ec = await loadModel(eb), hc = await loadModel(hb);
    for (const seed of [10, 11]) {
      const x = rand(8, seed);
      const kept = await eg.run([x], { keepOnGpu: true });
      expect(kept.map((k) => [k.name, k.shape, k.dtype])).toEqual([['h', [1, 16], 'float32']]);
      expect(kept[0]!.buffer.size).toBeGreaterThanOrEqual(64);
      // GPU in, GPU out: both outputs stay on the GPU
      const both = await hg.run([kept[0]!], { keepOnGpu: true });
      expect(both.map((k) => k.shape)).toEqual([[1, 4], [1, 16]]);
      // GPU in (buffer with shape), host out
      const [y, h2] = await hg.run([{ buffer: kept[0]!.buffer, shape: [1, 16] }]);
      const [hRef] = ec.runSync([x]);
      const [yRef, h2Ref] = hc.runSync([hRef!.data]);
      close(y!.data as Float32Array, yRef!.data as Float32Array);
      close(h2!.data as Float32Array, h2Ref!.data as Float32Array);
      // a bare GPUBuffer, named input
      const [y2] = await hg.run({ h: kept[0]!.buffer });
      close(y2!.data as Float32Array, yRef!.data as Float32Array);
      // the kept outputs of the head chain once more into the head's input (h2 is [1,16])
      const [y3] = await hg.run([both[1]!]);
      const [y3Ref] = hc.runSync([h2Ref!.data]);
      close(y3!.data as Float32Array, y3Ref!.data as Float32Array);
      for (const k of [...kept, ...both]) k.buffer.destroy();
    }
    const plan = hg.backendPlan;
    expect(plan.cpuOps).toEqual([]);
    for (const m of [eg, hg, ec, hc]) m.dispose();
  });

  it('reads a GPU input back once where a CPU op needs it; keeps CPU-computed outputs too', async () => {
    const eg = await loadModel(writeTflite(encoder), { backend: 'webgpu', gpu });
    const cg = await loadModel(writeTflite(cpuFirst), { backend: 'webgpu', gpu });
    const ec = await loadModel(writeTflite(encoder)), cc = await loadModel(writeTflite(cpuFirst));
    expect(cg.backendPlan.cpuOps.map((o) => o.op)).toEqual(['CUMSUM']);
    const x = rand(8, 5);
    const [h] = await eg.run([x], { keepOnGpu: true });
    const [y] = await cg.run([h!]);
    const [yRef] = cc.runSync([ec.runSync([x])[0]!.data]);
    close(y!.data as Float32Array, yRef!.data as Float32Array);
    // the encoder's output kept, then the CPU-first model's output kept and fed back to a host run
    const [yk] = await cg.run([h!], { keepOnGpu: true });
    const [again] = await cg.run([yk!]);
    const [againRef] = cc.runSync([yRef!.data]);
    close(again!.data as Float32Array, againRef!.data as Float32Array);
    h!.buffer.destroy();
    yk!.buffer.destroy();
    for (const m of [eg, cg, ec, cc]) m.dispose();
  });

  it('refuses a GPU buffer that is too small, and keepOnGpu on the CPU backend', async () => {
    const hg = await loadModel(writeTflite(head), { backend: 'webgpu', gpu });
    const eg = await loadModel(writeTflite(encoder), { backend: 'webgpu', gpu });
    const [small] = await eg.run([rand(8, 1)], { keepOnGpu: true });
    await expect(hg.run([{ buffer: small!.buffer, shape: [1, 32] }])).rejects.toThrow(InputError);
    const tiny = { ...small!, buffer: { size: 16, usage: small!.buffer.usage, mapAsync: small!.buffer.mapAsync } as unknown as GPUBuffer };
    await expect(hg.run([tiny])).rejects.toThrow(/GPU buffer of 16 bytes/);
    const c = await loadModel(writeTflite(encoder));
    await expect(c.run([rand(8, 1)], { keepOnGpu: true })).rejects.toThrow(BackendError);
    small!.buffer.destroy();
    for (const m of [hg, eg, c]) m.dispose();
  });
});
