/**
 * Producer folds of the WebGPU compile (backends/webgpu/fold.ts and the shape kernels): a
 * PADV2 of the lowest float feeding a VALID MAX_POOL_2D is the pool's padding (one dispatch),
 * a PAD that pads nothing aliases its input (no dispatch), a GATHER with constant indices runs
 * on the GPU (no CPU fallback, one command buffer), unary ops reading a conv / matmul result
 * alone run in its epilogue, a lowered layer normalization is one shader, an NCHW -> NHWC
 * TRANSPOSE is read through strides by the convolution after it, one flattened into a
 * FULLY_CONNECTED permutes its weights. Each equals the CPU; the cases just outside each rule keep their
 * own dispatch or the CPU.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import { loadModel } from '../../../lite-runtime/index.js';
import { testGpu } from './gpu.js';

const gpu = await testGpu();

const f32 = (name: string, shape: number[], data?: number[]) => ({ name, shape, dtype: 'float32' as const, ...(data ? { data: new Float32Array(data) } : {}) });
const i32 = (name: string, shape: number[], data: number[]) => ({ name, shape, dtype: 'int32' as const, data: new Int32Array(data) });
const seq = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3);

/** x [1,5,6,4] -> PADV2 (H 1/1, W 0/2, fill) -> MAX_POOL 3x3 stride 2 VALID -> y. */
function padPool(fill: number, pads = [0, 0, 1, 1, 0, 2, 0, 0]): ModelDesc {
  return {
    tensors: [
      f32('x', [1, 5, 6, 4]), i32('pads', [4, 2], pads), f32('v', [], [fill]),
      f32('p', [1, 1, 1, 1]), f32('y', [1, 1, 1, 1]),
    ] as ModelDesc['tensors'],
    operators: [
      { op: 'PADV2', inputs: ['x', 'pads', 'v'], outputs: ['p'] },
      { op: 'MAX_POOL_2D', inputs: ['p'], outputs: ['y'], options: { padding: 'VALID', stride_w: 2, stride_h: 2, filter_width: 3, filter_height: 3 } },
    ] as ModelDesc['operators'],
    inputs: ['x'], outputs: ['y'],
  };
}

/** x -> EXP -> PAD (nothing) -> ABS -> y. */
const zeroPad: ModelDesc = {
  tensors: [f32('x', [2, 3, 4]), i32('pads', [3, 2], [0, 0, 0, 0, 0, 0]), f32('e', [2, 3, 4]), f32('p', [2, 3, 4]), f32('y', [2, 3, 4])] as ModelDesc['tensors'],
  operators: [
    { op: 'EXP', inputs: ['x'], outputs: ['e'] },
    { op: 'PAD', inputs: ['e', 'pads'], outputs: ['p'] },
    { op: 'ABS', inputs: ['p'], outputs: ['y'] },
  ] as ModelDesc['operators'],
  inputs: ['x'], outputs: ['y'],
};

/** x [2,5,3] -> TANH -> GATHER(idx, axis 1) -> ABS -> y: the GATHER sits between GPU ops. */
function gatherBetween(idx: number[]): ModelDesc {
  return {
    tensors: [f32('x', [2, 5, 3]), i32('idx', [idx.length], idx), f32('t', [2, 5, 3]), f32('g', [1]), f32('y', [1])] as ModelDesc['tensors'],
    operators: [
      { op: 'TANH', inputs: ['x'], outputs: ['t'] },
      { op: 'GATHER', inputs: ['t', 'idx'], outputs: ['g'], options: { axis: 1 } },
      { op: 'ABS', inputs: ['g'], outputs: ['y'] },
    ] as ModelDesc['operators'],
    inputs: ['x'], outputs: ['y'],
  };
}

/** x [1,4,5,8] -> DEPTHWISE_CONV_2D 3x3 SAME (RELU6) -> HARD_SWISH -> MUL 0.5 ... -> y; `twice`: the conv output is also a model output. */
function convThen(followers: string[], twice = false): ModelDesc {
  const names = followers.map((_, k) => `u${k}`);
  const last = names[names.length - 1] ?? 'c';
  return {
    tensors: [
      f32('x', [1, 4, 5, 8]), f32('w', [1, 3, 3, 8], Array.from(seq(72), (v) => v / 4)), f32('b', [8], [...seq(8)]), f32('half', [], [0.5]),
      f32('c', [1, 4, 5, 8]), ...names.map((n) => f32(n, [1, 4, 5, 8])),
    ] as ModelDesc['tensors'],
    operators: [
      { op: 'DEPTHWISE_CONV_2D', inputs: ['x', 'w', 'b'], outputs: ['c'], options: { padding: 'SAME', depth_multiplier: 1, fused_activation_function: 'RELU6' } },
      ...followers.map((op, k) => ({ op, inputs: op === 'MUL' ? [k ? names[k - 1]! : 'c', 'half'] : [k ? names[k - 1]! : 'c'], outputs: [names[k]!] })),
    ] as ModelDesc['operators'],
    inputs: ['x'], outputs: twice ? [last, 'c'] : [last],
  };
}

