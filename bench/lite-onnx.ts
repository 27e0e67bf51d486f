/**
 * A minimal ONNX model writer for the lite benchmark's peer (onnxruntime-web): the
 * few ModelProto messages a small float network needs, encoded with protobufjs.
 * Field numbers follow onnx/onnx.proto (facts only).
 *
 * ```ts
 * const bytes = onnxModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
 *   inputs: [['x', [1, 4]]], outputs: [['y', [1, 4]]], initializers: [] });
 * ```
 */
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: { fields: {
          irVersion: { type: 'int64', id: 1 }, producerName: { type: 'string', id: 2 },
          graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
        } },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        GraphProto: { fields: {
          node: { rule: 'repeated', type: 'NodeProto', id: 1 }, name: { type: 'string', id: 2 },
          initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
          input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 }, output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
        } },
        NodeProto: { fields: {
          input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 },
          name: { type: 'string', id: 3 }, opType: { type: 'string', id: 4 }, attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
        } },
        AttributeProto: { fields: {
          name: { type: 'string', id: 1 }, f: { type: 'float', id: 2 }, i: { type: 'int64', id: 3 },
          ints: { rule: 'repeated', type: 'int64', id: 8 }, type: { type: 'int32', id: 20 },
        } },
        TensorProto: { fields: {
          dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 },
          name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 },
        } },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
        TensorTypeProto: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 } } },
      },
    },
  },
});
const ModelProto = root.lookupType('onnx.ModelProto');

const FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;
const ATTR_FLOAT = 1;

export type OnnxAttr = number | number[] | { f: number };
export interface OnnxNode { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, OnnxAttr> }
export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: [string, number[]][];
  outputs: [string, number[]][];
  initializers: { name: string; dims: number[]; data: Float32Array }[];
}

const valueInfo = ([name, dims]: [string, number[]]) => ({
  name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

function attribute(name: string, v: OnnxAttr) {
  if (Array.isArray(v)) return { name, ints: v, type: ATTR_INTS };
  if (typeof v === 'number') return { name, i: v, type: ATTR_INT };
  return { name, f: v.f, type: ATTR_FLOAT };
}

/** Encodes a float32 graph as an ONNX model (IR 8, opset 13). */
export function onnxModel(g: OnnxGraph): Uint8Array {
  const msg = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'tglite-bench',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'bench',
      node: g.nodes.map((n, i) => ({
        name: `n${i}`, opType: n.op, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: g.initializers.map((t) => ({
        name: t.name, dims: t.dims, dataType: FLOAT, rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(msg).finish();
}
