/**
 * The plain description the TFLite writer turns into a `.tflite` FlatBuffer.
 * It mirrors the schema (Model > SubGraph > Tensor/Operator) without its plumbing:
 * no buffers table (constant data sits on the tensor), no operator-code table
 * (ops are named), tensors referred to by index or by name.
 *
 * ```ts
 * const model: ModelDesc = {
 *   tensors: [
 *     { name: 'x', shape: [1, 4], dtype: 'float32' },
 *     { name: 'w', shape: [2, 4], dtype: 'float32', data: new Float32Array(8).fill(0.5) },
 *     { name: 'y', shape: [1, 2], dtype: 'float32' },
 *   ],
 *   operators: [{ op: 'FULLY_CONNECTED', inputs: ['x', 'w', -1], outputs: ['y'],
 *                 options: { fused_activation_function: 'RELU' } }],
 *   inputs: ['x'], outputs: ['y'],
 * };
 * ```
 */
import type { BuiltinOpName } from '../../lite-runtime/format/schema.js';
import type { LiteDType } from '../../lite-runtime/ops/op.js';
import type { OpOptions } from './options.js';

export type { BuiltinOpName } from '../../lite-runtime/format/schema.js';
export type { LiteDType } from '../../lite-runtime/ops/op.js';
export type { OpOptions, OptionsOf } from './options.js';

/** A tensor of the same subgraph: its index, or its (unique) name. In operator inputs, -1 marks an omitted optional input. */
export type TensorRef = number | string;

/** Affine quantization: real = scale * (q - zeroPoint). One entry = per-tensor; more = per-channel along `axis`. */
export interface QuantDesc {
  scale: ArrayLike<number>;
  zeroPoint: ArrayLike<number>;
  /** quantized_dimension; required when there is more than one scale. */
  axis?: number;
  min?: ArrayLike<number>;
  max?: ArrayLike<number>;
}

/**
 * Constant contents. A typed array is taken as raw little-endian bytes and must match
 * the dtype's size exactly; a number array is converted (float16 via round-to-nearest-even,
 * bool as 0/1, int64 via BigInt).
 */
export type TensorData = ArrayBufferView | ArrayLike<number>;

export interface TensorDesc {
  name: string;
  /** Static shape; [] is a scalar. */
  shape: readonly number[];
  dtype: LiteDType;
  /** Present for constants (weights, shapes); absent for activations and inputs. */
  data?: TensorData;
  quant?: QuantDesc;
  /** Same rank as `shape`; -1 marks a dynamic dimension (e.g. batch). */
  shapeSignature?: readonly number[];
  isVariable?: boolean;
}

/** One operator; `options` are keyed by the schema's field names (see options.ts). */
export type OperatorDesc = {
  [N in BuiltinOpName]: {
    op: N;
    inputs: readonly TensorRef[];
    outputs: readonly TensorRef[];
    /** Omitted: the op's options table is written with schema defaults for absent fields; null: no table at all. */
    options?: OpOptions<N> | null;
    /** OperatorCode.version (default 1). */
    version?: number;
    intermediates?: readonly TensorRef[];
  };
}[BuiltinOpName];

export interface SubgraphDesc {
  name?: string;
  tensors: readonly TensorDesc[];
  /** In execution order. */
  operators: readonly OperatorDesc[];
  inputs: readonly TensorRef[];
  outputs: readonly TensorRef[];
}

/** A named entry point (SignatureDef): aliases for tensors of one subgraph. */
export interface SignatureDefDesc {
  key: string;
  /** Subgraph index (default 0). */
  subgraph?: number;
  inputs: readonly { name: string; tensor: TensorRef }[];
  outputs: readonly { name: string; tensor: TensorRef }[];
}

/** A whole model: its own fields are subgraph 0; `subgraphs` are 1, 2, ... (IF/WHILE bodies). */
export interface ModelDesc extends SubgraphDesc {
  subgraphs?: readonly SubgraphDesc[];
  signatureDefs?: readonly SignatureDefDesc[];
  description?: string;
  /** Model.metadata entries; each becomes a buffer. */
  metadata?: readonly { name: string; data: Uint8Array }[];
}
