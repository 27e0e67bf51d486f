/** IF and WHILE run subgraphs; recursive subgraph calls are rejected at load. */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import { LimitError, ModelFormatError, loadModel } from '../../../lite-runtime/index.js';
import { TEST_OPS } from './helpers.js';
import { nums } from '../models/shared.js';

const fc = (w: number[]): ModelDesc['tensors'][number][] => [
  { name: 'x', shape: [1, 2], dtype: 'float32' },
  { name: 'w', shape: [2, 2], dtype: 'float32', data: new Float32Array(w) },
  { name: 'y', shape: [1, 2], dtype: 'float32' },
];
const fcBranch = (w: number[]) => ({
  tensors: fc(w),
  operators: [{ op: 'FULLY_CONNECTED' as const, inputs: ['x', 'w', -1], outputs: ['y'] }],
  inputs: ['x'], outputs: ['y'],
});

const ifModel: ModelDesc = {
  tensors: [
    { name: 'cond', shape: [1], dtype: 'bool' },
    { name: 'x', shape: [1, 2], dtype: 'float32' },
    { name: 'y', shape: [1, 2], dtype: 'float32' },
  ],
  operators: [{ op: 'IF', inputs: ['cond', 'x'], outputs: ['y'], options: { then_subgraph_index: 1, else_subgraph_index: 2 } }],
  inputs: ['cond', 'x'], outputs: ['y'],
  subgraphs: [fcBranch([2, 0, 0, 2]), fcBranch([-1, 0, 0, -1])],
};

// i, x -> while (i < 5) { i = i + 1; x = x @ W } with W = [[0,1],[2,0]] (FULLY_CONNECTED: y = x W^T).
const whileModel: ModelDesc = {
  tensors: [
    { name: 'i', shape: [1], dtype: 'float32' },
    { name: 'x', shape: [1, 2], dtype: 'float32' },
    { name: 'i_out', shape: [1], dtype: 'float32' },
    { name: 'x_out', shape: [1, 2], dtype: 'float32' },
  ],
  operators: [{ op: 'WHILE', inputs: ['i', 'x'], outputs: ['i_out', 'x_out'], options: { cond_subgraph_index: 1, body_subgraph_index: 2 } }],
  inputs: ['i', 'x'], outputs: ['i_out', 'x_out'],
  subgraphs: [
    {
      tensors: [
        { name: 'i', shape: [1], dtype: 'float32' },
        { name: 'x', shape: [1, 2], dtype: 'float32' },
        { name: 'limit', shape: [1], dtype: 'float32', data: new Float32Array([5]) },
        { name: 'c', shape: [1], dtype: 'bool' },
      ],
      operators: [{ op: 'LESS', inputs: ['i', 'limit'], outputs: ['c'] }],
      inputs: ['i', 'x'], outputs: ['c'],
    },
    {
      tensors: [
        { name: 'i', shape: [1], dtype: 'float32' },
        { name: 'one', shape: [1], dtype: 'float32', data: new Float32Array([1]) },
        { name: 'i2', shape: [1], dtype: 'float32' },
        ...fc([0, 1, 2, 0]),
      ],
      operators: [
        { op: 'ADD', inputs: ['i', 'one'], outputs: ['i2'] },
        { op: 'FULLY_CONNECTED', inputs: ['x', 'w', -1], outputs: ['y'] },
      ],
      inputs: ['i', 'x'], outputs: ['i2', 'y'],
    },
  ],
};

describe('control flow', () => {
  it('IF runs the then or else subgraph on the condition', async () => {
    const m = await loadModel(writeTflite(ifModel));
    const x = new Float32Array([3, -4]);
    expect(nums((await m.run([new Uint8Array([1]), x]))[0]!)).toEqual([6, -8]);
    expect(nums((await m.run([new Uint8Array([0]), x]))[0]!)).toEqual([-3, 4]);
    expect(nums((await m.run({ cond: new Uint8Array([1]), x: new Float32Array([1, 1]) }))[0]!)).toEqual([2, 2]);
  });

  it('WHILE loops the body until cond is false, from any start', async () => {
    const m = await loadModel(writeTflite(whileModel), { ops: TEST_OPS });
    const ref = (i0: number, x: number[]): [number, number[]] => {
      let i = i0;
      let v = x;
      while (i < 5) { i += 1; v = [v[1]!, 2 * v[0]!]; }
      return [i, v];
    };
    for (const [i0, x] of [[0, [1, 3]], [3, [2, -1]], [7, [5, 6]], [4.5, [1, 0]]] as [number, number[]][]) {
      const [i, y] = await m.run([new Float32Array([i0]), new Float32Array(x)]);
      const [ri, rx] = ref(i0, x);
      expect(nums(i!)).toEqual([ri]);
      expect(nums(y!)).toEqual(rx);
    }
  });

  it('stops a WHILE past maxLoopIterations with LimitError', async () => {
    const m = await loadModel(writeTflite(whileModel), { ops: TEST_OPS, maxLoopIterations: 3 });
    await expect(m.run([new Float32Array([2]), new Float32Array([1, 1])])).resolves.toHaveLength(2);
    await expect(m.run([new Float32Array([0]), new Float32Array([1, 1])])).rejects.toThrow(LimitError);
    await expect(m.run([new Float32Array([0]), new Float32Array([1, 1])])).rejects.toThrow(/WHILE \(node 0\): more than 3 iterations/);
  });

  it('rejects subgraphs that call themselves', async () => {
    const bad: ModelDesc = { ...ifModel, operators: [{ op: 'IF', inputs: ['cond', 'x'], outputs: ['y'], options: { then_subgraph_index: 0, else_subgraph_index: 1 } }] };
    await expect(loadModel(writeTflite(bad))).rejects.toThrow(ModelFormatError);
    await expect(loadModel(writeTflite(bad))).rejects.toThrow(/cycle: 0 -> 0/);
  });

  it('rejects a branch whose outputs disagree with the other branch', async () => {
    const bad: ModelDesc = {
      ...ifModel,
      subgraphs: [fcBranch([2, 0, 0, 2]), {
        tensors: [{ name: 'x', shape: [1, 2], dtype: 'float32' }, { name: 's', shape: [4], dtype: 'int32', data: new Int32Array([1, 1, 1, 2]) }, { name: 'y', shape: [1, 1, 1, 2], dtype: 'float32' }],
        operators: [{ op: 'RESHAPE', inputs: ['x', 's'], outputs: ['y'] }],
        inputs: ['x'], outputs: ['y'],
      }],
    };
    await expect(loadModel(writeTflite(bad))).rejects.toThrow(/IF \(.*node 0\): output 0: branches give float32 \[1, 2\] and float32 \[1, 1, 1, 2\]/);
  });

  it('names the subgraph of an op failing inside a branch', async () => {
    const bad: ModelDesc = {
      ...ifModel,
      subgraphs: [fcBranch([2, 0, 0, 2]), { ...fcBranch([1, 0, 0, 1]), tensors: [...fc([1, 0, 0, 1]).slice(0, 2), { name: 'y', shape: [1, 2], dtype: 'int32' }] }],
    };
    await expect(loadModel(writeTflite(bad))).rejects.toThrow(/^FULLY_CONNECTED \(subgraph 2, node 0\): /);
  });
});
