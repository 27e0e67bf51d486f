import { noGrad } from '../autograd.js';
import { ValueError } from '../errors.js';
import { normal, uniform as uniform01 } from '../random.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** Fan-in and fan-out of a weight as torch computes them ([out, in, ...kernel]). @example tg.nn.init.fans(conv.weight) // [in * kH * kW, out * kH * kW] */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new ValueError(`init: fan in/out need a tensor with >= 2 dims, got ${t.ndim}`);
  const receptive = sizeOf(t.shape.slice(2));
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function fill(t: Tensor, f: () => number): Tensor {
  noGrad(() => {
    const d = t._values('init');
    for (let i = 0; i < d.length; i++) d[i] = f();
    t._version++;
  });
  return t;
}

/** In place: U(a, b). @example tg.nn.init.uniform_(w, -0.1, 0.1) */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return fill(t, () => a + (b - a) * uniform01());
}

/** In place: N(mean, std). @example tg.nn.init.normal_(w, 0, 0.02) */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, () => mean + std * normal());
}

/** In place: every element `v`. @example tg.nn.init.constant_(b, 0.1) */
export function constant_(t: Tensor, v: number): Tensor {
  return fill(t, () => v);
}

/** In place: zeros. @example tg.nn.init.zeros_(fc.bias!) */
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
/** In place: ones. @example tg.nn.init.ones_(bn.weight!) */
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** torch.nn.init.calculate_gain for the nonlinearities layers use. @example tg.nn.init.calculateGain('relu') // √2 */
export function calculateGain(nonlinearity: 'linear' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid', param = 0.01): number {
  switch (nonlinearity) {
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': return Math.sqrt(2 / (1 + param * param));
    case 'tanh': return 5 / 3;
    default: return 1;
  }
}

/** Kaiming/He uniform (torch's default for Linear/Conv weights uses a = sqrt(5)). @example tg.nn.init.kaimingUniform_(w, 0, 'fanIn', 'relu') */
export function kaimingUniform_(t: Tensor, a = 0, mode: 'fanIn' | 'fanOut' = 'fanIn', nonlinearity: 'relu' | 'leaky_relu' = 'leaky_relu'): Tensor {
  const [fanIn, fanOut] = fans(t);
  const std = calculateGain(nonlinearity, a) / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut);
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound);
}

/** Xavier/Glorot uniform. @example tg.nn.init.xavierUniform_(w) */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

/** Xavier/Glorot normal. @example tg.nn.init.xavierNormal_(w, tg.nn.init.calculateGain('tanh')) */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = fans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
