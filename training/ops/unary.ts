import { unaryMap } from '../kernels/broadcast.js';
import { reluBackward, UNARY, unaryKernel, type UnaryOp } from '../kernels/arith.js';
import { apply1 } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import * as emit from '../onnx/emit.js';
import { add, div, mul, pow } from './binary.js';
import { fuse1, fuse2 } from './fuse.js';
import { defineOp, type OpDef } from './registry.js';
import { alloc } from './util.js';
import { roundHalfEven } from '../../lite-runtime/ops/round.js';

type NoAttrs = Record<string, never>;

/**
 * Defines an elementwise unary op. `f` is its scalar function, or null for ops with a kernel of
 * their name in training/kernels/arith.ts. `float`: integer inputs give float32 outputs (exp,
 * sqrt...); otherwise the dtype is kept (neg, abs, relu). `fuse` is its scalar expression for the jit,
 * `onnx` its export, `vjp(x, y, g)` the gradient, written in op functions (not Tensor methods).
 */
function unary(name: string, f: ((x: number) => number) | null, float: boolean, fuse: (x: string) => string, onnx: emit.OpExporter,
  vjp: ((x: Tensor, y: Tensor, g: Tensor) => Tensor) | null): OpDef<NoAttrs> {
  const kernel = name in UNARY ? (name as UnaryOp) : null;
  if (kernel === null && f === null) throw new Error(`unary op '${name}' has neither a kernel nor a scalar function`);
  return defineOp<NoAttrs>({
    name,
    elementwise: true,
    fuse: fuse1(fuse),
    onnx,
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

export const NEG = unary('neg', null, false, (x) => `-${x}`, emit.unary('Neg'), (_x, _y, g) => neg(g));
export const ABS = unary('abs', null, false, (x) => `Math.abs(${x})`, emit.unary('Abs'), (x, _y, g) => mul(g, sign(x)));
export const SIGN = unary('sign', Math.sign, false, (x) => `Math.sign(${x})`, emit.unary('Sign'), null);
export const SQRT = unary('sqrt', null, true, (x) => `Math.sqrt(${x})`, emit.unary('Sqrt'), (_x, y, g) => div(g, mul(y, 2)));
export const RSQRT = unary('rsqrt', null, true, (x) => `1 / Math.sqrt(${x})`, emit.unary('Sqrt', 'Reciprocal'),
  (_x, y, g) => mul(mul(g, pow(y, 3)), -0.5));
export const EXP = unary('exp', null, true, (x) => `Math.exp(${x})`, emit.unary('Exp'), (_x, y, g) => mul(g, y));
export const LOG = unary('log', null, true, (x) => `Math.log(${x})`, emit.unary('Log'), (x, _y, g) => div(g, x));
export const LOG1P = unary('log1p', Math.log1p, true, (x) => `Math.log1p(${x})`,
  (e, n, ins, outs) => { e.node('Log', [e.op('Add', [emit.floatIn(e, n, ins), e.constant('float32', [1])])], outs); },
  (x, _y, g) => div(g, add(x, 1)));
export const SIN = unary('sin', Math.sin, true, (x) => `Math.sin(${x})`, emit.unary('Sin'), (x, _y, g) => mul(g, cos(x)));
export const COS = unary('cos', Math.cos, true, (x) => `Math.cos(${x})`, emit.unary('Cos'), (x, _y, g) => neg(mul(g, sin(x))));
export const TANH = unary('tanh', null, true, (x) => `Math.tanh(${x})`, emit.unary('Tanh'), (_x, y, g) => mul(g, add(neg(mul(y, y)), 1)));
// The eager kernel's sigmoid (lite-runtime/kernels/math-scalar.ts), branch-free.
export const SIGMOID = unary('sigmoid', null, true,
  (x) => `1 / (1 + Math.exp(-${x}))`,
  emit.unary('Sigmoid'), (_x, y, g) => mul(g, mul(y, add(neg(y), 1))));
// Branch-free for finite x (a sign-dependent branch mispredicts half the time: ~5x slower);
// NaN passes and -Infinity gives 0, as the eager kernel does.
export const RELU = unary('relu', null, false, (x) => `(${x} > -Infinity || ${x} !== ${x} ? (${x} + Math.abs(${x})) * 0.5 : 0)`,
  emit.unary('Relu'), (x, _y, g) => apply1(RELU_GRAD, [g, x], {}));

// Rounding (zero gradient almost everywhere, as PyTorch's; none is recorded). round: half to even, as torch.round and ONNX Round.
export const FLOOR = unary('floor', Math.floor, false, (x) => `Math.floor(${x})`, emit.unary('Floor'), null);
export const CEIL = unary('ceil', Math.ceil, false, (x) => `Math.ceil(${x})`, emit.unary('Ceil'), null);
export const ROUND = unary('round', roundHalfEven, false,
  (x) => `(Math.round(${x}) - ${x} === 0.5 && Math.round(${x}) % 2 !== 0 ? Math.round(${x}) - 1 : Math.round(${x}))`, emit.unary('Round'), null);

/** relu's gradient as one kernel: g where x > 0, else 0. Its own gradient is itself (in g). */
export const RELU_GRAD: OpDef<NoAttrs> = defineOp<NoAttrs>({
  name: 'reluGrad',
  elementwise: true,
  // A select through the kernel's two-slot scratch `sel` (sel[0] = 0) instead of a branch: ~5x faster on random signs.
  // !(x <= 0): g passes where x > 0 or x is NaN, as in the eager kernel (and PyTorch).
  fuse: fuse2((g, x) => `(sel[1] = ${g}, sel[+!(${x} <= 0)])`),
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer: ([g]) => [{ shape: g.shape, dtype: g.dtype }],
  forward([g, x], _a, [o]) {
    const out = alloc(o);
    reluBackward(g.data, x.data, out);
    return [out];
  },
  grad: ({ inputs: [, x], gradOutputs: [gg] }) => [apply1(RELU_GRAD, [gg!, x], {}), null],
});

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
/** @example tg.round(tg.tensor([0.5, 1.5, -2.5])) // [0, 2, -2] (half to even) */
export const floor = (x: Tensor): Tensor => apply1(FLOOR, [x], {});
export const ceil = (x: Tensor): Tensor => apply1(CEIL, [x], {});
export const round = (x: Tensor): Tensor => apply1(ROUND, [x], {});

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { builtin, chain, onnx, SIGN_TFLITE } from './convert/elementwise.js';
import { HYPERBOLIC_IMPORTS as H, INVERSE_TRIG_IMPORTS } from './convert/composite-import.js';
withTraits(NEG, { tflite: builtin('NEG'), onnxImport: onnx('Neg', 'neg') });
withTraits(ABS, { tflite: builtin('ABS'), onnxImport: onnx('Abs', 'abs') });
withTraits(SIGN, { tflite: SIGN_TFLITE, onnxImport: onnx('Sign', 'sign') });
withTraits(SQRT, { tflite: builtin('SQRT'), onnxImport: onnx('Sqrt', 'sqrt') });
withTraits(RSQRT, { tflite: builtin('RSQRT') });
withTraits(EXP, { tflite: builtin('EXP'), onnxImport: { ...onnx('Exp', 'exp'), Sinh: H.Sinh, Cosh: H.Cosh } });
withTraits(LOG, { tflite: builtin('LOG'), onnxImport: { ...onnx('Log', 'log'), Asinh: H.Asinh, Acosh: H.Acosh, Atanh: H.Atanh } });
withTraits(LOG1P, { tflite: chain(['ADD', 1], ['LOG']) });
withTraits(SIN, { tflite: builtin('SIN'), onnxImport: { ...onnx('Sin', 'sin'), Tan: H.Tan, ...INVERSE_TRIG_IMPORTS } });
withTraits(COS, { tflite: builtin('COS'), onnxImport: onnx('Cos', 'cos') });
withTraits(TANH, { tflite: builtin('TANH'), onnxImport: onnx('Tanh', 'tanh') });
withTraits(SIGMOID, { tflite: builtin('LOGISTIC'), onnxImport: onnx('Sigmoid', 'sigmoid') });
withTraits(RELU, { tflite: builtin('RELU'), onnxImport: onnx('Relu', 'relu') });
// TFLite FLOOR/CEIL/ROUND take float32 only
const floatOnly = (op: 'FLOOR' | 'CEIL' | 'ROUND') => ({ ...builtin(op), check: (n: { inputs: readonly { dtype: DType }[] }) => (n.inputs[0].dtype === 'float32' ? null : `${op} of ${n.inputs[0].dtype} (float32 only)`) });
withTraits(FLOOR, { tflite: floatOnly('FLOOR'), onnxImport: onnx('Floor', 'floor') });
withTraits(CEIL, { tflite: floatOnly('CEIL'), onnxImport: onnx('Ceil', 'ceil') });
withTraits(ROUND, { tflite: floatOnly('ROUND'), onnxImport: onnx('Round', 'round') });
