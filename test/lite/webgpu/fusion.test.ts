/**
 * Wider elementwise fusion: binary ops with a float32 scalar constant (x * 0.5, 1 - x, with a
 * fused activation) or with a tensor operand (same shape or broadcast: computed, input or
 * constant) join a chain after an elementwise op, one shader for the whole chain; a chain
 * starting with a unary op reads a STRIDED_SLICE / SLICE result in place. Results equal the
 * CPU. A chain value used twice ends the chain.
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

// x -> EXP -> MUL c[3] (broadcast constant operand) -> ABS -> y: one chain
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

// an LSTM cell's tail: i, f, g, o [1, 4] and c [1, 4] in; c' = f * c + i * g, h = o * tanh(c')
// chains: [LOGISTIC(f), MUL c, ADD ig] (c' is an output too), [LOGISTIC(i), MUL g], [TANH, MUL o]
const v4 = (name: string) => ({ name, shape: [1, 4], dtype: 'float32' as const });
const lstmCell: ModelDesc = {
  tensors: ['i', 'f', 'g', 'o', 'c', 'si', 'sf', 'fc', 'ig', 'c2', 'tc', 'h'].map(v4),
  operators: [
    { op: 'LOGISTIC', inputs: ['f'], outputs: ['sf'] },
    { op: 'MUL', inputs: ['sf', 'c'], outputs: ['fc'] },
    { op: 'LOGISTIC', inputs: ['i'], outputs: ['si'] },
    { op: 'MUL', inputs: ['si', 'g'], outputs: ['ig'] },
    { op: 'ADD', inputs: ['fc', 'ig'], outputs: ['c2'] },
    { op: 'TANH', inputs: ['c2'], outputs: ['tc'] },
    { op: 'MUL', inputs: ['o', 'tc'], outputs: ['h'] },
  ],
  inputs: ['i', 'f', 'g', 'o', 'c'], outputs: ['h', 'c2'],
};

// x -> EXP -> e; e * e (e read twice: EXP stands alone) -> ABS: chain [MUL, ABS], its second e a scratch copy (bindings may not alias)
const twice: ModelDesc = {
  tensors: [v4('x'), v4('e'), v4('m'), v4('y')],
  operators: [
    { op: 'EXP', inputs: ['x'], outputs: ['e'] },
    { op: 'MUL', inputs: ['e', 'e'], outputs: ['m'] },
    { op: 'ABS', inputs: ['m'], outputs: ['y'] },
  ],
  inputs: ['x'], outputs: ['y'],
};

// gates [1, 8] -> STRIDED_SLICE [0:4] -> RESHAPE [4] -> LOGISTIC -> MUL c, and STRIDED_SLICE [4:8] -> TANH: the
// elementwise shaders read the slices in place (no view dispatch, no RESHAPE)
const i32 = (name: string, v: number[]) => ({ name, shape: [v.length], dtype: 'int32' as const, data: new Int32Array(v) });
const slices: ModelDesc = {
  tensors: [
    { name: 'x', shape: [1, 8], dtype: 'float32' }, { name: 'c', shape: [4], dtype: 'float32' },
    i32('b0', [0, 0]), i32('e0', [1, 4]), i32('b1', [0, 4]), i32('e1', [1, 8]), i32('st', [1, 1]), i32('shape4', [4]),
    ...['s0', 's1', 'g'].map((name) => ({ name, shape: [1, 4], dtype: 'float32' as const })),
    ...['r0', 'l0', 'y'].map((name) => ({ name, shape: [4], dtype: 'float32' as const })),
  ],
  operators: [
    { op: 'STRIDED_SLICE', inputs: ['x', 'b0', 'e0', 'st'], outputs: ['s0'] },
    { op: 'RESHAPE', inputs: ['s0', 'shape4'], outputs: ['r0'] },
    { op: 'LOGISTIC', inputs: ['r0'], outputs: ['l0'] },
    { op: 'MUL', inputs: ['l0', 'c'], outputs: ['y'] },
    { op: 'STRIDED_SLICE', inputs: ['x', 'b1', 'e1', 'st'], outputs: ['s1'] },
    { op: 'TANH', inputs: ['s1'], outputs: ['g'] },
  ],
  inputs: ['x', 'c'], outputs: ['y', 'g'],
};

describe.skipIf(!gpu)('webgpu elementwise fusion with constant and tensor operands', { timeout: 60_000 }, () => {
  it('fuses binary ops with a scalar constant or a tensor operand into the chain; equal to the CPU', async () => {
    for (const [desc, fused, dispatches] of [[chain, 4, 1], [vectorConst, 2, 1], [lstmCell, 4, 3], [twice, 1, 3], [slices, 4, 2]] as const) {
      const bytes = writeTflite(desc);
      const g = await loadModel(bytes, { backend: 'webgpu', gpu });
      const c = await loadModel(bytes);
      expect(g.backendPlan.fusedOps).toBe(fused);
      expect(g.backendPlan.dispatches).toBe(dispatches);
      const xs = g.inputs.map((t, k) => Float32Array.from({ length: t.shape.reduce((p, d) => p * d, 1) }, (_, i) => Math.sin(3 * i + k) * 2));
      const ya = await g.run(xs), yb = await c.run(xs);
      yb.forEach((t, k) => {
        const a = ya[k]!.data as Float32Array, b = t.data as Float32Array;
        for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[i]!)));
      });
      g.dispose();
      c.dispose();
    }
  });
});
