import { binaryBroadcast } from '../kernels/broadcast.js';
import { ARITH, arithBroadcast, type ArithOp } from '../kernels/arith.js';
import { apply1 } from '../dispatch.js';
import { promoteTypes, type DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { toTensor } from '../creation.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import * as emit from '../onnx/emit.js';
import { fuse2 } from './fuse.js';
import { defineOp, type GradContext, type OpDef } from './registry.js';
import { sumTo } from './sum-to.js';
import { where } from './where.js';
import { alloc } from './util.js';

type NoAttrs = Record<string, never>;
type BinaryGrad = (ctx: GradContext<NoAttrs>, g: Tensor) => [Tensor | null, Tensor | null];

/**
 * Defines a broadcasting binary op. `f` is its scalar function, or null for ops with a kernel of
 * their name in training/kernels/arith.ts. `result` picks the output dtype:
 * 'promote' (PyTorch promotion), 'float' (always float32, like true division), 'bool' (comparisons).
 * `fuse` is its scalar expression for the jit, `onnx` its export.
 */
function binary(name: string, f: ((x: number, y: number) => number) | null, result: 'promote' | 'float' | 'bool',
  fuse: (x: string, y: string) => string, onnx: emit.OpExporter, vjp?: BinaryGrad): OpDef<NoAttrs> {
  const arith = name in ARITH ? (name as ArithOp) : null;
  if (arith === null && f === null) throw new Error(`binary op '${name}' has neither a kernel nor a scalar function`);
  return defineOp<NoAttrs>({
    name,
    elementwise: true,
    fuse: fuse2(fuse),
    onnx,
    infer([a, b]) {
      const shape = broadcastShapes(name, a.shape, b.shape);
      const promoted = promoteTypes(a.dtype, b.dtype);
      if (promoted === 'bool' && (name === 'sub' || name === 'pow')) {
        throw new DTypeError(`${name}: not supported for two bool tensors (use logicalXor / logicalNot, or convert to int32)`);
      }
      const dtype: DType = result === 'bool' ? 'bool' : result === 'float' ? 'float32' : promoted;
      return [{ shape, dtype }];
    },
    forward([a, b], _attrs, [o]) {
      const out = alloc(o);
      if (arith !== null) arithBroadcast(arith, a.data, a.shape, b.data, b.shape, out, o.shape);
      else binaryBroadcast(a.data, a.shape, b.data, b.shape, out, o.shape, f!);
      // bool results of arithmetic are logical (True + True is True), as in PyTorch
      if (result === 'promote' && o.dtype === 'bool') for (let i = 0; i < out.length; i++) out[i] = out[i] ? 1 : 0;
      return [out];
    },
    grad: vjp && ((ctx) => {
      const [ga, gb] = vjp(ctx, ctx.gradOutputs[0]!);
      const [a, b] = ctx.inputs;
      return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
    }),
  });
}

export const ADD = binary('add', null, 'promote', (x, y) => `${x} + ${y}`, emit.arith('Add'), (_c, g) => [g, g]);
export const SUB = binary('sub', null, 'promote', (x, y) => `${x} - ${y}`, emit.arith('Sub'), (_c, g) => [g, g.neg()]);
export const MUL = binary('mul', null, 'promote', (x, y) => `${x} * ${y}`, emit.arith('Mul'), ({ inputs: [a, b] }, g) => [g.mul(b), g.mul(a)]);
export const DIV = binary('div', null, 'float', (x, y) => `${x} / ${y}`, emit.arith('Div'),
  ({ inputs: [a, b] }, g) => [g.div(b), g.mul(a).neg().div(b.mul(b))]);
export const POW = binary('pow', (x, y) => Math.pow(x, y), 'promote', (x, y) => `Math.pow(${x}, ${y})`, emit.arith('Pow'), ({ inputs: [a, b], outputs: [o] }, g) => [
  g.mul(b).mul(a.pow(b.sub(1))),
  // d/db a^b = a^b * log(a), taken as 0 where a == 0 (as PyTorch does)
  b.requiresGrad ? g.mul(o).mul(where(a.ne(0), a.log(), 0)) : null,
]);
export const MAXIMUM = binary('maximum', null, 'promote', (x, y) => `(${x} !== ${x} || ${y} !== ${y} ? NaN : Math.max(${x}, ${y}))`,
  emit.arith('Max'), ({ inputs: [a, b] }, g) => tieSplit(g, a.gt(b), a.eq(b)));
export const MINIMUM = binary('minimum', null, 'promote', (x, y) => `(${x} !== ${x} || ${y} !== ${y} ? NaN : Math.min(${x}, ${y}))`,
  emit.arith('Min'), ({ inputs: [a, b] }, g) => tieSplit(g, a.lt(b), a.eq(b)));
export const EQ = binary('eq', null, 'bool', (x, y) => `(${x} === ${y} ? 1 : 0)`, emit.compare('Equal'));
export const NE = binary('ne', null, 'bool', (x, y) => `(${x} !== ${y} ? 1 : 0)`, emit.compare('Equal', true));
export const LT = binary('lt', null, 'bool', (x, y) => `(${x} < ${y} ? 1 : 0)`, emit.compare('Less'));
export const LE = binary('le', null, 'bool', (x, y) => `(${x} <= ${y} ? 1 : 0)`, emit.compare('LessOrEqual'));
export const GT = binary('gt', null, 'bool', (x, y) => `(${x} > ${y} ? 1 : 0)`, emit.compare('Greater'));
export const GE = binary('ge', null, 'bool', (x, y) => `(${x} >= ${y} ? 1 : 0)`, emit.compare('GreaterOrEqual'));

/** Gradient routing for max/min: the winner gets g, ties split it evenly (PyTorch's rule). */
function tieSplit(g: Tensor, first: Tensor, tie: Tensor): [Tensor, Tensor] {
  const half = g.mul(0.5);
  const ga = g.mul(first).add(half.mul(tie));
  return [ga, g.sub(ga)];
}

function call(op: OpDef<NoAttrs>, a: TensorLike, b: TensorLike): Tensor {
  const ta = a instanceof Tensor ? a : toTensor(a, b instanceof Tensor ? b : undefined);
  const tb = toTensor(b, ta);
  return apply1(op, [ta, tb], {});
}

/** @example tg.add(x, 1) */
export const add = (a: TensorLike, b: TensorLike): Tensor => call(ADD, a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => call(SUB, a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => call(MUL, a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => call(DIV, a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => call(POW, a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => call(MAXIMUM, a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => call(MINIMUM, a, b);
export const eq = (a: TensorLike, b: TensorLike): Tensor => call(EQ, a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => call(NE, a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => call(LT, a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => call(LE, a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => call(GT, a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => call(GE, a, b);

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { builtin, DIV_IMPORT, onnx, POW_IMPORT, RECIPROCAL_IMPORT, variadic } from './convert/elementwise.js';
import { ISINF_IMPORT, ISNAN_IMPORT, LOGICAL_IMPORTS, LRN_IMPORT, MEAN_IMPORT, MOD_IMPORT } from './convert/composite-import.js';
withTraits(ADD, { tflite: builtin('ADD', true), onnxImport: { ...onnx('Add', 'add'), Sum: variadic('add'), Mean: MEAN_IMPORT } });
withTraits(SUB, { tflite: builtin('SUB', true), onnxImport: onnx('Sub', 'sub') });
withTraits(MUL, { tflite: builtin('MUL', true), onnxImport: onnx('Mul', 'mul') });
withTraits(DIV, { tflite: builtin('DIV', true), onnxImport: { Div: DIV_IMPORT, Reciprocal: RECIPROCAL_IMPORT, Mod: MOD_IMPORT } });
withTraits(POW, { tflite: builtin('POW'), onnxImport: { Pow: POW_IMPORT, LRN: LRN_IMPORT } });
withTraits(MAXIMUM, { tflite: builtin('MAXIMUM'), onnxImport: { Max: variadic('maximum') } });
withTraits(MINIMUM, { tflite: builtin('MINIMUM'), onnxImport: { Min: variadic('minimum') } });
withTraits(EQ, { tflite: builtin('EQUAL'), onnxImport: { ...onnx('Equal', 'eq'), Not: LOGICAL_IMPORTS.Not, IsInf: ISINF_IMPORT } });
withTraits(NE, { tflite: builtin('NOT_EQUAL'), onnxImport: { Xor: LOGICAL_IMPORTS.Xor, IsNaN: ISNAN_IMPORT } });
withTraits(LT, { tflite: builtin('LESS'), onnxImport: onnx('Less', 'lt') });
withTraits(LE, { tflite: builtin('LESS_EQUAL'), onnxImport: onnx('LessOrEqual', 'le') });
withTraits(GT, { tflite: builtin('GREATER'), onnxImport: onnx('Greater', 'gt') });
withTraits(GE, { tflite: builtin('GREATER_EQUAL'), onnxImport: onnx('GreaterOrEqual', 'ge') });
