/**
 * Ops beyond the conformance fixtures, WebGPU against the CPU backend on small single-op
 * models with seeded random inputs: each must run on the GPU (model.backendPlan) and agree
 * within 1e-4 x max(1, |cpu|) (1e-5 for pure data movement).
 */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import { loadModel, type TypedArray } from '../../../lite-runtime/index.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(7);
const rand = (n: number, lo = -2, hi = 2): Float32Array => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
const i32 = (name: string, v: number[]) => ({ name, shape: [v.length], dtype: 'int32' as const, data: new Int32Array(v) });
const f32 = (name: string, shape: number[], data?: Float32Array) => ({ name, shape, dtype: 'float32' as const, ...(data ? { data } : {}) });

interface Case { name: string; op: string; x: number[][]; consts?: ReturnType<typeof i32 | typeof f32>[]; outs?: number; options?: Record<string, unknown>; lo?: number; exact?: boolean }

const CASES: Case[] = [
  ...['SIN', 'COS', 'NEG', 'ABS', 'SQUARE', 'FLOOR', 'CEIL', 'ROUND', 'ELU', 'RELU_N1_TO_1', 'RELU_0_TO_1', 'LOGISTIC', 'TANH', 'HARD_SWISH']
    .map((op) => ({ name: op, op, x: [[2, 3, 5]] })),
  { name: 'LOG', op: 'LOG', x: [[2, 3, 5]], lo: 0.1 },
  { name: 'SQUARED_DIFFERENCE', op: 'SQUARED_DIFFERENCE', x: [[2, 3, 4], [4]] },
  { name: 'POW', op: 'POW', x: [[2, 5], [2, 5]], lo: 0.1 },
  { name: 'FLOOR_DIV', op: 'FLOOR_DIV', x: [[3, 4], [3, 4]], lo: 0.5 },
  { name: 'FLOOR_MOD', op: 'FLOOR_MOD', x: [[3, 4], [3, 4]], lo: 0.5 },
  { name: 'PRELU', op: 'PRELU', x: [[2, 3, 4]], consts: [f32('alpha', [4], rand(4, 0, 1))] },
  { name: 'REDUCE_MAX', op: 'REDUCE_MAX', x: [[2, 3, 4]], consts: [i32('axes', [1])], options: { keep_dims: true } },
  { name: 'REDUCE_MIN', op: 'REDUCE_MIN', x: [[2, 3, 4]], consts: [i32('axes', [0, 2])] },
  { name: 'REDUCE_PROD', op: 'REDUCE_PROD', x: [[2, 3, 4]], consts: [i32('axes', [2])] },
  { name: 'TILE', op: 'TILE', x: [[2, 3]], consts: [i32('m', [2, 2])], exact: true },
  { name: 'BROADCAST_TO', op: 'BROADCAST_TO', x: [[1, 3]], consts: [i32('s', [4, 3])], exact: true },
  { name: 'DEPTH_TO_SPACE', op: 'DEPTH_TO_SPACE', x: [[1, 2, 2, 8]], options: { block_size: 2 }, exact: true },
  { name: 'SPACE_TO_DEPTH', op: 'SPACE_TO_DEPTH', x: [[1, 4, 4, 2]], options: { block_size: 2 }, exact: true },
  { name: 'RESIZE_NEAREST_NEIGHBOR', op: 'RESIZE_NEAREST_NEIGHBOR', x: [[1, 3, 3, 2]], consts: [i32('size', [6, 5])], exact: true },
  { name: 'RESIZE_BILINEAR', op: 'RESIZE_BILINEAR', x: [[2, 3, 4, 3]], consts: [i32('size', [5, 7])] },
  { name: 'RESIZE_BILINEAR half pixel', op: 'RESIZE_BILINEAR', x: [[1, 4, 3, 2]], consts: [i32('size', [8, 5])], options: { half_pixel_centers: true } },
  { name: 'RESIZE_BILINEAR align corners', op: 'RESIZE_BILINEAR', x: [[1, 4, 3, 2]], consts: [i32('size', [7, 6])], options: { align_corners: true } },
  { name: 'REVERSE_V2', op: 'REVERSE_V2', x: [[2, 3, 4]], consts: [i32('axis', [1])], exact: true },
  { name: 'SPLIT_V', op: 'SPLIT_V', x: [[2, 7]], consts: [i32('sizes', [3, 4]), { ...i32('axis', [1]), shape: [] }], outs: 2, exact: true },
  { name: 'UNPACK', op: 'UNPACK', x: [[3, 2, 4]], options: { num: 2, axis: 1 }, outs: 2, exact: true },
  { name: 'PACK', op: 'PACK', x: [[2, 3], [2, 3]], options: { values_count: 2, axis: 1 }, exact: true },
  { name: 'CONV_2D 3 channels (scalar path), 5x5 -> 3x3 SAME s2', op: 'CONV_2D', x: [[1, 5, 5, 3]], consts: [f32('w', [6, 3, 3, 3], rand(162)), f32('b', [6], rand(6))], options: { padding: 'SAME', stride_w: 2, stride_h: 2 } },
  { name: 'CONV_2D 8 channels (vec4 path), 7 output channels', op: 'CONV_2D', x: [[2, 5, 3, 8]], consts: [f32('w', [7, 2, 2, 8], rand(224)), f32('b', [7], rand(7))], options: { padding: 'VALID' } },
  { name: 'DEPTHWISE_CONV_2D multiplier 2', op: 'DEPTHWISE_CONV_2D', x: [[1, 5, 5, 3]], consts: [f32('w', [1, 3, 3, 6], rand(54)), f32('b', [6], rand(6))], options: { padding: 'SAME', depth_multiplier: 2 } },
  // rows of at most 64: one invocation per row; longer: a workgroup per row
  { name: 'SOFTMAX rows of 7', op: 'SOFTMAX', x: [[3, 7]], options: { beta: 1.5 } },
  { name: 'SOFTMAX rows of 100', op: 'SOFTMAX', x: [[2, 100]], options: { beta: 1 } },
  { name: 'LOG_SOFTMAX rows of 80', op: 'LOG_SOFTMAX', x: [[2, 80]] },
  { name: 'L2_NORMALIZATION rows of 70', op: 'L2_NORMALIZATION', x: [[2, 70]] },
  { name: 'GATHER constant indices (negative too), axis 1', op: 'GATHER', x: [[2, 5, 3]], consts: [i32('idx', [4, -1, 0, 2])], options: { axis: 1 }, exact: true },
  { name: 'GATHER constant indices, batch_dims 1', op: 'GATHER', x: [[2, 4, 3]], consts: [{ ...i32('idx', [3, 0, 1, 1]), shape: [2, 2] }], options: { axis: 1, batch_dims: 1 }, exact: true },
  { name: 'FULLY_CONNECTED K=7, 5 units, 6 rows', op: 'FULLY_CONNECTED', x: [[6, 7]], consts: [f32('w', [5, 7], rand(35)), f32('b', [5], rand(5))] },
];

