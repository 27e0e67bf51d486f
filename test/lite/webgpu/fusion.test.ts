/**
 * Wider elementwise fusion: binary ops with a float32 scalar constant (x * 0.5, 1 - x, with a
 * fused activation) join a chain after an elementwise op, one shader for the whole chain;
 * results equal the CPU. A non-scalar constant or a tensor used twice ends the chain.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import { loadModel } from '../../../lite-runtime/index.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();
const f32 = (v: number[]): Float32Array => new Float32Array(v);

// x -> ADD c[3] -> MUL 0.5 -> TANH -> SUB(1, .) -> ADD 0.25 (RELU6) -> y ; 4 ops fused after ADD
const chain: ModelDesc = {
  tensors: [
    { name: 'x', shape: [2, 3], dtype: 'float32' },
    { name: 'c', shape: [3], dtype: 'float32', data: f32([0.5, -1, 2]) },
    { name: 'half', shape: [], dtype: 'float32', data: f32([0.5]) },
    { name: 'one', shape: [1], dtype: 'float32', data: f32([1]) },
    { name: 'q', shape: [1], dtype: 'float32', data: f32([0.25]) },
    { name: 'a', shape: [2, 3], dtype: 'float32' },
    { name: 'm', shape: [2, 3], dtype: 'float32' },
    { name: 't', shape: [2, 3], dtype: 'float32' },
    { name: 's', shape: [2, 3], dtype: 'float32' },
    { name: 'y', shape: [2, 3], dtype: 'float32' },
  ],
  operators: [
    { op: 'ADD', inputs: ['x', 'c'], outputs: ['a'] },
    { op: 'MUL', inputs: ['a', 'half'], outputs: ['m'] },
    { op: 'TANH', inputs: ['m'], outputs: ['t'] },
    { op: 'SUB', inputs: ['one', 't'], outputs: ['s'] },
    { op: 'ADD', inputs: ['s', 'q'], outputs: ['y'], options: { fused_activation_function: 'RELU6' } },
  ],
  inputs: ['x'], outputs: ['y'],
};

// x -> MUL c[3] (not scalar: starts its own chain) -> ABS -> y
const vectorConst: ModelDesc = {
  tensors: [
    { name: 'x', shape: [2, 3], dtype: 'float32' },
    { name: 'e', shape: [2, 3], dtype: 'float32' },
    { name: 'c', shape: [3], dtype: 'float32', data: f32([2, -3, 4]) },
    { name: 'm', shape: [2, 3], dtype: 'float32' },
    { name: 'y', shape: [2, 3], dtype: 'float32' },
  ],
  operators: [
    { op: 'EXP', inputs: ['x'], outputs: ['e'] },
    { op: 'MUL', inputs: ['e', 'c'], outputs: ['m'] },
    { op: 'ABS', inputs: ['m'], outputs: ['y'] },
  ],
  inputs: ['x'], outputs: ['y'],
};

describe.skipIf(!gpu)('webgpu elementwise fusion with scalar constants', { timeout: 60_000 }, () => {
  it('fuses binary ops with a scalar constant into the chain; equal to the CPU', async () => {
    for (const [desc, fused, dispatches] of [[chain, 4, 1], [vectorConst, 1, 2]] as const) {
      const bytes = writeTflite(desc);
      const g = await loadModel(bytes, { backend: 'webgpu', gpu });
      const c = await loadModel(bytes);
      expect(g.backendPlan.fusedOps).toBe(fused);
      expect(g.backendPlan.dispatches).toBe(dispatches);
      const x = f32([1, -2, 3, 0.5, 0.25, -4]);
      const a = (await g.run([x]))[0]!.data as Float32Array, b = (await c.run([x]))[0]!.data as Float32Array;
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[i]!)));
      g.dispose();
      c.dispose();
    }
  });
});