/** x [3, 6] -> layer norm over the last axis as the converter lowers it (with gamma/beta when `affine`); `leak`: d is an output too. */
function layerNorm(affine: boolean, leak = false): ModelDesc {
  const t = (name: string, shape = [3, 6]) => f32(name, shape);
  const out = affine ? 'y' : 'n';
  return {
    tensors: [
      t('x'), i32('ax', [1], [-1]), f32('eps', [], [1e-5]), f32('gamma', [6], [1, 2, 0.5, -1, 3, 0.25]), f32('beta', [6], [0, 1, -1, 2, 0.5, 0]),
      t('m', [3, 1]), t('d'), t('sq'), t('v', [3, 1]), t('ve', [3, 1]), t('r', [3, 1]), t('n'), t('g'), t('y'),
    ] as ModelDesc['tensors'],
    operators: [
      { op: 'MEAN', inputs: ['x', 'ax'], outputs: ['m'], options: { keep_dims: true } },
      { op: 'SUB', inputs: ['x', 'm'], outputs: ['d'] },
      { op: 'MUL', inputs: ['d', 'd'], outputs: ['sq'] },
      { op: 'MEAN', inputs: ['sq', 'ax'], outputs: ['v'], options: { keep_dims: true } },
      { op: 'ADD', inputs: ['v', 'eps'], outputs: ['ve'] },
      { op: 'RSQRT', inputs: ['ve'], outputs: ['r'] },
      { op: 'MUL', inputs: ['d', 'r'], outputs: ['n'] },
      ...(affine ? [{ op: 'MUL', inputs: ['n', 'gamma'], outputs: ['g'] }, { op: 'ADD', inputs: ['g', 'beta'], outputs: ['y'] }] : []),
    ] as ModelDesc['operators'],
    inputs: ['x'], outputs: leak ? [out, 'd'] : [out],
  };
}

/** x NCHW [1,3,5,6] -> TRANSPOSE to NHWC -> CONV_2D 3x3 SAME stride 2 (3 -> 5 channels); `leak`: the transposed tensor is an output too. */
function transposeConv(leak = false): ModelDesc {
  return {
    tensors: [
      f32('x', [1, 3, 5, 6]), i32('perm', [4], [0, 2, 3, 1]), f32('w', [5, 3, 3, 3], Array.from(seq(135), (v) => v / 5)), f32('b', [5], [...seq(5)]),
      f32('t', [1, 5, 6, 3]), f32('y', [1, 3, 3, 5]),
    ] as ModelDesc['tensors'],
    operators: [
      { op: 'TRANSPOSE', inputs: ['x', 'perm'], outputs: ['t'] },
      { op: 'CONV_2D', inputs: ['t', 'w', 'b'], outputs: ['y'], options: { padding: 'SAME', stride_w: 2, stride_h: 2 } },
    ] as ModelDesc['operators'],
    inputs: ['x'], outputs: leak ? ['y', 't'] : ['y'],
  };
}

/** x NHWC [1,2,3,4] -> TRANSPOSE to NCHW -> RESHAPE [1,24] -> FULLY_CONNECTED (5 units, RELU), as a converted ONNX Flatten + Gemm. */
const transposeFc: ModelDesc = {
  tensors: [
    f32('x', [1, 2, 3, 4]), i32('perm', [4], [0, 3, 1, 2]), i32('flat', [2], [1, 24]),
    f32('w', [5, 24], Array.from(seq(120), (v) => v / 3)), f32('b', [5], [...seq(5)]),
    f32('t', [1, 4, 2, 3]), f32('r', [1, 24]), f32('y', [1, 5]),
  ] as ModelDesc['tensors'],
  operators: [
    { op: 'TRANSPOSE', inputs: ['x', 'perm'], outputs: ['t'] },
    { op: 'RESHAPE', inputs: ['t', 'flat'], outputs: ['r'] },
    { op: 'FULLY_CONNECTED', inputs: ['r', 'w', 'b'], outputs: ['y'], options: { fused_activation_function: 'RELU' } },
  ] as ModelDesc['operators'],
  inputs: ['x'], outputs: ['y'],
};

