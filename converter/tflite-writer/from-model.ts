/**
 * The inverse of the writer: a parsed model (`parseModel` of lite-runtime/format)
 * back to a `ModelDesc`, e.g. to edit a real .tflite and write it again. Carried over:
 * subgraphs, tensors (data, quantization scale/zero point/axis, shape signature,
 * variables), operators with versions, intermediates and every option the writer
 * knows, signature defs, description. Not carried: metadata, sparsity, custom ops,
 * quantization min/max.
 *
 * ```ts
 * const desc = descFromModel(parseModel(bytes));
 * const again = writeTflite(desc);
 * ```
 */
import type { ModelDef, OperatorDef, SubgraphDef } from '../../lite-runtime/format/model.js';
import type { FbTable } from '../../lite-runtime/format/reader.js';
import * as S from '../../lite-runtime/format/schema.js';
import type { BuiltinOpName } from '../../lite-runtime/format/schema.js';
import { TfliteWriteError } from './errors.js';
import { optionsTableOf, type OptionKind } from './options.js';
import type { ModelDesc, OperatorDesc, SubgraphDesc, TensorDesc } from './types.js';

const nameOf = (table: Readonly<Record<string, number>>, v: number, what: string): string => {
  for (const [k, x] of Object.entries(table)) if (x === v) return k;
  throw new TfliteWriteError(`${what}: value ${v} has no name`);
};

function readOption(o: FbTable, id: number, kind: OptionKind, what: string): unknown {
  switch (kind) {
    case 'bool': return o.bool(id, false);
    case 'i32': return o.i32(id, 0);
    case 'u32': return o.u32(id, 0);
    case 'f32': return o.f32(id, 0);
    case 'u8': return o.u8(id, 0);
    case 'i32[]': return Array.from(o.i32Vector(id) ?? []);
    case 'padding': return nameOf(S.Padding, o.i8(id, 0), what);
    case 'act': return nameOf(S.Activation, o.i8(id, 0), what);
    case 'dtype': return nameOf(S.DTYPE_TO_TENSOR_TYPE, o.i8(id, 0), what);
  }
}

function operatorDesc(op: OperatorDef, where: string): OperatorDesc {
  if (!Object.hasOwn(S.BuiltinOp, op.name) || op.name === 'CUSTOM') {
    throw new TfliteWriteError(`${where}: op ${op.name} (code ${op.code}) cannot be written (custom or unknown)`);
  }
  const name = op.name as BuiltinOpName;
  const spec = optionsTableOf(name);
  let options: Record<string, unknown> | null = spec ? null : {};
  if (op.options && op.optionsType !== 0) {
    if (!spec || S.BuiltinOptionsType[spec.type] !== op.optionsType) {
      throw new TfliteWriteError(`${where} (${name}): options table type ${op.optionsType} is not one the writer knows for this op`);
    }
    options = {};
    for (const [key, kind] of Object.entries(spec.kinds)) {
      const id = spec.ids[key]!;
      if (op.options.has(id)) options[key] = readOption(op.options, id, kind, `${where} (${name}) option ${key}`);
    }
  }
  return {
    op: name, inputs: op.inputs, outputs: op.outputs, version: op.version,
    ...(options === null || Object.keys(options).length ? { options } : {}),
    ...(op.intermediates.length ? { intermediates: op.intermediates } : {}),
  } as OperatorDesc;
}

function subgraphDesc(sg: SubgraphDef): SubgraphDesc {
  const tensors: TensorDesc[] = sg.tensors.map((t) => ({
    name: t.name, shape: t.shape, dtype: t.dtype,
    ...(t.data ? { data: t.data } : {}),
    ...(t.quant ? { quant: { scale: Array.from(t.quant.scale), zeroPoint: Array.from(t.quant.zeroPoint), axis: t.quant.axis } } : {}),
    ...(t.shapeSignature ? { shapeSignature: t.shapeSignature } : {}),
    ...(t.isVariable ? { isVariable: true } : {}),
  }));
  return {
    ...(sg.name ? { name: sg.name } : {}),
    tensors,
    operators: sg.operators.map((op, i) => operatorDesc(op, `subgraph ${sg.index} operator ${i}`)),
    inputs: sg.inputs, outputs: sg.outputs,
  };
}

/** A parsed model as a writer description (see the module comment for what is kept). */
export function descFromModel(def: ModelDef): ModelDesc {
  const [main, ...rest] = def.subgraphs.map(subgraphDesc);
  return {
    ...main!,
    ...(rest.length ? { subgraphs: rest } : {}),
    ...(def.signatures.length ? {
      signatureDefs: def.signatures.map((s) => ({
        key: s.key, subgraph: s.subgraph,
        inputs: s.inputs.map((m) => ({ name: m.name, tensor: m.tensor })),
        outputs: s.outputs.map((m) => ({ name: m.name, tensor: m.tensor })),
      })),
    } : {}),
    ...(def.description ? { description: def.description } : {}),
  };
}
