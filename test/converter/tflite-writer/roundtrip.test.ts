/**
 * Writer -> the runtime's own reader (lite-runtime/format) gives back the same model:
 * tensors (shape, dtype, data, quantization, signature), operators (codes, versions,
 * inputs, every option kind), subgraphs, signature defs; and bad descriptions fail
 * with a TfliteWriteError naming the place.
 */
import { describe, expect, it } from 'vitest';
import { parseModel } from '../../../lite-runtime/format/model.js';
import { BuiltinOp, BuiltinOptionsType, FILE_IDENTIFIER, Padding, Activation, DTYPE_TO_TENSOR_TYPE } from '../../../lite-runtime/format/schema.js';
import type { BuiltinOpName } from '../../../lite-runtime/format/schema.js';
import {
  OPTION_TABLES, OP_OPTIONS, TfliteWriteError, float16Bits, writeTflite,
  type ModelDesc, type OperatorDesc, type OptionKind,
} from '../../../converter/tflite-writer/index.js';

const f32 = (...v: number[]) => new Float32Array(v);

function richModel(): ModelDesc {
  return {
    description: 'round trip',
    tensors: [
      { name: 'x', shape: [1, 4, 4, 2], dtype: 'int8', shapeSignature: [-1, 4, 4, 2], quant: { scale: [0.05], zeroPoint: [-3] } },
      {
        name: 'w', shape: [3, 1, 1, 2], dtype: 'int8', data: [1, -2, 3, -4, 127, -128],
        quant: { scale: [0.1, 0.2, 0.3], zeroPoint: [0, 0, 0], axis: 0 },
      },
      { name: 'b', shape: [3], dtype: 'int32', data: [100, -200, 300], quant: { scale: [0.005, 0.01, 0.015], zeroPoint: [0, 0, 0], axis: 0 } },
      { name: 'y', shape: [1, 4, 4, 3], dtype: 'int8', quant: { scale: [0.07], zeroPoint: [5], min: [-9], max: [8.5] } },
      { name: 'shape', shape: [2], dtype: 'int32', data: [16, 3] },
      { name: 'r', shape: [16, 3], dtype: 'int8', quant: { scale: [0.07], zeroPoint: [5] } },
      { name: 'h', shape: [3], dtype: 'float16', data: [1, -2.5, 65504] },
      { name: 'big', shape: [2], dtype: 'int64', data: [-5, 7] },
      { name: 'state', shape: [1, 3], dtype: 'float32', data: f32(0, 0, 0), isVariable: true },
      { name: 'flag', shape: [], dtype: 'bool', data: [1] },
    ],
    operators: [
      {
        op: 'CONV_2D', inputs: ['x', 'w', 'b'], outputs: ['y'], version: 3,
        options: { padding: 'SAME', stride_w: 1, stride_h: 2, fused_activation_function: 'RELU6', dilation_w_factor: 1, dilation_h_factor: 3 },
      },
      { op: 'RESHAPE', inputs: ['y', 'shape'], outputs: ['r'], options: { new_shape: [16, 3] } },
    ],
    inputs: ['x'],
    outputs: [5],
    subgraphs: [{
      name: 'body',
      tensors: [{ name: 'a', shape: [2], dtype: 'float32' }, { name: 'c', shape: [2], dtype: 'float32' }],
      operators: [{ op: 'RELU', inputs: ['a'], outputs: ['c'] }],
      inputs: ['a'], outputs: ['c'],
    }],
    signatureDefs: [{ key: 'serving_default', inputs: [{ name: 'image', tensor: 'x' }], outputs: [{ name: 'logits', tensor: 'r' }] }],
  };
}

