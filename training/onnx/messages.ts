/** ONNX enum codes and the plain-object shapes of the messages the exporter builds (no protobuf runtime here). */

/** TensorProto.DataType codes. */
export const DATA_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 } as const;

/** AttributeProto.AttributeType codes. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** Plain-object shapes of the messages we build (protobufjs `fromObject` input). */
export interface TensorMsg { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }
export interface AttrMsg { name: string; type: number; f?: number; i?: number; s?: Uint8Array; ints?: number[]; floats?: number[]; strings?: Uint8Array[]; g?: GraphMsg; t?: TensorMsg }
export interface NodeMsg { name: string; op_type: string; input: string[]; output: string[]; attribute: AttrMsg[]; domain?: string }
export interface DimMsg { dim_value?: number; dim_param?: string }
export interface ValueInfoMsg { name: string; type: { tensor_type: { elem_type: number; shape?: { dim: DimMsg[] } } } }
export interface GraphMsg { name: string; node: NodeMsg[]; initializer: TensorMsg[]; input: ValueInfoMsg[]; output: ValueInfoMsg[] }
