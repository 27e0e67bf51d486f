/**
 * ModelDesc -> `.tflite` bytes (schema v3, file identifier "TFL3"), built with the
 * `flatbuffers` package's Builder and the schema's field ids. Buffer 0 is the empty
 * sentinel; every constant gets its own buffer, 16-byte aligned in the file.
 */
import { Builder } from 'flatbuffers';
import * as S from '../../lite-runtime/format/schema.js';
import type { BuiltinOpName } from '../../lite-runtime/format/schema.js';
import { tensorBytes } from './data.js';
import { fmtShape } from '../../lite-runtime/errors.js';
import { TfliteWriteError } from './errors.js';
import { optionsTableOf, type OptionKind } from './options.js';
import type { ModelDesc, OperatorDesc, SignatureDefDesc, SubgraphDesc, TensorDesc, TensorRef } from './types.js';

type Offset = number;

/** Resolves TensorRefs of one subgraph. */
class TensorIndex {
  private readonly byName = new Map<string, number>();
  constructor(private readonly sg: SubgraphDesc) {
    sg.tensors.forEach((t, i) => this.byName.set(t.name, this.byName.has(t.name) ? -2 : i));
  }
  resolve(ref: TensorRef, what: string, allowOmitted = false): number {
    if (typeof ref === 'number') {
      if (ref === -1 && allowOmitted) return -1;
      if (!Number.isInteger(ref) || ref < 0 || ref >= this.sg.tensors.length) {
        throw new TfliteWriteError(`${what}: tensor index ${ref} out of range [0, ${this.sg.tensors.length})`);
      }
      return ref;
    }
    const i = this.byName.get(ref);
    if (i === undefined) throw new TfliteWriteError(`${what}: '${ref}' is not a tensor name`);
    if (i === -2) throw new TfliteWriteError(`${what}: tensor name '${ref}' is ambiguous (used twice)`);
    return i;
  }
}

function int32Vector(b: Builder, v: ArrayLike<number>): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]!);
  return b.endVector();
}

function float32Vector(b: Builder, v: ArrayLike<number>): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]!);
  return b.endVector();
}

function int64Vector(b: Builder, v: ArrayLike<number>): Offset {
  b.startVector(8, v.length, 8);
  for (let i = v.length - 1; i >= 0; i--) b.addInt64(BigInt(v[i]!));
  return b.endVector();
}

function offsetVector(b: Builder, v: readonly Offset[]): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]!);
  return b.endVector();
}

/** A [ubyte] vector whose first byte lands on a 16-byte boundary of the file. */
function alignedBytes(b: Builder, bytes: Uint8Array): Offset {
  // padding so that the data starts 16-byte aligned, then the bytes in one copy
  b.prep(16, bytes.length);
  return b.createByteVector(bytes);
}

