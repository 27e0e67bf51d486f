/**
 * float16 weights on a device with `shader-f16`: FULLY_CONNECTED keeps them f16 on the GPU
 * (products and sums in f32), equal to the CPU (which widens them to f32 at load) within
 * 1e-5 x max(1, |ref|). Runs on lavapipe (Mesa 25, has shader-f16) where
 * scripts/setup-webgpu.sh extracted it; SwiftShader (no shader-f16) keeps float32 constants.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import { loadModel } from '../../../lite-runtime/index.js';
import { floatToHalf, halfToFloat, toHalf } from '../../../lite-runtime/backends/webgpu/consts.js';
import { gemmWgsl } from '../../../lite-runtime/backends/webgpu/matmul.js';
import { params } from '../../../lite-runtime/backends/webgpu/program.js';
import { testGpu, testGpuF16 } from './gpu.js';

const gpu = await testGpu();
const gpuF16 = await testGpuF16();

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

/** x[M,K] -> FC(N, fp16 weights, relu) -> FC(5, fp16 weights) */
function fp16Mlp(M: number, K: number, N: number): ModelDesc {
  const h = (v: Float32Array): Uint16Array => toHalf(v).subarray(0, v.length);
  return {
    tensors: [
      { name: 'x', shape: [M, K], dtype: 'float32' },
      { name: 'w1h', shape: [N, K], dtype: 'float16', data: h(rand(N * K, 1)) },
      { name: 'w1', shape: [N, K], dtype: 'float32' },
      { name: 'b1', shape: [N], dtype: 'float32', data: rand(N, 2) },
      { name: 'h', shape: [M, N], dtype: 'float32' },
      { name: 'w2h', shape: [5, N], dtype: 'float16', data: h(rand(5 * N, 3)) },
      { name: 'w2', shape: [5, N], dtype: 'float32' },
      { name: 'y', shape: [M, 5], dtype: 'float32' },
    ],
    operators: [
      { op: 'DEQUANTIZE', inputs: ['w1h'], outputs: ['w1'] },
      { op: 'DEQUANTIZE', inputs: ['w2h'], outputs: ['w2'] },
      { op: 'FULLY_CONNECTED', inputs: ['x', 'w1', 'b1'], outputs: ['h'], options: { fused_activation_function: 'RELU' } },
      { op: 'FULLY_CONNECTED', inputs: ['h', 'w2', -1], outputs: ['y'] },
    ],
    inputs: ['x'], outputs: ['y'],
  };
}

/** x[1,H,W,C] -> CONV_2D(8, 3x3 SAME, fp16 filter, relu) */
function fp16Conv(H: number, C: number): ModelDesc {
  return {
    tensors: [
      { name: 'x', shape: [1, H, H, C], dtype: 'float32' },
      { name: 'fh', shape: [8, 3, 3, C], dtype: 'float16', data: toHalf(rand(72 * C, 4)).subarray(0, 72 * C) },
      { name: 'f', shape: [8, 3, 3, C], dtype: 'float32' },
      { name: 'b', shape: [8], dtype: 'float32', data: rand(8, 5) },
      { name: 'y', shape: [1, H, H, 8], dtype: 'float32' },
    ],
    operators: [
      { op: 'DEQUANTIZE', inputs: ['fh'], outputs: ['f'] },
      { op: 'CONV_2D', inputs: ['x', 'f', 'b'], outputs: ['y'], options: { padding: 'SAME', stride_w: 1, stride_h: 1, fused_activation_function: 'RELU' } },
    ],
    inputs: ['x'], outputs: ['y'],
  };
}

describe('f16 conversion', () => {
  it('floatToHalf inverts halfToFloat on every finite f16 and rounds to nearest even', () => {
    const bad: number[] = [];
    for (let b = 0; b < 0x10000; b++) {
      const v = halfToFloat(b);
      if (Number.isNaN(v) ? (floatToHalf(v) & 0x7c00) !== 0x7c00 : floatToHalf(v) !== b) bad.push(b);
    }
    expect(bad).toEqual([]);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(70000)).toBe(0x7c00);
  });

  it('the f16 GEMM shader enables f16 and widens B to f32', () => {
    const w = gemmWgsl(params({ M: ['u32', 1] }).wgsl, true, true, true, true, true);
    expect(w.startsWith('enable f16;')).toBe(true);
    expect(w).toContain('array<vec4<f16>>');
    expect(w).toContain('vec4<f32>(Bm[');
  });
});

describe.skipIf(!gpu)('float16 weights on SwiftShader (no shader-f16)', { timeout: 60_000 }, () => {
  it('are stored as float32', async () => {
    const m = await loadModel(writeTflite(fp16Mlp(1, 16, 8)), { backend: 'webgpu', gpu });
    expect(m.backendPlan.gpuHalfBytes).toBeUndefined();
    m.dispose();
  });
});

describe.skipIf(!gpuF16)('float16 weights with shader-f16 (lavapipe)', { timeout: 60_000 }, () => {
  it('stay f16 on the GPU; FULLY_CONNECTED equals the CPU (batch 1 and 3)', async () => {
    for (const [M, K, N] of [[1, 64, 36], [3, 30, 17]] as const) {
      const bytes = writeTflite(fp16Mlp(M, K, N));
      const g = await loadModel(bytes, { backend: 'webgpu', gpu: gpuF16 });
      const c = await loadModel(bytes);
      expect(g.backendPlan.adapter).toMatch(/llvmpipe|lavapipe|mesa/i);
      expect(g.backendPlan.cpuOps).toEqual([]);
      // w1^T padded to [K, ceil(N/4)*4] and w2^T to [N, 8], two bytes each
      expect(g.backendPlan.gpuHalfBytes).toBe(2 * (K * Math.ceil(N / 4) * 4 + N * 8));
      const x = rand(M * K, 7);
      const [yg] = await g.run([x]);
      const [yc] = await c.run([x]);
      const a = yg!.data as Float32Array, b = yc!.data as Float32Array;
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[i]!)));
      g.dispose();
      c.dispose();
    }
  });

  it('CONV_2D keeps a float16 filter f16 (vec4 and scalar input paths); equal to the CPU', async () => {
    for (const [H, C] of [[6, 4], [5, 3]] as const) {
      const bytes = writeTflite(fp16Conv(H, C));
      const g = await loadModel(bytes, { backend: 'webgpu', gpu: gpuF16 });
      const c = await loadModel(bytes);
      expect(g.backendPlan.cpuOps).toEqual([]);
      expect(g.backendPlan.gpuHalfBytes).toBe(2 * 9 * C * 8);
      const x = rand(H * H * C, 9);
      const a = (await g.run([x]))[0]!.data as Float32Array, b = (await c.run([x]))[0]!.data as Float32Array;
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[i]!)));
      g.dispose();
      c.dispose();
    }
  });
});
