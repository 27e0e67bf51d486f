import {
  eluGradMap, eluMap, erfGradMap, erfMap, geluGradMap, geluMap, hardsigmoidGradMap, hardsigmoidMap,
  hardswishGradMap, hardswishMap, leakyReluGradMap, leakyReluMap, siluGradMap, siluMap, softplusGradMap, softplusMap,
} from '../../kernels/math-activation.js';
import * as scalar from '../../../lite-runtime/kernels/math-scalar.js';
import type { NumArray } from '../../../lite-runtime/kernels/strided.js';
import { apply1 } from '../../dispatch.js';
import { DTypeError, ValueError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { fuse1, fuse2, num } from '../fuse.js';
import { defineOp, type Attrs, type FuseRule, type OpDef } from '../registry.js';
import { alloc, describe } from '../util.js';
import { where } from '../where.js';
import { defineElementwiseGrad } from './backward.js';

type NoAttrs = Record<string, never>;
type Second<A> = ((x: Tensor, g: Tensor, u: Tensor, attrs: A) => Tensor) | null;

/** The jit's scalar expressions of an activation (x) and of its backward (x, g), and its ONNX export. */
interface Traits<A extends Attrs> {
  fuse: FuseRule<A>;
  gradFuse: FuseRule<A>;
  onnx: emit.OpExporter;
}

/**
 * Defines an elementwise float activation with attributes, and its fused backward op
 * (`${name}Grad`, see defineElementwiseGrad). `second` is u * g * f''(x) in ops (null: f'' = 0).
 * `intsToFloat`: integer inputs give float32 (erf) instead of raising (gelu...), as in PyTorch.
 */
function activation<A extends Attrs>(name: string, kernel: (x: NumArray, out: NumArray, attrs: A) => void,
  gradKernel: (x: NumArray, g: NumArray, out: NumArray, attrs: A) => void, second: Second<A>, traits: Traits<A>, intsToFloat = false): OpDef<A> {
  const GRAD = defineElementwiseGrad<A>(name, gradKernel, second, traits.gradFuse);
  return defineOp<A>({
    name,
    elementwise: true,
    fuse: traits.fuse,
    onnx: traits.onnx,
    infer([x]) {
      if (x.dtype !== 'float32' && !intsToFloat) throw new DTypeError(`${name}: input is ${describe(x)}, expected float32`);
      return [{ shape: x.shape, dtype: 'float32' }];
    },
    forward([x], attrs, [o]) {
      const out = alloc(o);
      kernel(x.data, out, attrs);
      return [out];
    },
    grad: ({ inputs: [x], gradOutputs: [g], attrs }) => [apply1(GRAD, [x, g!], attrs)],
  });
}

/** Defines an activation op and its fused backward op, like those below (ops/math/activation-more.ts uses it). */
export { activation as defineActivation, type Traits as ActivationTraits };

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/** The error function (ONNX Erf). Integer inputs give float32. */
export const ERF = activation<NoAttrs>('erf', (x, o) => erfMap(x, o), (x, g, o) => erfGradMap(x, g, o),
  (x, g, u) => u.mul(g).mul(x.mul(-2 * TWO_OVER_SQRT_PI)).mul(x.mul(x).neg().exp()), {
    fuse: fuse1((x) => `erf(${x})`, { erf: scalar.erf }),
    gradFuse: fuse2((x, g) => `${g} * ${num(TWO_OVER_SQRT_PI)} * Math.exp(-${x} * ${x})`),
    onnx: emit.unary('Erf'),
  }, true);

/** x > 0 ? x : slope * x (ONNX LeakyRelu, TFLite LEAKY_RELU). The slope applies at 0, as in PyTorch. */
export const LEAKY_RELU = activation<{ negativeSlope: number }>('leakyRelu',
  (x, o, a) => leakyReluMap(x, o, a.negativeSlope), (x, g, o, a) => leakyReluGradMap(x, g, o, a.negativeSlope), null, {
    fuse: fuse1((x, a) => `(sw[0] = ${x} * ${num(a.negativeSlope)}, sw[1] = ${x}, sw[+(${x} > 0)])`),
    gradFuse: fuse2((x, g, a) => `(sw[0] = ${g} * ${num(a.negativeSlope)}, sw[1] = ${g}, sw[+(${x} > 0)])`),
    onnx: (e, n, ins, outs) => { e.node('LeakyRelu', [ins[0]], outs, { alpha: { f: n.attrs.negativeSlope as number } }); },
  });

/** x > 0 ? x : alpha * (exp(x) - 1) (ONNX Elu, TFLite ELU for alpha 1). */
export const ELU = activation<{ alpha: number }>('elu', (x, o, a) => eluMap(x, o, a.alpha),
  (x, g, o, a) => eluGradMap(x, g, o, a.alpha),
  (x, g, u, a) => where(x.gt(0), 0, u.mul(g).mul(x.exp().mul(a.alpha))), {
    fuse: fuse1((x, a) => `(sw[0] = ${num(a.alpha)} * Math.expm1(${x}), sw[1] = ${x}, sw[+(${x} > 0)])`),
    gradFuse: fuse2((x, g, a) => `(sw[0] = ${g} * ${num(a.alpha)} * Math.exp(${x}), sw[1] = ${g}, sw[+(${x} > 0)])`),
    onnx: (e, n, ins, outs) => { e.node('Elu', [ins[0]], outs, { alpha: { f: n.attrs.alpha as number } }); },
  });

/** x * Phi(x), exact or with the tanh approximation (ONNX Gelu opset 20, TFLite GELU). */
export const GELU = activation<{ approximate: string }>('gelu', (x, o, a) => geluMap(x, o, a.approximate === 'tanh'),
  (x, g, o, a) => geluGradMap(x, g, o, a.approximate === 'tanh'),
  (x, g, u, a) => {
    const x2 = x.mul(x);
    if (a.approximate === 'tanh') {
      const t = x.add(x2.mul(x).mul(GELU_C)).mul(SQRT_2_OVER_PI).tanh();
      const dInner = x2.mul(3 * GELU_C).add(1).mul(SQRT_2_OVER_PI);
      const d2Inner = x.mul(6 * GELU_C * SQRT_2_OVER_PI);
      const f2 = t.mul(t).neg().add(1).mul(dInner.add(x.mul(0.5).mul(d2Inner.sub(t.mul(dInner).mul(dInner).mul(2)))));
      return u.mul(g).mul(f2);
    }
    // phi(x) * (2 - x^2)
    return u.mul(g).mul(x2.mul(-0.5).exp().mul(INV_SQRT_2PI)).mul(x2.neg().add(2));
  }, {
    fuse: fuse1((x, a) => (a.approximate === 'tanh' ? `geluTanh(${x})` : `gelu(${x})`), { gelu: scalar.gelu, geluTanh: scalar.geluTanh }),
    // sw[0] = x^2, sw[1] = tanh(inner): geluGradMap's temporaries
    gradFuse: fuse2((x, g, a) => (a.approximate === 'tanh'
      ? `(sw[0] = ${x} * ${x}, sw[1] = Math.tanh(${num(SQRT_2_OVER_PI)} * (${x} + ${GELU_C} * sw[0] * ${x})), `
        + `${g} * (0.5 * (1 + sw[1]) + 0.5 * ${x} * (1 - sw[1] * sw[1]) * (${num(SQRT_2_OVER_PI)} * (1 + 3 * ${GELU_C} * sw[0]))))`
      : `${g} * (0.5 * erfc(-${x} * ${num(Math.SQRT1_2)}) + ${x} * ${num(INV_SQRT_2PI)} * Math.exp(-0.5 * ${x} * ${x}))`), { erfc: scalar.erfc }),
    onnx: (e, n, ins, outs) => {
      const x = ins[0];
      const c = (v: number) => e.constant('float32', [v]);
      if (n.attrs.approximate === 'tanh') {
        const inner = e.op('Mul', [e.op('Add', [x, e.op('Mul', [e.op('Mul', [e.op('Mul', [x, x]), x]), c(GELU_C)])]), c(SQRT_2_OVER_PI)]);
        e.node('Mul', [e.op('Mul', [x, c(0.5)]), e.op('Add', [e.op('Tanh', [inner]), c(1)])], outs);
      } else {
        e.node('Mul', [e.op('Mul', [x, c(0.5)]), e.op('Add', [e.op('Erf', [e.op('Mul', [x, c(Math.SQRT1_2)])]), c(1)])], outs);
      }
    },
  });

/** x * sigmoid(x), also called swish. */
export const SILU = activation<NoAttrs>('silu', (x, o) => siluMap(x, o), (x, g, o) => siluGradMap(x, g, o),
  (x, g, u) => {
    const s = x.sigmoid();
    // s (1 - s) (2 + x (1 - 2 s))
    return u.mul(g).mul(s.mul(s.neg().add(1))).mul(x.mul(s.mul(-2).add(1)).add(2));
  }, {
    fuse: fuse1((x) => `${x} / (1 + Math.exp(-${x}))`),
    gradFuse: fuse2((x, g) => `(sw[0] = sigmoid(${x}), ${g} * sw[0] * (1 + ${x} * (1 - sw[0])))`, { sigmoid: scalar.sigmoid }),
    onnx: (e, _n, ins, outs) => { e.node('Mul', [ins[0], e.op('Sigmoid', [ins[0]])], outs); },
  });

/** log(1 + exp(beta x)) / beta; linear where beta x > threshold (ONNX Softplus for beta 1). */
export const SOFTPLUS = activation<{ beta: number; threshold: number }>('softplus',
  (x, o, a) => softplusMap(x, o, a.beta, a.threshold), (x, g, o, a) => softplusGradMap(x, g, o, a.beta, a.threshold),
  (x, g, u, a) => {
    const z = x.mul(a.beta), s = z.sigmoid();
    return where(z.gt(a.threshold), 0, u.mul(g).mul(s.mul(s.neg().add(1)).mul(a.beta)));
  }, {
    // sw[0] = z = beta x
    fuse: fuse1((x, a) => `(sw[0] = ${x} * ${num(a.beta)}, sw[0] > ${num(a.threshold)} ? ${x} : Math.log1p(Math.exp(sw[0])) / ${num(a.beta)})`),
    gradFuse: fuse2((x, g, a) => `(sw[0] = ${x} * ${num(a.beta)}, sw[0] > ${num(a.threshold)} ? ${g} : ${g} / (1 + Math.exp(-sw[0])))`),
    onnx: (e, n, ins, outs) => {
      const beta = n.attrs.beta as number, threshold = n.attrs.threshold as number;
      const z = e.op('Mul', [ins[0], e.constant('float32', [beta])]);
      const soft = e.op('Div', [e.op('Softplus', [z]), e.constant('float32', [beta])]);
      e.node('Where', [e.op('Greater', [z, e.constant('float32', [threshold])]), ins[0], soft], outs);
    },
  });

/** x * relu6(x + 3) / 6 (ONNX HardSwish, TFLite HARD_SWISH). */
export const HARDSWISH = activation<NoAttrs>('hardswish', (x, o) => hardswishMap(x, o), (x, g, o) => hardswishGradMap(x, g, o),
  (x, g, u) => where(x.gt(-3).mul(x.lt(3)), u.mul(g).div(3), 0), {
    fuse: fuse1((x) => `hardswish(${x})`, { hardswish: scalar.hardswish }),
    gradFuse: fuse2((x, g) => `(${x} < -3 ? 0 : ${x} <= 3 ? ${g} * (${x} / 3 + 0.5) : ${g})`),
    onnx: emit.unary('HardSwish'),
  });

/** relu6(x + 3) / 6 (ONNX HardSigmoid with alpha 1/6, beta 0.5). */
export const HARDSIGMOID = activation<NoAttrs>('hardsigmoid', (x, o) => hardsigmoidMap(x, o),
  (x, g, o) => hardsigmoidGradMap(x, g, o), null, {
    fuse: fuse1((x) => `(${x} <= -3 ? 0 : ${x} >= 3 ? 1 : ${x} / 6 + 0.5)`),
    gradFuse: fuse2((x, g) => `(${x} > -3 && ${x} < 3 ? ${g} / 6 : 0)`),
    onnx: (e, _n, ins, outs) => { e.node('HardSigmoid', [ins[0]], outs, { alpha: { f: 1 / 6 }, beta: { f: 0.5 } }); },
  });

/** @example tg.erf(x) */
export function erf(x: Tensor): Tensor {
  return apply1(ERF, [x], {});
}

/** @example tg.leakyRelu(x, 0.2) */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return apply1(LEAKY_RELU, [x], { negativeSlope });
}