describe('tflite-writer round trip through the runtime reader', () => {
  const bytes = writeTflite(richModel());
  const m = parseModel(bytes);

  it('writes a TFL3 schema-v3 file with the empty sentinel buffer', () => {
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe(FILE_IDENTIFIER);
    expect(m.version).toBe(3);
    expect(m.description).toBe('round trip');
    expect(m.subgraphs).toHaveLength(2);
    expect(m.subgraphs[1]!.name).toBe('body');
    for (const t of m.subgraphs[0]!.tensors) if (t.data === null) expect(t.buffer).toBe(0);
  });

  it('gives back tensors: names, dtypes, shapes, data, quantization', () => {
    const want = richModel().tensors;
    const got = m.subgraphs[0]!.tensors;
    expect(got.map((t) => t.name)).toEqual(want.map((t) => t.name));
    expect(got.map((t) => t.dtype)).toEqual(want.map((t) => t.dtype));
    expect(got.map((t) => t.shape)).toEqual(want.map((t) => [...t.shape]));
    expect(got[0]!.shapeSignature).toEqual([-1, 4, 4, 2]);
    expect(got[1]!.shapeSignature).toBeNull();
    expect(Array.from(got[1]!.data as Int8Array)).toEqual([1, -2, 3, -4, 127, -128]);
    expect(Array.from(got[2]!.data as Int32Array)).toEqual([100, -200, 300]);
    expect(Array.from(got[4]!.data as Int32Array)).toEqual([16, 3]);
    expect(Array.from(got[6]!.data as Uint16Array)).toEqual([0x3c00, 0xc100, 0x7bff]);
    expect(Array.from(got[7]!.data as BigInt64Array)).toEqual([-5n, 7n]);
    expect(got[8]!.isVariable).toBe(true);
    expect(got[9]!.shape).toEqual([]);
    expect(Array.from(got[9]!.data as Uint8Array)).toEqual([1]);
    expect(got[0]!.data).toBeNull();
    const q0 = got[0]!.quant!;
    expect(Array.from(q0.scale)).toEqual([Math.fround(0.05)]);
    expect(Array.from(q0.zeroPoint)).toEqual([-3]);
    const q1 = got[1]!.quant!;
    expect(Array.from(q1.scale)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(q1.axis).toBe(0);
  });

  it('aligns every constant buffer to 16 bytes in the file', () => {
    const view = new Uint8Array(bytes); // fresh buffer, byteOffset 0
    const def = parseModel(view);
    let checked = 0;
    for (const t of def.subgraphs[0]!.tensors) {
      if (!t.data || t.data.buffer !== view.buffer) continue;
      expect(t.data.byteOffset % 16, t.name).toBe(0);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('gives back operators, codes, versions and options', () => {
    const ops = m.subgraphs[0]!.operators;
    expect(ops.map((o) => o.name)).toEqual(['CONV_2D', 'RESHAPE']);
    expect(ops[0]!.code).toBe(BuiltinOp.CONV_2D);
    expect(ops[0]!.version).toBe(3);
    expect(ops[0]!.inputs).toEqual([0, 1, 2]);
    expect(ops[0]!.outputs).toEqual([3]);
    expect(ops[0]!.optionsType).toBe(BuiltinOptionsType.Conv2D);
    const o = ops[0]!.options!;
    expect(o.i8(0, -1)).toBe(Padding.SAME);
    expect(o.i32(1, 0)).toBe(1);
    expect(o.i32(2, 0)).toBe(2);
    expect(o.i8(3, -1)).toBe(Activation.RELU6);
    expect(o.i32(5, 1)).toBe(3);
    expect(Array.from(ops[1]!.options!.i32Vector(0)!)).toEqual([16, 3]);
    expect(m.subgraphs[1]!.operators[0]!.options).toBeNull();
    expect(m.opCodes.map((c) => [c.name, c.version])).toEqual([['CONV_2D', 3], ['RESHAPE', 1], ['RELU', 1]]);
  });

  it('gives back subgraph I/O and signature defs', () => {
    expect(m.subgraphs[0]!.inputs).toEqual([0]);
    expect(m.subgraphs[0]!.outputs).toEqual([5]);
    expect(m.signatures).toEqual([{
      key: 'serving_default', subgraph: 0,
      inputs: [{ name: 'image', tensor: 0 }], outputs: [{ name: 'logits', tensor: 5 }],
    }]);
  });

  it('writes op codes above 127 in builtin_code (GELU) and optional inputs as -1', () => {
    const t = (name: string) => ({ name, shape: [2, 2], dtype: 'float32' as const });
    const def = parseModel(writeTflite({
      tensors: [t('a'), t('b'), { name: 'w', shape: [2, 2], dtype: 'float32', data: f32(1, 2, 3, 4) }, t('c')],
      operators: [
        { op: 'GELU', inputs: ['a'], outputs: ['b'], options: { approximate: true } },
        { op: 'FULLY_CONNECTED', inputs: ['b', 'w', -1], outputs: ['c'] },
      ],
      inputs: ['a'], outputs: ['c'],
    }));
    expect(def.opCodes[0]!.code).toBe(BuiltinOp.GELU);
    expect(def.subgraphs[0]!.operators[0]!.options!.bool(0, false)).toBe(true);
    expect(def.subgraphs[0]!.operators[1]!.inputs).toEqual([1, 2, -1]);
  });
});

/** A non-default value of each kind, and how to read it back. */
const SAMPLE: Record<OptionKind, [unknown, (o: NonNullable<ReturnType<typeof parseModel>['subgraphs'][0]['operators'][0]['options']>, id: number) => unknown, unknown]> = {
  bool: [true, (o, id) => o.bool(id, false), true],
  i32: [-7, (o, id) => o.i32(id, 0), -7],
  u32: [9, (o, id) => o.i32(id, 0), 9],
  f32: [0.375, (o, id) => o.f32(id, 0), 0.375],
  'i32[]': [[3, -1, 2], (o, id) => Array.from(o.i32Vector(id) ?? []), [3, -1, 2]],
  padding: ['VALID', (o, id) => o.i8(id, -1), Padding.VALID],
  act: ['TANH', (o, id) => o.i8(id, -1), Activation.TANH],
  dtype: ['int8', (o, id) => o.i8(id, -1), DTYPE_TO_TENSOR_TYPE.int8],
  u8: [1, (o, id) => o.u8(id, 0), 1],
};

describe('every option of every op the writer knows', () => {
  for (const [op, table] of Object.entries(OP_OPTIONS) as [BuiltinOpName, keyof typeof OPTION_TABLES][]) {
    it(op, () => {
      const spec = OPTION_TABLES[table];
      const kinds = spec.kinds as Record<string, OptionKind>;
      const ids = spec.ids as Record<string, number>;
      const subgraphRef = (k: string) => k.endsWith('_subgraph_index');
      const options = Object.fromEntries(Object.entries(kinds).map(([k, kind]) => [k, subgraphRef(k) ? 1 : SAMPLE[kind][0]]));
      const x = { name: 'x', shape: [1], dtype: 'float32' as const };
      const desc = {
        tensors: [x, { ...x, name: 'y' }], operators: [{ op, inputs: ['x'], outputs: ['y'], options } as OperatorDesc],
        inputs: ['x'], outputs: ['y'],
        subgraphs: [{ tensors: [x], operators: [], inputs: ['x'], outputs: ['x'] }],
      };
      const def = parseModel(writeTflite(desc));
      const o = def.subgraphs[0]!.operators[0]!;
      expect(o.code).toBe(BuiltinOp[op]);
      expect(o.optionsType).toBe(BuiltinOptionsType[spec.type]);
      expect(o.options).not.toBeNull();
      for (const [k, kind] of Object.entries(kinds)) {
        expect(SAMPLE[kind][1](o.options!, ids[k]!), k).toEqual(subgraphRef(k) ? 1 : SAMPLE[kind][2]);
      }
    });
  }
});

describe('bad descriptions fail with a TfliteWriteError naming the place', () => {
  const base = (): ModelDesc => ({
    tensors: [{ name: 'x', shape: [1, 2], dtype: 'float32' }, { name: 'y', shape: [1, 2], dtype: 'float32' }],
    operators: [{ op: 'RELU', inputs: ['x'], outputs: ['y'] }],
    inputs: ['x'], outputs: ['y'],
  });
  const bad = (patch: (m: ModelDesc) => ModelDesc, msg: RegExp) => {
    let err: unknown;
    try { writeTflite(patch(base())); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TfliteWriteError);
    expect(String((err as Error).message)).toMatch(msg);
  };
  it('unknown tensor name / index', () => {
    bad((m) => ({ ...m, operators: [{ op: 'RELU', inputs: ['z'], outputs: ['y'] }] }), /operator 0 \(RELU\) input 0: 'z' is not a tensor name/);
    bad((m) => ({ ...m, outputs: [7] }), /subgraph 0 output 0: tensor index 7 out of range/);
  });
  it('unknown op, unknown option, wrong option type', () => {
    bad((m) => ({ ...m, operators: [{ op: 'NOPE', inputs: ['x'], outputs: ['y'] } as unknown as OperatorDesc] }), /unknown builtin op "NOPE"/);
    bad((m) => ({ ...m, operators: [{ op: 'SOFTMAX', inputs: ['x'], outputs: ['y'], options: { alpha: 1 } } as unknown as OperatorDesc] }), /unknown option 'alpha'.*beta/);
    bad((m) => ({ ...m, operators: [{ op: 'CONV_2D', inputs: ['x'], outputs: ['y'], options: { padding: 'FULL' } } as unknown as OperatorDesc] }), /padding must be one of SAME\|VALID/);
    bad((m) => ({ ...m, operators: [{ op: 'RELU', inputs: ['x'], outputs: ['y'], options: { beta: 1 } } as unknown as OperatorDesc] }), /RELU takes no options/);
    bad((m) => ({ ...m, operators: [{ op: 'RESHAPE', inputs: ['x'], outputs: ['y'], options: { new_shape: [1.5] } } as unknown as OperatorDesc] }), /\(RESHAPE\): option new_shape must be an int32 array/);
  });
  it('data that does not fit the shape or dtype', () => {
    bad((m) => ({ ...m, tensors: [...m.tensors, { name: 'c', shape: [2, 3], dtype: 'float32', data: f32(1, 2) }] }), /tensor 2 'c': data holds 8 bytes, shape \[2, 3\] float32 needs 24/);
    bad((m) => ({ ...m, tensors: [...m.tensors, { name: 'c', shape: [2], dtype: 'int8', data: [1, 300] }] }), /element 1 = 300 is not a int8 value/);
    bad((m) => ({ ...m, tensors: [...m.tensors, { name: 'c', shape: [8], dtype: 'int8', data: new Float32Array(2) }] }), /Float32Array data for a int8 tensor/);
  });
  it('bad shapes and quantization', () => {
    bad((m) => ({ ...m, tensors: [{ name: 'x', shape: [1, -2], dtype: 'float32' }, m.tensors[1]!] }), /tensor 0 'x': shape \[1, -2\] has a bad dimension -2/);
    bad((m) => ({ ...m, tensors: [{ ...m.tensors[0]!, shapeSignature: [-1] }, m.tensors[1]!] }), /differ in rank/);
    bad((m) => ({ ...m, tensors: [{ ...m.tensors[0]!, dtype: 'int8', quant: { scale: [1, 2, 3], zeroPoint: [0, 0, 0], axis: 1 } }, m.tensors[1]!] }), /3 per-channel scales need axis/);
    bad((m) => ({ ...m, tensors: [{ ...m.tensors[0]!, dtype: 'int8', quant: { scale: [1], zeroPoint: [] } }, m.tensors[1]!] }), /as many zero points as scales/);
  });
  it('operators out of execution order, tensors produced twice', () => {
    const t = (name: string) => ({ name, shape: [2], dtype: 'float32' as const });
    bad(() => ({
      tensors: [t('x'), t('a'), t('b')],
      operators: [{ op: 'RELU', inputs: ['a'], outputs: ['b'] }, { op: 'RELU', inputs: ['x'], outputs: ['a'] }],
      inputs: ['x'], outputs: ['b'],
    }), /operator 0 \(RELU\) input 0: tensor 1 'a' is not a constant, variable, subgraph input or earlier output/);
    bad(() => ({
      tensors: [t('x'), t('a')],
      operators: [{ op: 'RELU', inputs: ['x'], outputs: ['a'] }, { op: 'TANH', inputs: ['x'], outputs: ['a'] }],
      inputs: ['x'], outputs: ['a'],
    }), /operator 1 \(TANH\) output 0: tensor 1 'a' is already produced by an earlier operator/);
  });
  it('subgraph references out of range', () => {
    bad((m) => ({ ...m, operators: [{ op: 'WHILE', inputs: ['x'], outputs: ['y'], options: { cond_subgraph_index: 1, body_subgraph_index: 2 } }] }), /cond_subgraph_index 1 is not a subgraph index/);
  });
});

describe('float16Bits', () => {
  it('rounds to nearest even and handles subnormals, overflow, NaN', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(2 ** -26)).toBe(0);
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float16Bits(NaN) & 0x3ff).not.toBe(0);
    expect(float16Bits(-0)).toBe(0x8000);
  });
});
