import {
  celuGradMap, celuMap, logsigmoid as logsigmoidScalar, logsigmoidGrad, logsigmoidGradMap, logsigmoidMap, mish as mishScalar,
  mishGrad, mishGradMap, mishMap, selu as seluScalar, SELU_ALPHA, SELU_SCALE, seluGrad, seluGradMap, seluMap,
  softsign as softsignScalar, softsignGrad, softsignGradMap, softsignMap,
} from '../../kernels/math-activation-more.js';
import { apply1 } from '../../dispatch.js';
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { fuse1, fuse2, num } from '../fuse.js';
import { where } from '../where.js';
import { defineActivation, softplus } from './activation.js';

/*
 * More of PyTorch's activations (mish, logsigmoid, softsign, selu, celu), each an
 * elementwise op with a fused backward op (`${name}Grad`), defined like those in
 * activation.ts. The eager kernels and the fuse expressions call the same scalar
 * functions (training/kernels/math-activation-more.ts), so the jit equals eager.
 */

type NoAttrs = Record<string, never>;

/** x * tanh(softplus(x)) (ONNX: Mul(x, Tanh(Softplus(x)))). */
export const MISH = defineActivation<NoAttrs>('mish', (x, o) => mishMap(x, o), (x, g, o) => mishGradMap(x, g, o),
  (x, g, u) => {
    // f'' = s (1 - t^2) (2 + x (1 - s - 2 t s)), t = tanh(softplus(x)), s = sigmoid(x)
    const t = softplus(x).tanh(), s = x.sigmoid();
    return u.mul(g).mul(s.mul(t.mul(t).neg().add(1))).mul(x.mul(s.neg().add(1).sub(t.mul(s).mul(2))).add(2));
  }, {
    fuse: fuse1((x) => `mish(${x})`, { mish: mishScalar }),
    gradFuse: fuse2((x, g) => `${g} * mishGrad(${x})`, { mishGrad }),
    onnx: (e, _n, ins, outs) => { e.node('Mul', [ins[0], e.op('Tanh', [e.op('Softplus', [ins[0]])])], outs); },
  });

/** log(sigmoid(x)), finite for large |x| (ONNX: -Softplus(-x)). */
export const LOGSIGMOID = defineActivation<NoAttrs>('logsigmoid', (x, o) => logsigmoidMap(x, o),
  (x, g, o) => logsigmoidGradMap(x, g, o),
  (x, g, u) => { const s = x.sigmoid(); return u.mul(g).mul(s.mul(s.neg().add(1))).neg(); }, {
    fuse: fuse1((x) => `logsigmoid(${x})`, { logsigmoid: logsigmoidScalar }),
    gradFuse: fuse2((x, g) => `${g} * logsigmoidGrad(${x})`, { logsigmoidGrad }),
    onnx: (e, _n, ins, outs) => { e.node('Neg', [e.op('Softplus', [e.op('Neg', [ins[0]])])], outs); },
  });

/** x / (1 + |x|) (ONNX Softsign). */
export const SOFTSIGN = defineActivation<NoAttrs>('softsign', (x, o) => softsignMap(x, o), (x, g, o) => softsignGradMap(x, g, o),
  (x, g, u) => { const d = x.abs().add(1); return u.mul(g).mul(x.sign()).mul(-2).div(d.mul(d).mul(d)); }, {
    fuse: fuse1((x) => `softsign(${x})`, { softsign: softsignScalar }),
    gradFuse: fuse2((x, g) => `${g} * softsignGrad(${x})`, { softsignGrad }),
    onnx: emit.unary('Softsign'),
  });

/** scale * elu(x, alpha) with torch's fixed alpha and scale (ONNX Selu). */
export const SELU = defineActivation<NoAttrs>('selu', (x, o) => seluMap(x, o), (x, g, o) => seluGradMap(x, g, o),
  (x, g, u) => where(x.gt(0), 0, u.mul(g).mul(x.exp().mul(SELU_SCALE * SELU_ALPHA))), {
    fuse: fuse1((x) => `selu(${x})`, { selu: seluScalar }),
    gradFuse: fuse2((x, g) => `${g} * seluGrad(${x})`, { seluGrad }),
    onnx: (e, _n, ins, outs) => { e.node('Selu', [ins[0]], outs, { alpha: { f: SELU_ALPHA }, gamma: { f: SELU_SCALE } }); },
  });

