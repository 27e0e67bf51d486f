/**
 * Parses and validates a TFLite model (schema v3) into plain objects.
 *
 * Validation, all at parse time, each failure a `ModelFormatError` naming what and where:
 * - file identifier must be 'TFL3' (files without one are rejected: every TFLite
 *   writer since schema v3 sets it, and it is what tells a model from random bytes),
 *   Model.version must be 3, at least one subgraph;
 * - every offset bounds-checked (reader.ts); tensor, buffer, opcode, subgraph indices in range;
 * - shapes: rank <= 16, dims >= 0, byte size <= `maxTensorBytes`; quantization arrays consistent;
 * - constant buffers at least as long as their tensor needs;
 * - operators topologically ordered: each input is a constant, a variable, a subgraph
 *   input or the output of an earlier operator; each tensor written at most once;
 * - control-flow subgraph references (IF, WHILE, CALL_ONCE) in range and acyclic.
 * Constant data views the model bytes in place when aligned, and is copied when not.
 *
 * ```ts
 * const model = parseModel(bytes);
 * model.subgraphs[0].operators[0].code; // e.g. BuiltinOp.CONV_2D
 * ```
 */
import type { LiteDType, Quantization, TypedArray } from '../ops/op.js';
import { ModelFormatError, fmtShape } from './errors.js';
import { FbReader, type FbTable } from './reader.js';
import {
  BufferField, BuiltinOp, BuiltinOptionsType, CallOnceOptions, FILE_IDENTIFIER, IfOptions, ModelField,
  OperatorCodeField, OperatorField, QuantizationField, SCHEMA_VERSION, SignatureDefField, SubGraphField,
  TENSOR_TYPE_TO_DTYPE, TensorField, TensorMapField, WhileOptions, effectiveOpCode, opName, tensorTypeName,
} from './schema.js';
import { elemBytes, viewOrCopy } from './typed.js';

export interface OpCodeDef {
  code: number;
  /** Builtin name, or the custom code for CUSTOM ops. */
  name: string;
  customCode: string | null;
  version: number;
}

export interface TensorDef {
  index: number;
  name: string;
  dtype: LiteDType;
  shape: number[];
  /** Shape with -1 for dynamic dims, when the model has one. */
  shapeSignature: number[] | null;
  buffer: number;
  /** Constant data (a view into the model bytes when aligned); null for activations. */
  data: TypedArray | null;
  quant: Quantization | null;
  isVariable: boolean;
}

export interface OperatorDef {
  index: number;
  opcodeIndex: number;
  code: number;
  name: string;
  version: number;
  /** Tensor indices; -1 marks a missing optional input. */
  inputs: number[];
  outputs: number[];
  intermediates: number[];
  optionsType: number;
  options: FbTable | null;
  /** Subgraphs this op calls (IF, WHILE, CALL_ONCE). */
  calls: number[];
}

export interface SubgraphDef {
  index: number;
  name: string;
  tensors: TensorDef[];
  inputs: number[];
  outputs: number[];
  operators: OperatorDef[];
}

export interface TensorMapDef {
  name: string;
  tensor: number;
}

export interface SignatureDef {
  key: string;
  subgraph: number;
  inputs: TensorMapDef[];
  outputs: TensorMapDef[];
}

export interface ModelDef {
  version: number;
  description: string;
  opCodes: OpCodeDef[];
  subgraphs: SubgraphDef[];
  signatures: SignatureDef[];
  /** Bytes of constant data (weights) the model holds. */
  constBytes: number;
}

export interface ParseLimits {
  /** Largest tensor, in bytes (default 1 GiB). */
  maxTensorBytes?: number;
}

const MAX_RANK = 16;
/** Deepest chain of control-flow subgraph calls. */
export const MAX_NESTING = 32;
const DEFAULT_MAX_TENSOR_BYTES = 1 << 30;