/** @example tg.elu(x, 1) */
export function elu(x: Tensor, alpha = 1): Tensor {
  return apply1(ELU, [x], { alpha });
}

/** GELU; `approximate` is 'none' (exact, via erf) or 'tanh'. @example tg.gelu(x, 'tanh') */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  return apply1(GELU, [x], { approximate });
}

/** @example tg.silu(x) */
export function silu(x: Tensor): Tensor {
  return apply1(SILU, [x], {});
}

/** @example tg.softplus(x, 1, 20) */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  if (beta === 0) throw new ValueError('softplus: beta must be non-zero');
  return apply1(SOFTPLUS, [x], { beta, threshold });
}

/** @example tg.hardswish(x) */
export function hardswish(x: Tensor): Tensor {
  return apply1(HARDSWISH, [x], {});
}

/** @example tg.hardsigmoid(x) */
export function hardsigmoid(x: Tensor): Tensor {
  return apply1(HARDSIGMOID, [x], {});
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { PRELU_IMPORT } from '../convert/composite-import.js';
import { builtin, chain, composite, eluLike, ERF_TFLITE, HARDSIGMOID_IMPORT, onnx, SILU_TFLITE, SOFTPLUS_TFLITE } from '../convert/elementwise.js';
withTraits(ERF, { tflite: ERF_TFLITE, onnxImport: onnx('Erf', 'erf') });
const ELU_ONE = composite((b) => b.out('ELU', [b.x()]));
const ELU_ALPHA = eluLike((n) => n.attrs.alpha as number);
withTraits(LEAKY_RELU, {
  tflite: builtin('LEAKY_RELU', false, (n) => ({ alpha: n.attrs.negativeSlope as number })),
  onnxImport: { LeakyRelu: (c) => c.op('leakyRelu', [c.input(0)], { negativeSlope: c.attr('alpha', 0.01) }), PRelu: PRELU_IMPORT },
});
withTraits(ELU, {
  // TFLite ELU has alpha 1; another alpha: relu(x) + alpha min(ELU(x), 0)
  tflite: { builtin: 'ELU', lower: (ctx) => (ctx.node.attrs.alpha === 1 ? ELU_ONE.lower! : ELU_ALPHA.lower!)(ctx), layout: 'elementwise' },
  onnxImport: { Elu: (c) => c.op('elu', [c.input(0)], { alpha: c.attr('alpha', 1) }) },
});
withTraits(GELU, {
  tflite: builtin('GELU', false, (n) => ({ approximate: n.attrs.approximate === 'tanh' })),
  onnxImport: { Gelu: (c) => c.op('gelu', [c.input(0)], { approximate: c.attr('approximate', 'none') }) },
});
withTraits(SILU, { tflite: SILU_TFLITE });
withTraits(SOFTPLUS, { tflite: SOFTPLUS_TFLITE, onnxImport: { Softplus: (c) => c.op('softplus', [c.input(0)], { beta: 1, threshold: 20 }) } });
withTraits(HARDSWISH, { tflite: builtin('HARD_SWISH'), onnxImport: onnx('HardSwish', 'hardswish') });
withTraits(HARDSIGMOID, { tflite: chain(['ADD', 3], ['RELU6'], ['MUL', 1 / 6]), onnxImport: { HardSigmoid: HARDSIGMOID_IMPORT } });