function model(c: Case): ModelDesc {
  const xs = c.x.map((shape, k) => f32(`x${k}`, shape));
  const outs = Array.from({ length: c.outs ?? 1 }, (_, k) => f32(`y${k}`, [1]));
  return {
    tensors: [...xs, ...(c.consts ?? []), ...outs] as ModelDesc['tensors'],
    operators: [{ op: c.op, inputs: [...xs.map((t) => t.name), ...(c.consts ?? []).map((t) => t.name)], outputs: outs.map((t) => t.name), options: c.options ?? {} }] as ModelDesc['operators'],
    inputs: xs.map((t) => t.name), outputs: outs.map((t) => t.name),
  };
}

describe.skipIf(!gpu)('webgpu ops against the CPU backend', { timeout: 60_000 }, () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const bytes = writeTflite(model(c));
      const g = await loadModel(bytes, { backend: 'webgpu', gpu });
      const cpu = await loadModel(bytes, { backend: 'cpu' });
      try {
        expect(g.backendPlan.cpuOps).toEqual([]);
        const inputs = c.x.map((s) => rand(s.reduce((a, d) => a * d, 1), c.lo ?? -2, 2));
        const yg = await g.run(inputs);
        const yc = await cpu.run(inputs);
        expect(yg.map((t) => t.shape)).toEqual(yc.map((t) => t.shape));
        yg.forEach((t, k) => {
          const a = t.data as TypedArray, b = yc[k]!.data as TypedArray;
          for (let i = 0; i < b.length; i++) {
            const tol = (c.exact ? 1e-5 : 1e-4) * Math.max(1, Math.abs(Number(b[i])));
            if (!(Math.abs(Number(a[i]) - Number(b[i])) <= tol)) expect(`${k}[${i}]: ${a[i]}`).toBe(`${k}[${i}]: ${b[i]}`);
          }
        });
      } finally {
        g.dispose();
        cpu.dispose();
      }
    });
  }
});

describe.skipIf(!gpu)('webgpu with load-time rewrites of the CPU path', { timeout: 60_000 }, () => {
  it('a PAD feeding a VALID convolution (folded at load into explicit padding) gives the CPU result', async () => {
    const w = rand(2 * 3 * 3 * 4);
    const bytes = writeTflite({
      tensors: [
        f32('x', [1, 5, 6, 4]), { name: 'pads', shape: [4, 2], dtype: 'int32', data: new Int32Array([0, 0, 1, 2, 2, 1, 0, 0]) },
        f32('p', [1, 8, 9, 4]), f32('w', [2, 3, 3, 4], w), f32('b', [2], rand(2)), f32('y', [1, 6, 7, 2]),
      ] as ModelDesc['tensors'],
      operators: [
        { op: 'PAD', inputs: ['x', 'pads'], outputs: ['p'] },
        { op: 'CONV_2D', inputs: ['p', 'w', 'b'], outputs: ['y'], options: { padding: 'VALID' } },
      ] as ModelDesc['operators'],
      inputs: ['x'], outputs: ['y'],
    });
    const g = await loadModel(bytes, { backend: 'webgpu', gpu });
    const cpu = await loadModel(bytes, { backend: 'cpu' });
    const x = rand(120);
    const [yg] = await g.run([x]), [yc] = await cpu.run([x]);
    const a = yg!.data as Float32Array, b = yc!.data as Float32Array;
    expect(a.length).toBe(b.length);
    for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[i]!)));
    g.dispose();
    cpu.dispose();
  });
});