/**
 * Parses `bytes` into a validated `ModelDef`; throws `ModelFormatError` on any defect.
 *
 * ```ts
 * const def = parseModel(new Uint8Array(readFileSync('m.tflite')));
 * ```
 */
export function parseModel(bytes: Uint8Array, limits: ParseLimits = {}): ModelDef {
  const maxTensorBytes = limits.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES;
  const r = new FbReader(bytes);
  const ident = r.identifier();
  if (ident !== FILE_IDENTIFIER) {
    throw new ModelFormatError(
      `file identifier is ${JSON.stringify(ident)}, expected "${FILE_IDENTIFIER}" (not a TFLite model, or truncated)`);
  }
  const root = r.root('Model');
  const version = root.u32(ModelField.version, 0);
  if (version !== SCHEMA_VERSION) {
    throw new ModelFormatError(`Model.version is ${version}, only schema version ${SCHEMA_VERSION} is supported`);
  }
  const opCodes = root.tables(ModelField.operator_codes, (i) => `operator code ${i}`).map(readOpCode);
  const bufferTables = root.tables(ModelField.buffers, (i) => `buffer ${i}`);
  const buffers = bufferTables.map((t, i) => readBuffer(r, t, i));
  const sgTables = root.tables(ModelField.subgraphs, (i) => `subgraph ${i}`);
  if (sgTables.length === 0) throw new ModelFormatError('model has no subgraphs');
  let constBytes = 0;
  const subgraphs = sgTables.map((t, si) => {
    const sg = readSubgraph(t, si, buffers, opCodes, maxTensorBytes, sgTables.length);
    for (const tensor of sg.tensors) if (tensor.data) constBytes += tensor.data.byteLength;
    return sg;
  });
  checkCallGraph(subgraphs);
  const signatures = root.tables(ModelField.signature_defs, (i) => `signature ${i}`)
    .map((t, i) => readSignature(t, i, subgraphs));
  return {
    version,
    description: root.str(ModelField.description) ?? '',
    opCodes,
    subgraphs,
    signatures,
    constBytes,
  };
}

function readOpCode(t: FbTable): OpCodeDef {
  const code = effectiveOpCode(t.i8(OperatorCodeField.deprecated_builtin_code, 0), t.i32(OperatorCodeField.builtin_code, 0));
  const customCode = t.str(OperatorCodeField.custom_code);
  const name = code === BuiltinOp.CUSTOM ? `CUSTOM:${customCode ?? ''}` : opName(code);
  return { code, name, customCode, version: t.i32(OperatorCodeField.version, 1) };
}

function readBuffer(r: FbReader, t: FbTable, i: number): Uint8Array | null {
  const offset = t.u64(BufferField.offset, 0);
  if (offset > 1) {
    const size = t.u64(BufferField.size, 0);
    if (offset + size > r.length) {
      throw new ModelFormatError(`buffer ${i}: external data [${offset}, ${offset + size}) lies outside the ${r.length}-byte model`);
    }
    return r.bytes.subarray(offset, offset + size);
  }
  const data = t.bytes(BufferField.data);
  return data && data.length > 0 ? data : null;
}

function readSubgraph(
  t: FbTable, si: number, buffers: (Uint8Array | null)[], opCodes: OpCodeDef[], maxTensorBytes: number, nSubgraphs: number,
): SubgraphDef {
  const tensors = t.tables(SubGraphField.tensors, (i) => `subgraph ${si} tensor ${i}`)
    .map((tt, i) => readTensor(tt, si, i, buffers, maxTensorBytes));
  const where = `subgraph ${si}`;
  const inputs = indexList(t.i32Vector(SubGraphField.inputs), tensors.length, `${where} inputs`, false);
  const outputs = indexList(t.i32Vector(SubGraphField.outputs), tensors.length, `${where} outputs`, false);
  const operators = t.tables(SubGraphField.operators, (i) => `${where} operator ${i}`)
    .map((ot, i) => readOperator(ot, si, i, tensors.length, opCodes, nSubgraphs));
  const sg: SubgraphDef = { index: si, name: t.str(SubGraphField.name) ?? '', tensors, inputs, outputs, operators };
  checkOrder(sg);
  return sg;
}

