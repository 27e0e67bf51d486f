import { apply1 } from '../../dispatch.js';
import { DTypeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { fuse2 } from '../fuse.js';
import { defineOp } from '../registry.js';
import { alloc, describe } from '../util.js';

/** torch's floor of each log term: a probability of exactly 0 or 1 costs 100, not Infinity. */
const LOG_FLOOR = -100;
/** torch's floor of p(1 - p) in the gradient: saturated probabilities give large finite gradients, never NaN. */
const GRAD_EPS = 1e-12;

/**
 * Elementwise binary cross-entropy of probabilities p against targets y (torch's
 * binary_cross_entropy before reduction): -(y·max(log p, -100) + (1 - y)·max(log(1 - p), -100)).
 * Its gradient in p is torch's, (p - y) / max(p(1 - p), 1e-12), finite at p = 0 or 1.
 */
export const BINARY_CROSS_ENTROPY = defineOp({
  name: 'binaryCrossEntropy',
  elementwise: true,
  fuse: fuse2((p, y) => `-(${y} * Math.max(Math.log(${p}), ${LOG_FLOOR}) + (1 - ${y}) * Math.max(Math.log(1 - ${p}), ${LOG_FLOOR}))`),
  onnx: (e, _n, [p, y], outs) => {
    const floor = e.constant('float32', [LOG_FLOOR]), one = e.constant('float32', [1]);
    const logP = e.op('Max', [e.op('Log', [p]), floor]);
    const log1mP = e.op('Max', [e.op('Log', [e.op('Sub', [one, p])]), floor]);
    const sum = e.op('Add', [e.op('Mul', [y, logP]), e.op('Mul', [e.op('Sub', [one, y]), log1mP])]);
    e.node('Neg', [sum], outs);
  },
  infer([p, y]) {
    for (const t of [p, y]) if (t.dtype !== 'float32') throw new DTypeError(`binaryCrossEntropy: input is ${describe(t)}, expected float32`);
    return [{ shape: p.shape, dtype: 'float32' }];
  },
  forward([p, y], _a, [o]) {
    const out = alloc(o), pd = p.data, yd = y.data;
    for (let i = 0; i < out.length; i++) {
      out[i] = -(yd[i] * Math.max(Math.log(pd[i]), LOG_FLOOR) + (1 - yd[i]) * Math.max(Math.log(1 - pd[i]), LOG_FLOOR));
    }
    return [out];
  },
  grad: ({ inputs: [p, y], gradOutputs: [g] }) => [
    g!.mul(p.sub(y)).div(p.neg().add(1).mul(p).clamp(GRAD_EPS)),
    // torch's target gradient has no floor: log(1 - p) - log(p), infinite at p = 0 or 1.
    g!.mul(p.neg().add(1).log().sub(p.log())),
  ],
});

/** Per-element binary cross-entropy (same shapes; the loss function checks and reduces). */
export function binaryCrossEntropyElementwise(p: Tensor, y: Tensor): Tensor {
  return apply1(BINARY_CROSS_ENTROPY, [p, y], {});
}
