/**
 * ONNX protobuf -> plain objects, with the message types the exporter writes
 * (training/onnx/proto.ts). Tensors are decoded into the IR's storage types:
 * float16/double become float32, every integer type int32 (int64 values also kept
 * as numbers for shapes and axes), bool stays bool.
 * @example const m = decodeOnnx(bytes); m.graph.node[0].op_type
 */
import type { DType, Storage } from '../../training/dtype.js';
import { onnxTypes } from '../../training/onnx/proto.js';
import type { OnnxTensorData } from '../../training/ops/convert-traits.js';
import { OnnxFormatError } from '../errors.js';

export interface OnnxAttrMsg {
  name: string; type?: number; f?: number; i?: number; s?: Uint8Array; t?: OnnxTensorMsg; g?: OnnxGraphMsg;
  floats?: number[]; ints?: number[]; strings?: Uint8Array[];
}
export interface OnnxNodeMsg { input?: string[]; output?: string[]; name?: string; op_type?: string; domain?: string; attribute?: OnnxAttrMsg[] }
export interface OnnxTensorMsg {
  dims?: number[]; data_type?: number; float_data?: number[]; int32_data?: number[]; int64_data?: number[];
  name?: string; raw_data?: Uint8Array;
}
export interface OnnxDimMsg { dim_value?: number; dim_param?: string }
export interface OnnxValueInfoMsg { name?: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: OnnxDimMsg[] } } } }
export interface OnnxGraphMsg {
  node?: OnnxNodeMsg[]; name?: string; initializer?: OnnxTensorMsg[];
  input?: OnnxValueInfoMsg[]; output?: OnnxValueInfoMsg[]; value_info?: OnnxValueInfoMsg[];
}
export interface OnnxModelMsg {
  ir_version?: number; opset_import?: { domain?: string; version?: number }[];
  producer_name?: string; producer_version?: string; graph?: OnnxGraphMsg;
}

/** Decodes ModelProto bytes; an OnnxFormatError when they are not one. */
export function decodeOnnx(bytes: Uint8Array): OnnxModelMsg {
  const { ModelProto } = onnxTypes();
  let msg: OnnxModelMsg;
  try {
    msg = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true }) as OnnxModelMsg;
  } catch (e) {
    throw new OnnxFormatError(`not an ONNX model: ${(e as Error).message} (${bytes.length} bytes)`);
  }
  if (!msg.graph || !msg.graph.node || (msg.graph.output ?? []).length === 0) {
    throw new OnnxFormatError(`not an ONNX model: no graph with nodes and outputs (${bytes.length} bytes)`);
  }
  return msg;
}

/** ONNX TensorProto.DataType -> name, for messages. */
export const ONNX_TYPE_NAMES: Record<number, string> = {
  1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64',
};

/** The IR dtype an ONNX element type imports as. */
export function irDType(elemType: number, what: string): DType {
  if (elemType === 1 || elemType === 10 || elemType === 11) return 'float32';
  if (elemType === 9) return 'bool';
  if ([2, 3, 4, 5, 6, 7, 12, 13].includes(elemType)) return 'int32';
  throw new OnnxFormatError(`${what}: element type ${ONNX_TYPE_NAMES[elemType] ?? elemType} is not supported`);
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A decoded tensor plus, for integer tensors, its values as plain numbers (int64 beyond int32 kept). */
export interface DecodedTensor extends OnnxTensorData { readonly ints?: readonly number[] }

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Decodes a TensorProto into IR storage. */
export function decodeTensor(t: OnnxTensorMsg, what: string): DecodedTensor {
  const dims = (t.dims ?? []).map(Number);
  const type = t.data_type ?? 0;
  const dtype = irDType(type, what);
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const size: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };
  if (view && view.byteLength !== n * size[type]) {
    throw new OnnxFormatError(`${what}: raw data holds ${view.byteLength} bytes, dims [${dims.join(', ')}] of ${ONNX_TYPE_NAMES[type]} need ${n * size[type]}`);
  }
  const read = (i: number): number => {
    if (!view) {
      if (type === 1) return t.float_data![i];
      if (type === 7 || type === 13) return Number(t.int64_data![i]);
      if (type === 10) return f16ToF32(t.int32_data![i]);
      return t.int32_data![i];
    }
    const o = i * size[type];
    switch (type) {
      case 1: return view.getFloat32(o, true);
      case 2: return view.getUint8(o);
      case 3: return view.getInt8(o);
      case 4: return view.getUint16(o, true);
      case 5: return view.getInt16(o, true);
      case 6: return view.getInt32(o, true);
      case 7: return Number(view.getBigInt64(o, true));
      case 9: return view.getUint8(o);
      case 10: return f16ToF32(view.getUint16(o, true));
      case 11: return view.getFloat64(o, true);
      case 12: return view.getUint32(o, true);
      default: return Number(view.getBigUint64(o, true));
    }
  };
  if (!view) {
    const have = type === 1 ? t.float_data?.length : type === 7 || type === 13 ? t.int64_data?.length : t.int32_data?.length;
    if ((have ?? 0) !== n) {
      throw new OnnxFormatError(`${what}: holds ${have ?? 0} values for dims [${dims.join(', ')}] (${n}); external data and other storage fields are not supported`);
    }
  }
  let data: Storage;
  let ints: number[] | undefined;
  if (dtype === 'float32' && view && type === 1 && LITTLE_ENDIAN) {
    data = new Float32Array(new Uint8Array(raw!).buffer); // raw bytes are little-endian float32: one copy (a Buffer's slice would share its pool)
  } else if (dtype === 'float32') {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = read(i);
  } else if (dtype === 'bool') {
    data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = read(i) ? 1 : 0;
  } else {
    data = new Int32Array(n);
    ints = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const v = read(i);
      ints[i] = v;
      data[i] = Math.max(-2147483648, Math.min(2147483647, v));
    }
  }
  return ints ? { dims, dtype, data, ints } : { dims, dtype, data };
}