function indexList(v: Int32Array | null, n: number, where: string, allowMissing: boolean): number[] {
  const out: number[] = [];
  if (v === null) return out;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!(x >= 0 && x < n) && !(allowMissing && x === -1)) {
      throw new ModelFormatError(`${where}[${i}] = ${x} is not a tensor index (subgraph has ${n} tensors)`);
    }
    out.push(x);
  }
  return out;
}

function readTensor(t: FbTable, si: number, i: number, buffers: (Uint8Array | null)[], maxTensorBytes: number): TensorDef {
  const name = t.str(TensorField.name) ?? '';
  const where = `subgraph ${si} tensor ${i} '${name}'`;
  const type = t.i8(TensorField.type, 0);
  const dtype = TENSOR_TYPE_TO_DTYPE[type];
  if (dtype === undefined) throw new ModelFormatError(`${where}: tensor type ${tensorTypeName(type)} (${type}) is not supported`);
  const shape = t.i32List(TensorField.shape) ?? [];
  if (shape.length > MAX_RANK) throw new ModelFormatError(`${where}: rank ${shape.length} exceeds ${MAX_RANK}`);
  const size = elemBytes(dtype);
  let bytes = size;
  for (const d of shape) {
    if (d < 0) throw new ModelFormatError(`${where}: shape ${fmtShape(shape)} has a negative dimension`);
    bytes *= d;
  }
  if (bytes > maxTensorBytes) {
    throw new ModelFormatError(`${where}: shape ${fmtShape(shape)} ${dtype} needs ${bytes} bytes, over the ${maxTensorBytes}-byte limit`);
  }
  const sigV = t.i32List(TensorField.shape_signature);
  let shapeSignature: number[] | null = null;
  if (sigV !== null && sigV.length > 0) {
    shapeSignature = sigV;
    if (shapeSignature.length !== shape.length || shapeSignature.some((d, k) => d !== -1 && d !== shape[k])) {
      throw new ModelFormatError(`${where}: shape_signature ${fmtShape(shapeSignature)} does not match shape ${fmtShape(shape)}`);
    }
  }
  if (t.has(TensorField.sparsity)) {
    throw new ModelFormatError(`${where}: sparse tensors (SparsityParameters) are not supported; convert the model with dense weights`);
  }
  const buffer = t.u32(TensorField.buffer, 0);
  if (buffer >= Math.max(buffers.length, 1)) {
    throw new ModelFormatError(`${where}: buffer ${buffer} does not exist (model has ${buffers.length} buffers)`);
  }
  const raw = buffer === 0 ? null : buffers[buffer] ?? null;
  let data: TypedArray | null = null;
  if (raw !== null) {
    if (dtype === 'string') {
      data = raw;
    } else {
      if (raw.byteLength < bytes) {
        throw new ModelFormatError(
          `${where}: buffer ${buffer} holds ${raw.byteLength} bytes, shape ${fmtShape(shape)} ${dtype} needs ${bytes}`);
      }
      data = viewOrCopy(dtype, raw.subarray(0, bytes));
    }
  }
  const qt = t.table(TensorField.quantization, `${where} quantization`);
  return {
    index: i, name, dtype, shape, shapeSignature, buffer, data,
    quant: qt ? readQuant(qt, shape, dtype, where) : null,
    isVariable: t.bool(TensorField.is_variable, false),
  };
}

/** A quantized value's zero point must be representable in its own type. */
const ZERO_POINT_RANGE: Partial<Record<LiteDType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767],
};

