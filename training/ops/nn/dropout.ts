import { apply } from '../../dispatch.js';
import { DTypeError, ValueError } from '../../errors.js';
import { uniform } from '../../random.js';
import type { Tensor } from '../../tensor.js';
import { defineOp } from '../registry.js';
import { alloc } from '../util.js';

export interface DropoutAttrs { [k: string]: number; p: number }

/**
 * Training dropout (ONNX Dropout with its mask output): outputs [y, mask], y = x * mask / (1 - p).
 * It draws from the global generator (`tg.manualSeed`), so graph passes must
 * neither remove nor merge it: it is marked as having a side effect.
 */
export const DROPOUT = defineOp<DropoutAttrs>({
  name: 'dropout',
  onnx: (e, n, ins, outs) => {
    e.node('Dropout', [ins[0], e.constant('float32', [n.attrs.p as number]), e.constant('bool', [1])], outs);
  },
  sideEffect: true,
  infer([x]) {
    if (x.dtype !== 'float32') throw new DTypeError(`dropout: input is ${x.dtype}, expected float32`);
    return [{ shape: x.shape, dtype: 'float32' }, { shape: x.shape, dtype: 'bool' }];
  },
  forward([x], { p }, [o, om]) {
    const y = alloc(o) as Float32Array, mask = alloc(om) as Uint8Array;
    const src = x.data as Float32Array, scale = p < 1 ? 1 / (1 - p) : 0;
    for (let i = 0; i < src.length; i++) {
      if (uniform() >= p) { mask[i] = 1; y[i] = src[i] * scale; }
    }
    return [y, mask];
  },
  grad: ({ outputs: [, mask], attrs: { p }, gradOutputs: [g] }) => [g!.mul(mask).mul(p < 1 ? 1 / (1 - p) : 0)],
});

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p) when
 * training; returns x unchanged otherwise. Seeded by `tg.manualSeed`.
 * @example const h = tg.dropout(x, 0.5, model.training);
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: probability p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  return apply(DROPOUT, [x], { p })[0];
}