function isIntIn(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

function enumValue(table: Readonly<Record<string, number>>, v: unknown, where: string, what: string): number {
  if (typeof v === 'string' && Object.hasOwn(table, v)) return table[v]!;
  throw new TfliteWriteError(`${where}: ${what} must be one of ${Object.keys(table).join('|')}, got ${JSON.stringify(v)}`);
}

/** Serializes one op's options table; returns [unionType, offset] (0, 0 when the op has none). */
function writeOptions(b: Builder, op: OperatorDesc, where: string): [number, Offset] {
  const spec = optionsTableOf(op.op);
  if (op.options === null) return [0, 0];
  const given = (op.options ?? {}) as Record<string, unknown>;
  if (!spec) {
    const keys = Object.keys(given);
    if (keys.length) throw new TfliteWriteError(`${where}: ${op.op} takes no options, got ${keys.join(', ')}`);
    return [0, 0];
  }
  const fields: [number, OptionKind, unknown, string][] = [];
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const kind = spec.kinds[key];
    if (!kind) throw new TfliteWriteError(`${where}: unknown option '${key}' (${op.op} takes ${Object.keys(spec.kinds).join(', ') || 'none'})`);
    fields.push([spec.ids[key]!, kind, value, key]);
  }
  fields.sort((a, b) => a[0] - b[0]); // same bytes whatever the key order
  const vectors = new Map<number, Offset>();
  for (const [id, kind, value, key] of fields) {
    if (kind !== 'i32[]') continue;
    if (!Array.isArray(value) || !value.every((x) => isIntIn(x, -(2 ** 31), 2 ** 31 - 1))) {
      throw new TfliteWriteError(`${where}: option ${key} must be an int32 array`);
    }
    vectors.set(id, int32Vector(b, value));
  }
  const numFields = Math.max(0, ...Object.values(spec.ids)) + 1;
  b.startObject(numFields);
  for (const [id, kind, value, key] of fields) {
    const what = `option ${key}`;
    switch (kind) {
      case 'bool':
        if (typeof value !== 'boolean') throw new TfliteWriteError(`${where}: ${what} must be a boolean`);
        b.addFieldInt8(id, value ? 1 : 0, null); break;
      case 'i32': case 'u32':
        if (!isIntIn(value, kind === 'i32' ? -(2 ** 31) : 0, kind === 'i32' ? 2 ** 31 - 1 : 2 ** 32 - 1)) {
          throw new TfliteWriteError(`${where}: ${what} must be an ${kind === 'i32' ? 'int32' : 'uint32'}, got ${JSON.stringify(value)}`);
        }
        b.addFieldInt32(id, value | 0, null); break;
      case 'f32':
        if (typeof value !== 'number') throw new TfliteWriteError(`${where}: ${what} must be a number`);
        b.addFieldFloat32(id, value, null); break;
      case 'u8':
        if (!isIntIn(value, 0, 255)) throw new TfliteWriteError(`${where}: ${what} must be a uint8`);
        b.addFieldInt8(id, value, null); break;
      case 'padding': b.addFieldInt8(id, enumValue(S.Padding, value, where, what), null); break;
      case 'act': b.addFieldInt8(id, enumValue(S.Activation, value, where, what), null); break;
      case 'dtype': b.addFieldInt8(id, enumValue(S.DTYPE_TO_TENSOR_TYPE, value, where, what), null); break;
      case 'i32[]': b.addFieldOffset(id, vectors.get(id)!, 0); break;
    }
  }
  return [S.BuiltinOptionsType[spec.type], b.endObject()];
}

function checkShape(shape: readonly number[], where: string, what: string, allowDynamic: boolean): void {
  if (!Array.isArray(shape)) throw new TfliteWriteError(`${where}: ${what} must be an array`);
  for (const d of shape) {
    if (!isIntIn(d, allowDynamic ? -1 : 0, 2 ** 31 - 1)) {
      throw new TfliteWriteError(`${where}: ${what} ${fmtShape(shape)} has a bad dimension ${d}`);
    }
  }
}

function writeQuant(b: Builder, t: TensorDesc, where: string): Offset {
  const q = t.quant!;
  const n = q.scale.length;
  if (n === 0 || q.zeroPoint.length !== n) {
    throw new TfliteWriteError(`${where}: quantization needs as many zero points as scales (>= 1), got ${n} scales, ${q.zeroPoint.length} zero points`);
  }
  const axis = q.axis ?? 0;
  if (n > 1 && (!isIntIn(axis, 0, t.shape.length - 1) || t.shape[axis] !== n)) {
    throw new TfliteWriteError(`${where}: ${n} per-channel scales need axis with that many channels; shape ${fmtShape(t.shape)}, axis ${q.axis}`);
  }
  const min = q.min ? float32Vector(b, q.min) : 0;
  const max = q.max ? float32Vector(b, q.max) : 0;
  const scale = float32Vector(b, q.scale);
  const zp = int64Vector(b, q.zeroPoint);
  b.startObject(7);
  if (min) b.addFieldOffset(S.QuantizationField.min, min, 0);
  if (max) b.addFieldOffset(S.QuantizationField.max, max, 0);
  b.addFieldOffset(S.QuantizationField.scale, scale, 0);
  b.addFieldOffset(S.QuantizationField.zero_point, zp, 0);
  b.addFieldInt32(S.QuantizationField.quantized_dimension, axis, 0);
  return b.endObject();
}

interface Shared {
  b: Builder;
  /** Buffer index per [subgraph][tensor] (0 = none). */
  bufferOf: number[][];
  opcodes: Map<string, number>;
  opcodeList: { code: number; version: number }[];
}

