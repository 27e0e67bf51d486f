/** parseModel on real models: structure, signatures, weights viewed in place or copied when misaligned. */
import { describe, expect, it } from 'vitest';
import { BuiltinOp, describeModel, loadModel, parseModel } from '../../../lite-runtime/index.js';
import { modelBytes, nums } from '../models/shared.js';

describe('parseModel', () => {
  it('reads hello_world_float: ops, tensors, signature', () => {
    const m = parseModel(modelBytes('hello_world_float.tflite'));
    expect(m.version).toBe(3);
    expect(m.subgraphs.length).toBe(1);
    const sg = m.subgraphs[0]!;
    expect(sg.operators.map((o) => o.code)).toEqual([BuiltinOp.FULLY_CONNECTED, BuiltinOp.FULLY_CONNECTED, BuiltinOp.FULLY_CONNECTED]);
    expect(sg.inputs).toEqual([0]);
    expect(sg.tensors[0]!.shapeSignature).toEqual([-1, 1]);
    expect(m.signatures).toEqual([{ key: 'serving_default', subgraph: 0, inputs: [{ name: 'dense_input', tensor: 0 }], outputs: [{ name: 'dense_2', tensor: 9 }] }]);
    expect(m.constBytes).toBe(1284);
  });

  it('reads per-channel quantization of person_detect (rank-1 bias axis normalized to 0)', () => {
    const sg = parseModel(modelBytes('person_detect.tflite')).subgraphs[0]!;
    const conv = sg.operators.find((o) => o.code === BuiltinOp.CONV_2D)!;
    const w = sg.tensors[conv.inputs[1]!]!;
    const b = sg.tensors[conv.inputs[2]!]!;
    expect(w.dtype).toBe('int8');
    expect(w.quant!.scale.length).toBe(w.shape[0]);
    expect(w.quant!.axis).toBe(0);
    expect(b.quant!.axis).toBe(0);
    expect(b.quant!.scale.length).toBe(b.shape[0]);
  });

  it('views aligned weights in place and copies misaligned ones', async () => {
    const bytes = modelBytes('hello_world_float.tflite');
    const aligned = parseModel(bytes).subgraphs[0]!.tensors.filter((t) => t.data);
    expect(aligned.every((t) => t.data!.buffer === bytes.buffer || t.data!.byteOffset % 4 !== 0)).toBe(true);
    expect(aligned.some((t) => t.data!.buffer === bytes.buffer)).toBe(true);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const copied = parseModel(shifted).subgraphs[0]!.tensors.filter((t) => t.data);
    expect(copied.every((t) => t.data!.buffer !== shifted.buffer)).toBe(true);
    copied.forEach((t, i) => expect(Array.from(t.data as Float32Array)).toEqual(Array.from(aligned[i]!.data as Float32Array)));
    const [a, b] = [await loadModel(bytes), await loadModel(shifted)];
    expect(nums((await b.run([[1.25]]))[0]!)).toEqual(nums((await a.run([[1.25]]))[0]!));
  });

  it('describes a model as text', () => {
    expect(describeModel(parseModel(modelBytes('hello_world_int8.tflite')))).toBe([
      "model v3 'MLIR Converted.': 1 subgraph(s), 420 bytes of constants",
      "subgraph 0 'main': 10 tensors, 3 operators",
      "  in  t0 'serving_default_dense_input:0' int8 [1, 1] sig [-1, 1] q(0.0244801, -128)",
      '  op0 FULLY_CONNECTED v4 (t0, t6, t5) -> (t7)',
      '  op1 FULLY_CONNECTED v4 (t7, t4, t3) -> (t8)',
      '  op2 FULLY_CONNECTED v4 (t8, t2, t1) -> (t9)',
      "  out t9 'StatefulPartitionedCall:0' int8 [1, 1] sig [-1, 1] q(0.00829096, 5)",
      "signature 'serving_default' subgraph 0: (dense_input=t0) -> (dense_2=t9)",
    ].join('\n'));
  });
});
