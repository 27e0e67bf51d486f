/**
 * Malformed and hostile models are rejected at load with a typed error naming what is
 * wrong and where: never an out-of-bounds read, a hang, or a huge allocation.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite, type ModelDesc } from '../../../converter/tflite-writer/index.js';
import {
  KernelError, LimitError, LiteError, ModelFormatError, loadModel, parseModel,
} from '../../../lite-runtime/index.js';
import { modelBytes, nums } from '../models/shared.js';
import { ModelField, OperatorField, Patcher, TensorField } from './patch.js';

// x -> FC(w) -> h -> FC(w) -> y
const chain: ModelDesc = {
  tensors: [
    { name: 'x', shape: [1, 2], dtype: 'float32' },
    { name: 'w', shape: [2, 2], dtype: 'float32', data: new Float32Array([1, 2, 3, 4]) },
    { name: 'h', shape: [1, 2], dtype: 'float32' },
    { name: 'y', shape: [1, 2], dtype: 'float32' },
  ],
  operators: [
    { op: 'FULLY_CONNECTED', inputs: ['x', 'w', -1], outputs: ['h'] },
    { op: 'FULLY_CONNECTED', inputs: ['h', 'w', -1], outputs: ['y'] },
  ],
  inputs: ['x'], outputs: ['y'],
};
const chainBytes = writeTflite(chain);

async function rejects(bytes: Uint8Array, re: RegExp, type: abstract new (...args: never[]) => LiteError = ModelFormatError): Promise<void> {
  const err = await loadModel(bytes).then(() => null, (e: unknown) => e);
  expect(err, `expected ${type.name} matching ${re}`).toBeInstanceOf(type);
  expect((err as Error).message).toMatch(re);
}

describe('hostile models', () => {
  it('the unpatched model loads and runs', async () => {
    const m = await loadModel(chainBytes);
    expect(nums((await m.run([[1, 1]]))[0]!)).toEqual([17, 37]); // FULLY_CONNECTED: y = x W^T, twice
  });

  it('wrong or missing file identifier', async () => {
    const p = new Patcher(chainBytes);
    p.bytes.set([88, 88, 88, 88], 4);
    await rejects(p.bytes, /file identifier is "XXXX", expected "TFL3"/);
    await rejects(new Uint8Array(0), /file identifier is ""/);
    await rejects(new TextEncoder().encode('not a model at all'), /file identifier/);
  });

  it('unsupported schema version', async () => {
    const p = new Patcher(chainBytes);
    p.setScalar(p.model, ModelField.version, 4, 2);
    await rejects(p.bytes, /Model.version is 2, only schema version 3/);
  });

  it('truncated files', async () => {
    for (const len of [8, 12, 100, chainBytes.length >> 1, chainBytes.length - 1]) {
      const err = await loadModel(chainBytes.subarray(0, len)).then(() => null, (e: unknown) => e);
      expect(err, `length ${len}`).toBeInstanceOf(ModelFormatError);
    }
    const person = modelBytes('person_detect.tflite');
    await rejects(person.subarray(0, 150000), /outside|past the end/);
  });

  it('root offset out of range', async () => {
    const p = new Patcher(chainBytes);
    p.view.setUint32(0, 0xfffffff0, true);
    await rejects(p.bytes, /Model: table offset 4294967280 is outside the \d+-byte model/);
  });

  it('absurd shapes are rejected before anything is allocated', async () => {
    const huge: ModelDesc = { ...chain, tensors: chain.tensors.map((t) => (t.name === 'h' ? { ...t, shape: [100000, 100000, 100] } : t)) };
    await rejects(writeTflite(huge), /tensor 2 'h': shape \[100000, 100000, 100\] float32 needs 4000000000000 bytes, over the 1073741824-byte limit/);
    const p = new Patcher(chainBytes);
    p.setI32Elem(p.tensor(2), TensorField.shape, 1, -5);
    await rejects(p.bytes, /tensor 2 'h': shape \[1, -5\] has a negative dimension/);
  });

  it('an op asked to produce a huge output is stopped before allocating', async () => {
    const bytes = writeTflite({
      tensors: [
        { name: 'x', shape: [1, 2], dtype: 'float32' },
        { name: 'pads', shape: [2, 2], dtype: 'int32', data: new Int32Array([0, 1e9, 0, 0]) },
        { name: 'y', shape: [1, 2], dtype: 'float32' },
      ],
      operators: [{ op: 'PAD', inputs: ['x', 'pads'], outputs: ['y'] }],
      inputs: ['x'], outputs: ['y'],
    });
    const t0 = performance.now();
    await rejects(bytes, /PAD \(subgraph 0, node 0\): tensor 2 'y' got shape \[1000000001, 2\] \(8000000008 bytes, limit 1073741824\)/, KernelError);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('arenas over the limit fail with LimitError', async () => {
    const err = await loadModel(modelBytes('person_detect.tflite'), { maxArenaBytes: 10000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect((err as Error).message).toMatch(/subgraph 0 needs a 55296-byte arena, over the 10000-byte limit/);
  });

  it('constant buffers shorter than their tensor', async () => {
    const p = new Patcher(chainBytes);
    p.setI32Elem(p.tensor(1), TensorField.shape, 1, 4);
    await rejects(p.bytes, /tensor 1 'w': buffer \d+ holds 16 bytes, shape \[2, 4\] float32 needs 32/);
  });

  it('buffer, tensor and opcode indices out of range', async () => {
    let p = new Patcher(chainBytes);
    p.setScalar(p.tensor(1), TensorField.buffer, 4, 99);
    await rejects(p.bytes, /tensor 1 'w': buffer 99 does not exist/);
    p = new Patcher(chainBytes);
    p.setI32Elem(p.operator(1), OperatorField.inputs, 0, 999);
    await rejects(p.bytes, /operator 1 \(FULLY_CONNECTED\) inputs\[0\] = 999 is not a tensor index \(subgraph has 4 tensors\)/);
    p = new Patcher(chainBytes);
    p.setI32Elem(p.operator(0), OperatorField.outputs, 0, -1);
    await rejects(p.bytes, /outputs\[0\] = -1 is not a tensor index/);
  });

  it('operators out of order (a cycle through the graph) and tensors written twice', async () => {
    let p = new Patcher(chainBytes);
    p.swapOperators(0, 1);
    await rejects(p.bytes, /operator 0 \(FULLY_CONNECTED\) reads tensor 2 'h' before operator 1 writes it \(cycle or bad order\)/);
    p = new Patcher(chainBytes);
    p.setI32Elem(p.operator(0), OperatorField.inputs, 0, 2); // h = FC(h): reads its own output
    await rejects(p.bytes, /operator 0 \(FULLY_CONNECTED\) reads tensor 2 'h' before operator 0 writes it/);
    p = new Patcher(chainBytes);
    p.setI32Elem(p.operator(1), OperatorField.outputs, 0, 2);
    await rejects(p.bytes, /tensor 2 'h' is written by operators 0 and 1/);
    p = new Patcher(chainBytes);
    p.setI32Elem(p.operator(1), OperatorField.outputs, 0, 1);
    await rejects(p.bytes, /operator 1 \(FULLY_CONNECTED\) writes tensor 1 'w', which is a constant/);
  });

  it('inconsistent per-channel quantization', async () => {
    const q: ModelDesc = {
      ...chain,
      tensors: chain.tensors.map((t) => (t.name === 'w' ? { ...t, quant: { scale: [1, 2], zeroPoint: [0, 0], axis: 0 } } : t)),
    };
    const p = new Patcher(writeTflite(q));
    p.setI32Elem(p.tensor(1), TensorField.shape, 0, 1); // shape [1,2] with 2 scales on axis 0
    p.setI32Elem(p.tensor(1), TensorField.shape, 1, 2);
    await rejects(p.bytes, /tensor 1 'w': 2 per-channel scales do not match axis 0 of shape \[1, 2\]/);
  });

  it('an op rejecting its tensors at load names op and node', async () => {
    const bad: ModelDesc = { ...chain, tensors: chain.tensors.map((t) => (t.name === 'w' ? { ...t, shape: [2, 3], data: new Float32Array(6) } : t)) };
    const err = await loadModel(writeTflite(bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).op).toBe('FULLY_CONNECTED');
    expect((err as KernelError).node).toBe(0);
  });

  it('parseModel alone reports the same errors', () => {
    expect(() => parseModel(new Uint8Array(4))).toThrow(ModelFormatError);
  });
});
