import { describe, expect, it } from 'vitest';
import { convert, OnnxFormatError, UnsupportedOpsError } from '../../converter/index.js';
import { onnxTypes } from '../../training/onnx/proto.js';

/** A tiny ONNX model: x -> ops in sequence -> y (float [1, 4]). */
function model(ops: string[], opset = 17): Uint8Array {
  const { ModelProto } = onnxTypes();
  const node = ops.map((op, i) => ({ name: `n${i}`, op_type: op, input: [i === 0 ? 'x' : `t${i - 1}`], output: [i === ops.length - 1 ? 'y' : `t${i}`], attribute: [] }));
  const vi = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 4 }] } } } });
  return ModelProto.encode(ModelProto.fromObject({
    ir_version: 8, opset_import: [{ domain: '', version: opset }],
    graph: { name: 'g', node, initializer: [], input: [vi('x')], output: [vi('y')] },
  })).finish();
}

describe('converter errors', () => {
  it('malformed bytes are an OnnxFormatError', async () => {
    await expect(convert(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toBeInstanceOf(OnnxFormatError);
  });

  it('an opset out of range is an OnnxFormatError naming it', async () => {
    await expect(convert(model(['Relu'], 9))).rejects.toThrow(/opset 9 is not supported \(11 to 22\)/);
  });

  it('every unsupported op is listed at once, with node, opset and the closest alternative', async () => {
    const err = await convert(model(['Relu', 'Resize', 'TopK', 'Einsum'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOpsError);
    const ops = (err as UnsupportedOpsError).ops;
    expect(ops.map((o) => [o.opType, o.node, o.opset])).toEqual([['Resize', 'n1', 17], ['TopK', 'n2', 17], ['Einsum', 'n3', 17]]);
    expect((err as Error).message).toMatch(/Einsum \(node 'n3', opset 17\): no import rule; closest supported: MatMul with Transpose/);
  });

  it('a simple chain converts and runs', async () => {
    const out = await convert(model(['Relu', 'Sigmoid', 'Neg']));
    expect(out.report.opsAfter).toEqual({ RELU: 1, LOGISTIC: 1, NEG: 1 });
  });
});