function readQuant(q: FbTable, shape: number[], dtype: LiteDType, where: string): Quantization | null {
  const scale = q.f32Vector(QuantizationField.scale);
  if (scale === null || scale.length === 0) return null;
  const zp = q.i64VectorAsI32(QuantizationField.zero_point) ?? new Int32Array(0);
  const zeroPoint = zp.length === 0 ? new Int32Array(scale.length) : zp;
  if (zeroPoint.length !== scale.length) {
    throw new ModelFormatError(`${where}: quantization has ${scale.length} scales but ${zeroPoint.length} zero points`);
  }
  let axis = q.i32(QuantizationField.quantized_dimension, 0);
  // Real converters write biases of rank 1 with the weights' axis (e.g. 3); the only axis is 0.
  if (shape.length === 1 && shape[0] === scale.length) axis = 0;
  if (scale.length > 1 && !(axis >= 0 && axis < shape.length && shape[axis] === scale.length)) {
    throw new ModelFormatError(
      `${where}: ${scale.length} per-channel scales do not match axis ${axis} of shape ${fmtShape(shape)}`);
  }
  const range = ZERO_POINT_RANGE[dtype];
  // native scans (a sorted copy's ends are the extremes): a JS loop over thousands of channels,
  // still cold at load, cost ~10 ms of a MobileNet's first load; the loop below names the culprit
  const z = zeroPoint.slice().sort(), bad = scale.includes(NaN) || scale.includes(Infinity) || scale.includes(-Infinity);
  if (!bad && (!range || (z[0]! >= range[0] && z[z.length - 1]! <= range[1]))) return { scale, zeroPoint, axis };
  for (let k = 0; k < scale.length; k++) {
    if (!Number.isFinite(scale[k]!)) throw new ModelFormatError(`${where}: quantization scale ${k} is ${scale[k]}`);
    if (range && !(zeroPoint[k]! >= range[0] && zeroPoint[k]! <= range[1])) {
      throw new ModelFormatError(`${where}: ${dtype} zero point ${zeroPoint[k]} is outside [${range[0]}, ${range[1]}]`);
    }
  }
  return { scale, zeroPoint, axis };
}

function readOperator(t: FbTable, si: number, i: number, nTensors: number, opCodes: OpCodeDef[], nSubgraphs: number): OperatorDef {
  const where = `subgraph ${si} operator ${i}`;
  const opcodeIndex = t.u32(OperatorField.opcode_index, 0);
  const oc = opCodes[opcodeIndex];
  if (oc === undefined) throw new ModelFormatError(`${where}: opcode_index ${opcodeIndex} out of range (${opCodes.length} codes)`);
  const optionsType = t.u8(OperatorField.builtin_options_type, 0);
  const options = optionsType === 0 ? null : t.union(OperatorField.builtin_options, `${where} (${oc.name}) options`);
  const calls: number[] = [];
  if (options !== null) {
    const refs = optionsType === BuiltinOptionsType.If ? [IfOptions.then_subgraph_index, IfOptions.else_subgraph_index]
      : optionsType === BuiltinOptionsType.While ? [WhileOptions.cond_subgraph_index, WhileOptions.body_subgraph_index]
        : optionsType === BuiltinOptionsType.CallOnce ? [CallOnceOptions.init_subgraph_index] : [];
    for (const f of refs) {
      const s = options.i32(f, 0);
      if (!(s >= 0 && s < nSubgraphs)) throw new ModelFormatError(`${where} (${oc.name}): subgraph index ${s} out of range (${nSubgraphs} subgraphs)`);
      calls.push(s);
    }
  }
  return {
    index: i, opcodeIndex, code: oc.code, name: oc.name, version: oc.version,
    inputs: indexList(t.i32Vector(OperatorField.inputs), nTensors, `${where} (${oc.name}) inputs`, true),
    outputs: indexList(t.i32Vector(OperatorField.outputs), nTensors, `${where} (${oc.name}) outputs`, false),
    intermediates: indexList(t.i32Vector(OperatorField.intermediates), nTensors, `${where} (${oc.name}) intermediates`, true),
    optionsType, options, calls,
  };
}

