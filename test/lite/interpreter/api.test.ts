/** The loadModel API: descriptors, named and positional inputs, quantization, dynamic batch, errors. */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../../converter/tflite-writer/index.js';
import {
  BackendError, DisposedError, InputError, UnsupportedOpError, loadModel,
} from '../../../lite-runtime/index.js';
import { modelBytes, nums } from '../models/shared.js';

describe('loadModel API', () => {
  it('describes inputs and outputs, with SignatureDef names and quantization', async () => {
    const m = await loadModel(modelBytes('hello_world_int8.tflite'));
    expect(m.backend).toBe('cpu');
    expect(m.signatures).toEqual(['serving_default']);
    expect(m.inputs).toEqual([{
      name: 'dense_input', shape: [1, 1], shapeSignature: [-1, 1], dtype: 'int8',
      quantization: { scale: [expect.closeTo(0.02448, 5)], zeroPoint: [-128], axis: 0 },
    }]);
    expect(m.outputs[0]!.name).toBe('dense_2');
    expect(m.outputs[0]!.dtype).toBe('int8');
  });

  it('quantizes Float32Array inputs of quantized models and dequantizes outputs on request', async () => {
    const m = await loadModel(modelBytes('hello_world_int8.tflite'));
    const q = m.inputs[0]!.quantization!;
    for (const x of [0.5, 1.5, 3, 5.5]) {
      const asInt = new Int8Array([Math.round(x / q.scale[0]!) + q.zeroPoint[0]!]);
      const [a] = await m.run([new Float32Array([x])]);
      const [b] = await m.run({ dense_input: asInt });
      expect(a!.dtype).toBe('int8');
      expect(nums(a!)).toEqual(nums(b!));
      const [f] = await m.run([new Float32Array([x])], { dequantize: true });
      expect(f!.dtype).toBe('float32');
      expect(f!.data[0]).toBeCloseTo(Math.sin(x), 1);
    }
  });

  it('runSync with views returns the model memory itself: equal to a copy, overwritten by the next run', async () => {
    const m = await loadModel(modelBytes('hello_world_float.tflite'));
    const [copy1] = m.runSync([[1]]);
    const [view1] = m.runSync([[1]], { views: true });
    expect(nums(view1!)).toEqual(nums(copy1!));
    const [copy2] = m.runSync([[2]]);
    expect(nums(copy2!)).not.toEqual(nums(copy1!));
    expect(nums(view1!)).toEqual(nums(copy2!)); // the view now holds the second run's output
    const [view2] = m.runSync([[2]], { views: true });
    expect(view2!.data.buffer).toBe(view1!.data.buffer);
  });

  it('accepts the tensor name as well as the signature name', async () => {
    const m = await loadModel(modelBytes('hello_world_float.tflite'));
    const [a] = m.runSync({ dense_input: [1] });
    const [b] = m.runSync({ 'serving_default_dense_input:0': new Float32Array([1]) });
    expect(a!.data[0]).toBe(b!.data[0]);
  });

  it('resizes a dynamic batch (shape_signature -1) and matches batch-1 results', async () => {
    const m = await loadModel(modelBytes('hello_world_float.tflite'));
    const xs = [0.1, 1.2, 2.3, 4.4, 5.9];
    const singles = xs.map((x) => m.runSync([new Float32Array([x])])[0]!.data[0]!);
    const arena1 = m.memory.arenaBytes;
    const [batch] = m.runSync([{ data: new Float32Array(xs), shape: [5, 1] }]);
    expect(batch!.shape).toEqual([5, 1]);
    // one row and five rows take different GEMM paths: with FMA they round differently
    nums(batch!).forEach((v, i) => expect(Number(v)).toBeCloseTo(Number(singles[i]), 5));
    expect(m.inputs[0]!.shape).toEqual([5, 1]);
    expect(m.memory.arenaBytes).toBeGreaterThan(arena1);
    // The -1 dim is inferred from the length too, and batch 1 works again afterwards.
    expect(nums(m.runSync([new Float32Array(xs.slice(0, 3))])[0]!)).toEqual(singles.slice(0, 3));
    expect(m.runSync([new Float32Array([xs[0]!])])[0]!.data[0]).toBe(singles[0]);
  });

  it('rejects wrong input count, name, shape and dtype with InputError', async () => {
    const m = await loadModel(modelBytes('person_detect.tflite'));
    const ok = new Int8Array(96 * 96);
    await expect(m.run([])).rejects.toThrow(/takes 1 input \(input\), got 0/);
    await expect(m.run([ok, ok])).rejects.toThrow(InputError);
    await expect(m.run({ image: ok })).rejects.toThrow(/unknown input "image"/);
    await expect(m.run([new Int8Array(100)])).rejects.toThrow(/100 values given, shape \[1, 96, 96, 1\] needs 9216/);
    await expect(m.run([{ data: ok, shape: [1, 96, 96] }])).rejects.toThrow(/shape \[1, 96, 96\] does not match \[1, 96, 96, 1\]/);
    await expect(m.run([new Int32Array(96 * 96)])).rejects.toThrow(/is int8 \(quantized: Float32Array also accepted\), got int32/);
    await expect(m.run([[1.5]])).rejects.toThrow(InputError);
    await expect(m.run(null as never)).rejects.toThrow(InputError);
    const [out] = await m.run([ok]);
    expect(out!.shape).toEqual([1, 2]);
  });

  it('dispose makes the model unusable', async () => {
    const m = await loadModel(modelBytes('hello_world_float.tflite'));
    m.dispose();
    m.dispose();
    await expect(m.run([[1]])).rejects.toThrow(DisposedError);
  });

  it('lists every unsupported op at load', async () => {
    const t = (name: string) => ({ name, shape: [1, 4], dtype: 'float32' as const });
    const bytes = writeTflite({
      tensors: [t('a'), t('b'), t('c'), t('d')],
      operators: [
        { op: 'LSH_PROJECTION', inputs: ['a'], outputs: ['b'] },
        { op: 'SKIP_GRAM', inputs: ['b'], outputs: ['c'] },
        { op: 'LSH_PROJECTION', inputs: ['c'], outputs: ['d'] },
      ],
      inputs: ['a'], outputs: ['d'],
    });
    const err = await loadModel(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect((err as UnsupportedOpError).ops).toEqual([
      { code: 15, name: 'LSH_PROJECTION', nodes: ['0:0', '0:2'] },
      { code: 30, name: 'SKIP_GRAM', nodes: ['0:1'] },
    ]);
    expect((err as Error).message).toBe('model uses 2 unsupported ops: LSH_PROJECTION (code 15, 2 nodes), SKIP_GRAM (code 30, 1 node)');
  });

  it('backend selection: auto is cpu, webgpu is reported unavailable', async () => {
    const bytes = modelBytes('hello_world_float.tflite');
    expect((await loadModel(bytes, { backend: 'auto' })).backend).toBe('cpu');
    await expect(loadModel(bytes, { backend: 'webgpu' })).rejects.toThrow(BackendError);
    await expect(loadModel(bytes, { signature: 'nope' })).rejects.toThrow(/signature "nope" not found; model has \["serving_default"\]/);
  });

  it('keeps outputs valid after later runs (copies out of the arena)', async () => {
    const m = await loadModel(modelBytes('hello_world_float.tflite'));
    const [a] = m.runSync([[1]]);
    const keep = a!.data[0];
    m.runSync([[2]]);
    expect(a!.data[0]).toBe(keep);
  });

  it('runs the subgraph of the chosen signature, with its names', async () => {
    const t = (name: string) => ({ name, shape: [1, 2], dtype: 'float32' as const });
    const w = (v: number[]) => ({ name: 'w', shape: [2, 2], dtype: 'float32' as const, data: new Float32Array(v) });
    const sub = (v: number[]) => ({
      tensors: [t('x'), w(v), t('y')],
      operators: [{ op: 'FULLY_CONNECTED' as const, inputs: ['x', 'w', -1], outputs: ['y'] }],
      inputs: ['x'], outputs: ['y'],
    });
    const bytes = writeTflite({
      ...sub([1, 0, 0, 1]),
      subgraphs: [sub([0, 1, 1, 0])],
      signatureDefs: [
        { key: 'identity', subgraph: 0, inputs: [{ name: 'in', tensor: 'x' }], outputs: [{ name: 'out', tensor: 'y' }] },
        { key: 'swap', subgraph: 1, inputs: [{ name: 'a', tensor: 'x' }], outputs: [{ name: 'b', tensor: 'y' }] },
      ],
    });
    const id = await loadModel(bytes);
    const swap = await loadModel(bytes, { signature: 'swap' });
    expect(id.signatures).toEqual(['identity', 'swap']);
    expect(id.inputs[0]!.name).toBe('in');
    expect(swap.inputs[0]!.name).toBe('a');
    expect(swap.outputs[0]!.name).toBe('b');
    expect(nums((await id.run({ in: [1, 2] }))[0]!)).toEqual([1, 2]);
    const [b] = await swap.run({ a: [1, 2] });
    expect(b!.name).toBe('b');
    expect(nums(b!)).toEqual([2, 1]);
  });

  it('accepts any view of the bytes and rejects non-bytes', async () => {
    const bytes = modelBytes('hello_world_float.tflite');
    const m = await loadModel(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    expect(m.inputs.length).toBe(1);
    await expect(loadModel('model.tflite' as never)).rejects.toThrow(InputError);
  });

  it('quantizes float inputs as TFLite does: round half away from zero, then clamp', async () => {
    const m = await loadModel(writeTflite({
      tensors: [
        { name: 'q', shape: [6], dtype: 'int8', quant: { scale: [0.5], zeroPoint: [3] } },
        { name: 'f', shape: [6], dtype: 'float32' },
      ],
      operators: [{ op: 'DEQUANTIZE', inputs: ['q'], outputs: ['f'] }],
      inputs: ['q'], outputs: ['f'],
    }));
    const [f] = await m.run([new Float32Array([-0.25, 0.25, 0.74, -1.75, 1000, -1000])]);
    // q = round_half_away(x / 0.5) + 3, clamped to [-128, 127]; f = 0.5 * (q - 3)
    expect(nums(f!)).toEqual([-0.5, 0.5, 0.5, -2, 62, -65.5]);
    await expect(m.run([[1, 2, 3, 4, 5, 300]])).rejects.toThrow(/input 0 'q' is int8; value 300 at 5 does not fit/);
  });

  it('profiles one run op by op', async () => {
    const m = await loadModel(modelBytes('micro_speech_quantized.tflite'));
    const prof = m.profile([new Int8Array(1960)]);
    expect(prof.map((p) => p.op)).toEqual(['RESHAPE', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX']);
    expect(prof.every((p) => p.ms >= 0)).toBe(true);
  });
});
