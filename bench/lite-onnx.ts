/**
 * A minimal ONNX model writer for the lite benchmark's peer (onnxruntime-web): a small
 * float network as a ModelProto, encoded with the ONNX exporter's message types
 * (training/onnx/proto.ts).
 *
 * ```ts
 * const bytes = onnxModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
 *   inputs: [['x', [1, 4]]], outputs: [['y', [1, 4]]], initializers: [] });
 * ```
 */
import { ATTR_TYPE, DATA_TYPE, onnxTypes } from '../training/onnx/proto.js';

export type OnnxAttr = number | number[] | { f: number };
export interface OnnxNode { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, OnnxAttr> }
export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: [string, number[]][];
  outputs: [string, number[]][];
  initializers: { name: string; dims: number[]; data: Float32Array }[];
}

const valueInfo = ([name, dims]: [string, number[]]) => ({
  name, type: { tensor_type: { elem_type: DATA_TYPE.float32, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
});

function attribute(name: string, v: OnnxAttr) {
  if (Array.isArray(v)) return { name, ints: v, type: ATTR_TYPE.INTS };
  if (typeof v === 'number') return { name, i: v, type: ATTR_TYPE.INT };
  return { name, f: v.f, type: ATTR_TYPE.FLOAT };
}

/** Encodes a float32 graph as an ONNX model (IR 8, opset 13), with the exporter's message types. */
export function onnxModel(g: OnnxGraph): Uint8Array {
  const { ModelProto } = onnxTypes();
  const msg = ModelProto.fromObject({
    ir_version: 8,
    producer_name: 'tglite-bench',
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'bench',
      node: g.nodes.map((n, i) => ({
        name: `n${i}`, op_type: n.op, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: g.initializers.map((t) => ({
        name: t.name, dims: t.dims, data_type: DATA_TYPE.float32, raw_data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(msg).finish();
}