/** x > 0 ? x : alpha * (exp(x / alpha) - 1) (ONNX Celu). */
export const CELU = defineActivation<{ alpha: number }>('celu', (x, o, a) => celuMap(x, o, a.alpha),
  (x, g, o, a) => celuGradMap(x, g, o, a.alpha),
  (x, g, u, a) => where(x.gt(0), 0, u.mul(g).mul(x.div(a.alpha).exp().div(a.alpha))), {
    fuse: fuse1((x, a) => `(sw[0] = ${num(a.alpha)} * Math.expm1(${x} / ${num(a.alpha)}), sw[1] = ${x}, sw[+(${x} > 0)])`),
    gradFuse: fuse2((x, g, a) => `(sw[0] = ${g} * Math.exp(${x} / ${num(a.alpha)}), sw[1] = ${g}, sw[+(${x} > 0)])`),
    onnx: (e, n, ins, outs) => { e.node('Celu', [ins[0]], outs, { alpha: { f: n.attrs.alpha as number } }); },
  });

/** Mish, x * tanh(softplus(x)) (torch's F.mish). @example tg.mish(x) */
export function mish(x: Tensor): Tensor {
  return apply1(MISH, [x], {});
}

/** log(sigmoid(x)), computed without overflow (torch's F.logsigmoid). @example tg.logsigmoid(x) */
export function logsigmoid(x: Tensor): Tensor {
  return apply1(LOGSIGMOID, [x], {});
}

/** x / (1 + |x|) (torch's F.softsign). @example tg.softsign(x) */
export function softsign(x: Tensor): Tensor {
  return apply1(SOFTSIGN, [x], {});
}

/** Scaled ELU with torch's constants, alpha ≈ 1.6733 and scale ≈ 1.0507 (torch's F.selu). @example tg.selu(x) */
export function selu(x: Tensor): Tensor {
  return apply1(SELU, [x], {});
}

/** Continuously differentiable ELU: max(0, x) + min(0, alpha (exp(x / alpha) - 1)) (torch's F.celu). @example tg.celu(x, 0.5) */
export function celu(x: Tensor, alpha = 1): Tensor {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha === 0) throw new ValueError(`celu: alpha must be a finite non-zero number, got ${String(alpha)}`);
  return apply1(CELU, [x], { alpha });
}

// Converter traits: lowerings to TFLite builtins and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { eluLike, LOGSIGMOID_TFLITE, MISH_TFLITE, onnx, SOFTSIGN_TFLITE } from '../convert/elementwise.js';
withTraits(MISH, { tflite: MISH_TFLITE, onnxImport: onnx('Mish', 'mish') });
withTraits(LOGSIGMOID, { tflite: LOGSIGMOID_TFLITE });
withTraits(SOFTSIGN, { tflite: SOFTSIGN_TFLITE, onnxImport: onnx('Softsign', 'softsign') });
withTraits(SELU, {
  tflite: eluLike(() => SELU_ALPHA, SELU_SCALE),
  // ONNX Selu with other constants: gamma * elu(x, alpha)
  onnxImport: {
    Selu: (c) => {
      const alpha = c.attr('alpha', SELU_ALPHA), gamma = c.attr('gamma', SELU_SCALE);
      if (Math.abs(alpha - SELU_ALPHA) < 1e-6 && Math.abs(gamma - SELU_SCALE) < 1e-6) return c.op('selu', [c.input(0)]);
      return c.op('mul', [c.op('elu', [c.input(0)], { alpha }), c.f32(gamma)]);
    },
  },
});
withTraits(CELU, {
  tflite: eluLike((n) => n.attrs.alpha as number, 1, (n) => n.attrs.alpha as number),
  onnxImport: { Celu: (c) => c.op('celu', [c.input(0)], { alpha: c.attr('alpha', 1) }) },
});
