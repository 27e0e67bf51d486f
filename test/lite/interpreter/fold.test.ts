/** Ops with only constant inputs run once at load (folded) and are skipped by run. */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../../converter/tflite-writer/index.js';
import { loadModel } from '../../../lite-runtime/index.js';
import { fp16Model as fp16, nums } from '../models/shared.js';


describe('constant folding at prepare', () => {
  it('dequantizes fp16 weights once at load, outside the arena', async () => {
    const m = await loadModel(writeTflite(fp16));
    expect(m.memory.foldedBytes).toBe(16);
    expect(m.memory.arenaBytes).toBe(32); // x and y only, 16-byte aligned each
    for (let r = 0; r < 3; r++) expect(nums((await m.run([[4, 8]]))[0]!)).toEqual([8, -6]);
  });

  it('does not fold ops whose inputs come from the model input', async () => {
    const m = await loadModel(writeTflite({
      tensors: [
        { name: 'x', shape: [1, 2], dtype: 'float16' },
        { name: 'y', shape: [1, 2], dtype: 'float32' },
      ],
      operators: [{ op: 'DEQUANTIZE', inputs: ['x'], outputs: ['y'] }],
      inputs: ['x'], outputs: ['y'],
    }));
    expect(m.memory.foldedBytes).toBe(0);
    // float16 bits of 1.5 and -2
    expect(nums((await m.run([new Uint16Array([0x3e00, 0xc000])]))[0]!)).toEqual([1.5, -2]);
  });

  it('folds SHAPE chains so a dynamic batch reshapes (x[-1,4] -> [batch,2,2])', async () => {
    const i32 = (name: string, v: number[]) => ({ name, shape: [v.length], dtype: 'int32' as const, data: new Int32Array(v) });
    const m = await loadModel(writeTflite({
      tensors: [
        { name: 'x', shape: [1, 4], dtype: 'float32', shapeSignature: [-1, 4] },
        { name: 's', shape: [2], dtype: 'int32' },
        i32('begin', [0]), i32('end', [1]), i32('strides', [1]), i32('rest', [2, 2]),
        { name: 'batch', shape: [1], dtype: 'int32' },
        { name: 'newShape', shape: [3], dtype: 'int32' },
        { name: 'y', shape: [1, 2, 2], dtype: 'float32', shapeSignature: [-1, 2, 2] },
      ],
      operators: [
        { op: 'SHAPE', inputs: ['x'], outputs: ['s'] },
        { op: 'STRIDED_SLICE', inputs: ['s', 'begin', 'end', 'strides'], outputs: ['batch'] },
        { op: 'CONCATENATION', inputs: ['batch', 'rest'], outputs: ['newShape'], options: { axis: 0 } },
        { op: 'RESHAPE', inputs: ['x', 'newShape'], outputs: ['y'] },
      ],
      inputs: ['x'], outputs: ['y'],
    }));
    const [a] = await m.run([[1, 2, 3, 4]]);
    expect(a!.shape).toEqual([1, 2, 2]);
    expect(nums(a!)).toEqual([1, 2, 3, 4]);
    const x3 = Array.from({ length: 12 }, (_, i) => i);
    const [b] = await m.run([{ data: x3, shape: [3, 4] }]);
    expect(b!.shape).toEqual([3, 2, 2]);
    expect(nums(b!)).toEqual(x3);
    expect(m.memory.foldedBytes).toBe(8 + 4 + 12);
  });
});