function writeTensor(sh: Shared, t: TensorDesc, buffer: number, where: string): Offset {
  const { b } = sh;
  if (!(t.dtype in S.DTYPE_TO_TENSOR_TYPE)) throw new TfliteWriteError(`${where}: unknown dtype '${String(t.dtype)}'`);
  checkShape(t.shape, where, 'shape', false);
  if (t.shapeSignature) {
    checkShape(t.shapeSignature, where, 'shapeSignature', true);
    if (t.shapeSignature.length !== t.shape.length) {
      throw new TfliteWriteError(`${where}: shapeSignature ${fmtShape(t.shapeSignature)} and shape ${fmtShape(t.shape)} differ in rank`);
    }
  }
  const name = b.createString(t.name);
  const shape = int32Vector(b, t.shape);
  const sig = t.shapeSignature ? int32Vector(b, t.shapeSignature) : 0;
  const quant = t.quant ? writeQuant(b, t, where) : 0;
  b.startObject(10);
  b.addFieldOffset(S.TensorField.shape, shape, 0);
  b.addFieldInt8(S.TensorField.type, S.DTYPE_TO_TENSOR_TYPE[t.dtype], null);
  b.addFieldInt32(S.TensorField.buffer, buffer, 0);
  b.addFieldOffset(S.TensorField.name, name, 0);
  if (quant) b.addFieldOffset(S.TensorField.quantization, quant, 0);
  if (t.isVariable) b.addFieldInt8(S.TensorField.is_variable, 1, 0);
  if (sig) b.addFieldOffset(S.TensorField.shape_signature, sig, 0);
  b.addFieldInt8(S.TensorField.has_rank, 1, 0);
  return b.endObject();
}

function writeOperator(sh: Shared, op: OperatorDesc, idx: TensorIndex, nSubgraphs: number, where: string): Offset {
  const { b } = sh;
  if (typeof op.op !== 'string' || !Object.hasOwn(S.BuiltinOp, op.op)) {
    throw new TfliteWriteError(`${where}: unknown builtin op ${JSON.stringify(op.op)}`);
  }
  const w = `${where} (${op.op})`;
  const version = op.version ?? 1;
  if (!isIntIn(version, 1, 2 ** 31 - 1)) throw new TfliteWriteError(`${w}: version must be a positive integer`);
  const code = S.BuiltinOp[op.op as BuiltinOpName];
  const key = `${code}/${version}`;
  let opcodeIndex = sh.opcodes.get(key);
  if (opcodeIndex === undefined) {
    opcodeIndex = sh.opcodeList.length;
    sh.opcodes.set(key, opcodeIndex);
    sh.opcodeList.push({ code, version });
  }
  const opts = op.options as Record<string, unknown> | undefined;
  for (const k of ['then_subgraph_index', 'else_subgraph_index', 'cond_subgraph_index', 'body_subgraph_index']) {
    const v = opts?.[k];
    if (v !== undefined && !isIntIn(v, 0, nSubgraphs - 1)) throw new TfliteWriteError(`${w}: ${k} ${String(v)} is not a subgraph index`);
  }
  const inputs = op.inputs.map((r, i) => idx.resolve(r, `${w} input ${i}`, true));
  const outputs = op.outputs.map((r, i) => idx.resolve(r, `${w} output ${i}`));
  const inter = op.intermediates?.map((r, i) => idx.resolve(r, `${w} intermediate ${i}`));
  const [optType, optOff] = writeOptions(b, op, w);
  const inV = int32Vector(b, inputs);
  const outV = int32Vector(b, outputs);
  const interV = inter ? int32Vector(b, inter) : 0;
  b.startObject(13);
  b.addFieldInt32(S.OperatorField.opcode_index, opcodeIndex, null);
  b.addFieldOffset(S.OperatorField.inputs, inV, 0);
  b.addFieldOffset(S.OperatorField.outputs, outV, 0);
  if (optType) {
    b.addFieldInt8(S.OperatorField.builtin_options_type, optType, 0);
    b.addFieldOffset(S.OperatorField.builtin_options, optOff, 0);
  }
  if (interV) b.addFieldOffset(S.OperatorField.intermediates, interV, 0);
  return b.endObject();
}