async function againstCpu(desc: ModelDesc, n: number): Promise<{ plan: import('../../../lite-runtime/index.js').BackendPlan }> {
  const bytes = writeTflite(desc);
  const g = await loadModel(bytes, { backend: 'webgpu', gpu });
  const c = await loadModel(bytes);
  try {
    const x = seq(n);
    const yg = await g.run([x]), yc = await c.run([x]);
    expect(yg.map((t) => t.shape)).toEqual(yc.map((t) => t.shape));
    yc.forEach((t, k) => {
      const a = yg[k]!.data as Float32Array, b = t.data as Float32Array;
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[i]!)));
    });
    return { plan: g.backendPlan };
  } finally {
    g.dispose();
    c.dispose();
  }
}

describe.skipIf(!gpu)('webgpu producer folds', { timeout: 60_000 }, () => {
  it('PADV2 of the lowest float into a VALID MAX_POOL_2D: one dispatch, equal to the CPU', async () => {
    for (const fill of [-3.4028234663852886e38, -Infinity]) {
      const { plan } = await againstCpu(padPool(fill), 120);
      expect(plan.dispatches).toBe(1);
      expect(plan.fusedOps).toBe(1);
    }
  });

  it('keeps the PADV2 when its fill could win the max, or when a pad covers a whole window', async () => {
    expect((await againstCpu(padPool(0), 120)).plan.dispatches).toBe(2);
    expect((await againstCpu(padPool(-3.4028234663852886e38, [0, 0, 3, 0, 0, 0, 0, 0]), 120)).plan.dispatches).toBe(2);
  });

  it('a PAD that pads nothing aliases its input (no dispatch)', async () => {
    const { plan } = await againstCpu(zeroPad, 24);
    expect(plan.dispatches).toBe(2);
  });

  it('GATHER with constant indices runs on the GPU in the one command buffer', async () => {
    const { plan } = await againstCpu(gatherBetween([4, -2, 0]), 30);
    expect(plan.cpuOps).toEqual([]);
    expect(plan.commandBuffers).toBe(1);
    expect(plan.transfers.filter((t) => t.direction === 'download')).toHaveLength(1);
  });

  it('GATHER with an index out of range stays on the CPU, which raises it at run', async () => {
    const bytes = writeTflite(gatherBetween([1, 5]));
    const g = await loadModel(bytes, { backend: 'webgpu', gpu });
    try {
      expect(g.backendPlan.cpuOps.map((o) => [o.op, o.reason])).toEqual([['GATHER', 'index 5 out of range [-5, 5)']]);
      await expect(g.run([seq(30)])).rejects.toThrow(/out of range/);
    } finally {
      g.dispose();
    }
  });

  it('unary ops that alone read a convolution result run in its epilogue', async () => {
    let { plan } = await againstCpu(convThen(['HARD_SWISH']), 160);
    expect([plan.dispatches, plan.fusedOps]).toEqual([1, 1]);
    ({ plan } = await againstCpu(convThen(['HARD_SWISH', 'LOGISTIC']), 160));
    expect([plan.dispatches, plan.fusedOps]).toEqual([1, 2]);
    // a binary op with a scalar constant joins too
    ({ plan } = await againstCpu(convThen(['TANH', 'MUL', 'ABS']), 160));
    expect([plan.dispatches, plan.fusedOps]).toEqual([1, 3]);
  });

  it('keeps the activation apart when the convolution result is read elsewhere too', async () => {
    const { plan } = await againstCpu(convThen(['HARD_SWISH'], true), 160);
    expect([plan.dispatches, plan.fusedOps]).toEqual([2, 0]);
  });

  it('a layer normalization lowered to nine ops is one shader', async () => {
    let { plan } = await againstCpu(layerNorm(true), 18);
    expect([plan.dispatches, plan.fusedOps]).toEqual([1, 8]);
    ({ plan } = await againstCpu(layerNorm(false), 18));
    expect([plan.dispatches, plan.fusedOps]).toEqual([1, 6]);
    // d read outside the pattern: the ops stay apart
    ({ plan } = await againstCpu(layerNorm(true, true), 18));
    expect(plan.dispatches).toBeGreaterThan(1);
  });

  it('a TRANSPOSE into a convolution with 3 input channels is read through strides by the convolution', async () => {
    let { plan } = await againstCpu(transposeConv(), 90);
    expect([plan.dispatches, plan.fusedOps]).toEqual([1, 1]);
    ({ plan } = await againstCpu(transposeConv(true), 90));
    expect([plan.dispatches, plan.fusedOps]).toEqual([2, 0]);
  });

  it('a TRANSPOSE flattened into a FULLY_CONNECTED is the weights permuted at load', async () => {
    const { plan } = await againstCpu(transposeFc, 24);
    expect([plan.dispatches, plan.fusedOps]).toEqual([1, 2]);
  });
});