/** Operators must be in a valid execution order; every non-constant input must be written before it is read. */
function checkOrder(sg: SubgraphDef): void {
  const producer = new Int32Array(sg.tensors.length).fill(-1);
  const isInput = new Uint8Array(sg.tensors.length);
  for (const t of sg.inputs) isInput[t] = 1;
  const where = `subgraph ${sg.index}`;
  for (const op of sg.operators) {
    for (const t of op.outputs) {
      const td = sg.tensors[t]!;
      if (producer[t] !== -1) {
        throw new ModelFormatError(`${where}: tensor ${t} '${td.name}' is written by operators ${producer[t]} and ${op.index}`);
      }
      if ((td.data !== null && !td.isVariable) || isInput[t]) {
        throw new ModelFormatError(`${where}: operator ${op.index} (${op.name}) writes tensor ${t} '${td.name}', which is a ${td.data ? 'constant' : 'subgraph input'}`);
      }
      producer[t] = op.index;
    }
  }
  const ready = (t: number, before: number): boolean => {
    const td = sg.tensors[t]!;
    return td.data !== null || td.isVariable || isInput[t] === 1 || (producer[t]! >= 0 && producer[t]! < before);
  };
  for (const op of sg.operators) {
    for (const t of op.inputs) {
      if (t < 0 || ready(t, op.index)) continue;
      const p = producer[t]!;
      const td = sg.tensors[t]!;
      throw new ModelFormatError(p >= 0
        ? `${where}: operator ${op.index} (${op.name}) reads tensor ${t} '${td.name}' before operator ${p} writes it (cycle or bad order)`
        : `${where}: operator ${op.index} (${op.name}) reads tensor ${t} '${td.name}', which nothing writes and is not a constant or input`);
    }
  }
  for (const t of sg.outputs) {
    if (!ready(t, sg.operators.length)) {
      throw new ModelFormatError(`${where}: output tensor ${t} '${sg.tensors[t]!.name}' is never written`);
    }
  }
}

/** Control-flow subgraph calls must not recurse. */
function checkCallGraph(subgraphs: SubgraphDef[]): void {
  const state = new Uint8Array(subgraphs.length); // 0 new, 1 on stack, 2 done
  const visit = (s: number, path: number[]): void => {
    if (state[s] === 2) return;
    if (state[s] === 1) throw new ModelFormatError(`subgraphs call each other in a cycle: ${[...path, s].join(' -> ')}`);
    if (path.length >= MAX_NESTING) throw new ModelFormatError(`subgraph calls nest deeper than ${MAX_NESTING}`);
    state[s] = 1;
    for (const op of subgraphs[s]!.operators) for (const c of op.calls) visit(c, [...path, s]);
    state[s] = 2;
  };
  for (let s = 0; s < subgraphs.length; s++) visit(s, []);
}

function readSignature(t: FbTable, i: number, subgraphs: SubgraphDef[]): SignatureDef {
  const key = t.str(SignatureDefField.signature_key) ?? '';
  const subgraph = t.u32(SignatureDefField.subgraph_index, 0);
  const sg = subgraphs[subgraph];
  if (sg === undefined) throw new ModelFormatError(`signature ${i} '${key}': subgraph ${subgraph} does not exist`);
  const maps = (field: number, kind: string): TensorMapDef[] =>
    t.tables(field, (k) => `signature ${i} ${kind} ${k}`).map((m, k) => {
      const tensor = m.u32(TensorMapField.tensor_index, 0);
      if (tensor >= sg.tensors.length) {
        throw new ModelFormatError(`signature ${i} '${key}' ${kind} ${k}: tensor ${tensor} out of range (${sg.tensors.length} tensors)`);
      }
      return { name: m.str(TensorMapField.name) ?? '', tensor };
    });
  return { key, subgraph, inputs: maps(SignatureDefField.inputs, 'input'), outputs: maps(SignatureDefField.outputs, 'output') };
}