/**
 * Execution order: every operator input is a constant, a variable, a subgraph input or
 * an earlier operator's output, and no tensor is produced twice (what any runtime needs).
 */
function checkOrder(sg: SubgraphDesc, idx: TensorIndex, where: string): void {
  const ready = new Set<number>(sg.inputs.map((r, i) => idx.resolve(r, `${where} input ${i}`)));
  sg.tensors.forEach((t, i) => { if (t.data !== undefined || t.isVariable) ready.add(i); });
  const produced = new Set<number>();
  sg.operators.forEach((op, k) => {
    const w = `${where} operator ${k} (${op.op})`;
    op.inputs.forEach((r, i) => {
      const t = idx.resolve(r, `${w} input ${i}`, true);
      if (t >= 0 && !ready.has(t)) {
        throw new TfliteWriteError(`${w} input ${i}: tensor ${t} '${sg.tensors[t]!.name}' is not a constant, variable, subgraph input or earlier output`);
      }
    });
    op.outputs.forEach((r, i) => {
      const t = idx.resolve(r, `${w} output ${i}`);
      if (produced.has(t) || sg.tensors[t]!.data !== undefined) {
        throw new TfliteWriteError(`${w} output ${i}: tensor ${t} '${sg.tensors[t]!.name}' is already ${produced.has(t) ? 'produced by an earlier operator' : 'a constant'}`);
      }
      produced.add(t);
      ready.add(t);
    });
  });
}

function writeSubgraph(sh: Shared, sg: SubgraphDesc, s: number, nSubgraphs: number): Offset {
  const { b } = sh;
  const where = `subgraph ${s}`;
  const idx = new TensorIndex(sg);
  checkOrder(sg, idx, where);
  const tensors = sg.tensors.map((t, i) => writeTensor(sh, t, sh.bufferOf[s]![i]!, `${where} tensor ${i} '${t.name}'`));
  const ops = sg.operators.map((op, i) => writeOperator(sh, op, idx, nSubgraphs, `${where} operator ${i}`));
  const inputs = int32Vector(b, sg.inputs.map((r, i) => idx.resolve(r, `${where} input ${i}`)));
  const outputs = int32Vector(b, sg.outputs.map((r, i) => idx.resolve(r, `${where} output ${i}`)));
  const tensorsV = offsetVector(b, tensors);
  const opsV = offsetVector(b, ops);
  const name = sg.name !== undefined ? b.createString(sg.name) : 0;
  b.startObject(5);
  b.addFieldOffset(S.SubGraphField.tensors, tensorsV, 0);
  b.addFieldOffset(S.SubGraphField.inputs, inputs, 0);
  b.addFieldOffset(S.SubGraphField.outputs, outputs, 0);
  b.addFieldOffset(S.SubGraphField.operators, opsV, 0);
  if (name) b.addFieldOffset(S.SubGraphField.name, name, 0);
  return b.endObject();
}

function writeBuffer(b: Builder, data: Uint8Array | null): Offset {
  const v = data ? alignedBytes(b, data) : 0;
  b.startObject(3);
  if (v) b.addFieldOffset(S.BufferField.data, v, 0);
  return b.endObject();
}

/**
 * Writes a model description as a `.tflite` FlatBuffer.
 *
 * ```ts
 * const bytes = writeTflite({
 *   tensors: [{ name: 'x', shape: [1, 3], dtype: 'float32' }, { name: 'y', shape: [1, 3], dtype: 'float32' }],
 *   operators: [{ op: 'RELU', inputs: ['x'], outputs: ['y'] }],
 *   inputs: ['x'], outputs: ['y'],
 * });
 * ```
 * Throws `TfliteWriteError` naming the subgraph/tensor/operator that is malformed.
 */
