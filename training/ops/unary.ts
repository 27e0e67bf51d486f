import { unaryMap } from '../kernels/broadcast.js';
import { reluBackward, UNARY, unaryKernel, type UnaryOp } from '../kernels/arith.js';
import { apply1 } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { defineOp, type OpDef } from './registry.js';
import { alloc } from './util.js';

type NoAttrs = Record<string, never>;

/**
 * Defines an elementwise unary op. `f` is its scalar function, or null for ops with a kernel of
 * their name in training/kernels/arith.ts. `float`: integer inputs give float32 outputs (exp,
 * sqrt...); otherwise the dtype is kept (neg, abs, relu). `vjp(x, y, g)` is the gradient, written in ops.
 */
function unary(name: string, f: ((x: number) => number) | null, float: boolean, vjp: ((x: Tensor, y: Tensor, g: Tensor) => Tensor) | null): OpDef<NoAttrs> {
  const kernel = name in UNARY ? (name as UnaryOp) : null;
  if (kernel === null && f === null) throw new Error(`unary op '${name}' has neither a kernel nor a scalar function`);
  return defineOp<NoAttrs>({
    name,
    elementwise: true,
    infer([x]) {
      if (x.dtype === 'bool' && !float) throw new DTypeError(`${name}: not defined for bool tensors`);
      const dtype: DType = float ? 'float32' : x.dtype;
      return [{ shape: x.shape, dtype }];
    },
    forward([x], _a, [o]) {
      const out = alloc(o);
      if (kernel !== null) unaryKernel(kernel, x.data, out);
      else unaryMap(x.data, out, f!);
      return [out];
    },
    grad: vjp ? ({ inputs: [x], outputs: [y], gradOutputs: [g] }) => [vjp(x, y, g!)] : undefined,
  });
}

export const NEG = unary('neg', null, false, (_x, _y, g) => g.neg());
export const ABS = unary('abs', null, false, (x, _y, g) => g.mul(x.sign()));
export const SIGN = unary('sign', Math.sign, false, null);
export const SQRT = unary('sqrt', null, true, (_x, y, g) => g.div(y.mul(2)));
export const RSQRT = unary('rsqrt', null, true, (_x, y, g) => g.mul(y.pow(3)).mul(-0.5));
export const EXP = unary('exp', null, true, (_x, y, g) => g.mul(y));
export const LOG = unary('log', null, true, (x, _y, g) => g.div(x));
export const LOG1P = unary('log1p', Math.log1p, true, (x, _y, g) => g.div(x.add(1)));
export const SIN = unary('sin', Math.sin, true, (x, _y, g) => g.mul(x.cos()));
export const COS = unary('cos', Math.cos, true, (x, _y, g) => g.mul(x.sin()).neg());
export const TANH = unary('tanh', null, true, (_x, y, g) => g.mul(y.mul(y).neg().add(1)));
export const SIGMOID = unary('sigmoid', null, true, (_x, y, g) => g.mul(y.mul(y.neg().add(1))));
export const RELU = unary('relu', null, false, (x, _y, g) => apply1(RELU_GRAD, [g, x], {}));

/** relu's gradient as one kernel: g where x > 0, else 0. Its own gradient is itself (in g). */
export const RELU_GRAD: OpDef<NoAttrs> = defineOp<NoAttrs>({
  name: 'reluGrad',
  elementwise: true,
  infer: ([g]) => [{ shape: g.shape, dtype: g.dtype }],
  forward([g, x], _a, [o]) {
    const out = alloc(o);
    reluBackward(g.data, x.data, out);
    return [out];
  },
  grad: ({ inputs: [, x], gradOutputs: [gg] }) => [apply1(RELU_GRAD, [gg!, x], {}), null],
});

const fns = {
  neg: NEG, abs: ABS, sign: SIGN, sqrt: SQRT, rsqrt: RSQRT, exp: EXP, log: LOG, log1p: LOG1P,
  sin: SIN, cos: COS, tanh: TANH, sigmoid: SIGMOID, relu: RELU,
} as const;

/** @example tg.exp(x) */
export const neg = (x: Tensor): Tensor => apply1(NEG, [x], {});
export const abs = (x: Tensor): Tensor => apply1(ABS, [x], {});
export const sign = (x: Tensor): Tensor => apply1(SIGN, [x], {});
export const sqrt = (x: Tensor): Tensor => apply1(SQRT, [x], {});
export const rsqrt = (x: Tensor): Tensor => apply1(RSQRT, [x], {});
export const exp = (x: Tensor): Tensor => apply1(EXP, [x], {});
export const log = (x: Tensor): Tensor => apply1(LOG, [x], {});
export const log1p = (x: Tensor): Tensor => apply1(LOG1P, [x], {});
export const sin = (x: Tensor): Tensor => apply1(SIN, [x], {});
export const cos = (x: Tensor): Tensor => apply1(COS, [x], {});
export const tanh = (x: Tensor): Tensor => apply1(TANH, [x], {});
export const sigmoid = (x: Tensor): Tensor => apply1(SIGMOID, [x], {});
export const relu = (x: Tensor): Tensor => apply1(RELU, [x], {});

declare module '../tensor.js' {
  interface Tensor {
    neg(): Tensor; abs(): Tensor; sign(): Tensor; sqrt(): Tensor; rsqrt(): Tensor; exp(): Tensor; log(): Tensor;
    log1p(): Tensor; sin(): Tensor; cos(): Tensor; tanh(): Tensor; sigmoid(): Tensor; relu(): Tensor;
  }
}

for (const [name, op] of Object.entries(fns)) {
  Object.defineProperty(Tensor.prototype, name, {
    value(this: Tensor) { return apply1(op, [this], {}); },
    writable: true, configurable: true,
  });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { builtin, chain, onnx } from './convert/elementwise.js';
withTraits(NEG, { tflite: builtin('NEG'), onnxImport: onnx('Neg', 'neg') });
withTraits(ABS, { tflite: builtin('ABS'), onnxImport: onnx('Abs', 'abs') });
withTraits(SIGN, { onnxImport: onnx('Sign', 'sign') });
withTraits(SQRT, { tflite: builtin('SQRT'), onnxImport: onnx('Sqrt', 'sqrt') });
withTraits(RSQRT, { tflite: builtin('RSQRT') });
withTraits(EXP, { tflite: builtin('EXP'), onnxImport: onnx('Exp', 'exp') });
withTraits(LOG, { tflite: builtin('LOG'), onnxImport: onnx('Log', 'log') });
withTraits(LOG1P, { tflite: chain(['ADD', 1], ['LOG']) });
withTraits(SIN, { tflite: builtin('SIN'), onnxImport: onnx('Sin', 'sin') });
withTraits(COS, { tflite: builtin('COS'), onnxImport: onnx('Cos', 'cos') });
withTraits(TANH, { tflite: builtin('TANH'), onnxImport: onnx('Tanh', 'tanh') });
withTraits(SIGMOID, { tflite: builtin('LOGISTIC'), onnxImport: onnx('Sigmoid', 'sigmoid') });
withTraits(RELU, { tflite: builtin('RELU'), onnxImport: onnx('Relu', 'relu') });