export function writeTflite(model: ModelDesc): Uint8Array {
  const subgraphs: SubgraphDesc[] = [model, ...(model.subgraphs ?? [])];
  // Buffers: 0 is the empty sentinel, then one per constant tensor, then metadata.
  const datas: (Uint8Array | null)[] = [null];
  const bufferOf = subgraphs.map((sg, s) => sg.tensors.map((t, i) => {
    if (t.data === undefined) return 0;
    datas.push(tensorBytes(t.data, t.dtype, t.shape, `subgraph ${s} tensor ${i} '${t.name}'`));
    return datas.length - 1;
  }));
  const metaBuffers = (model.metadata ?? []).map((m) => { datas.push(m.data); return datas.length - 1; });
  const total = datas.reduce((a, d) => a + (d ? d.byteLength + 16 : 0), 0);
  const b = new Builder(1024 + total + 256 * subgraphs.reduce((a, sg) => a + sg.tensors.length + sg.operators.length, 0));
  const sh: Shared = { b, bufferOf, opcodes: new Map(), opcodeList: [] };

  // Constant data goes first, so it ends up at the end of the file (as TFLite's converter lays it out).
  const buffers = datas.map((d) => writeBuffer(b, d));
  const sgOffsets = subgraphs.map((sg, s) => writeSubgraph(sh, sg, s, subgraphs.length));
  const opcodes = sh.opcodeList.map(({ code, version }) => {
    b.startObject(4);
    b.addFieldInt8(S.OperatorCodeField.deprecated_builtin_code, Math.min(code, S.BuiltinOp.PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
    b.addFieldInt32(S.OperatorCodeField.version, version, 1);
    b.addFieldInt32(S.OperatorCodeField.builtin_code, code, 0);
    return b.endObject();
  });
  const sigs = (model.signatureDefs ?? []).map((sd, k) => {
    const s = sd.subgraph ?? 0;
    if (!isIntIn(s, 0, subgraphs.length - 1)) throw new TfliteWriteError(`signature ${k} '${sd.key}': subgraph ${s} out of range`);
    const idx = new TensorIndex(subgraphs[s]!);
    const maps = (list: SignatureDefDesc['inputs'], what: string) => offsetVector(b, list.map((e) => {
      const t = idx.resolve(e.tensor, `signature ${k} '${sd.key}' ${what} '${e.name}'`);
      const n = b.createString(e.name);
      b.startObject(2);
      b.addFieldOffset(S.TensorMapField.name, n, 0);
      b.addFieldInt32(S.TensorMapField.tensor_index, t, null);
      return b.endObject();
    }));
    const ins = maps(sd.inputs, 'input');
    const outs = maps(sd.outputs, 'output');
    const key = b.createString(sd.key);
    b.startObject(5);
    b.addFieldOffset(S.SignatureDefField.inputs, ins, 0);
    b.addFieldOffset(S.SignatureDefField.outputs, outs, 0);
    b.addFieldOffset(S.SignatureDefField.signature_key, key, 0);
    b.addFieldInt32(S.SignatureDefField.subgraph_index, s, 0);
    return b.endObject();
  });
  const metas = (model.metadata ?? []).map((m, k) => {
    const n = b.createString(m.name);
    b.startObject(2);
    b.addFieldOffset(S.MetadataField.name, n, 0);
    b.addFieldInt32(S.MetadataField.buffer, metaBuffers[k]!, 0);
    return b.endObject();
  });
  const opcodesV = offsetVector(b, opcodes);
  const sgV = offsetVector(b, sgOffsets);
  const bufV = offsetVector(b, buffers);
  const sigV = sigs.length ? offsetVector(b, sigs) : 0;
  const metaV = metas.length ? offsetVector(b, metas) : 0;
  const desc = model.description !== undefined ? b.createString(model.description) : 0;
  b.startObject(8);
  b.addFieldInt32(S.ModelField.version, S.SCHEMA_VERSION, null);
  b.addFieldOffset(S.ModelField.operator_codes, opcodesV, 0);
  b.addFieldOffset(S.ModelField.subgraphs, sgV, 0);
  if (desc) b.addFieldOffset(S.ModelField.description, desc, 0);
  b.addFieldOffset(S.ModelField.buffers, bufV, 0);
  if (metaV) b.addFieldOffset(S.ModelField.metadata, metaV, 0);
  if (sigV) b.addFieldOffset(S.ModelField.signature_defs, sigV, 0);
  b.finish(b.endObject(), S.FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
