import { apply1 } from '../dispatch.js';
import { noGrad } from '../autograd.js';
import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, fmtShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { defineOp } from './registry.js';
import { broadcastInto } from './util.js';

/**
 * Writes `value` into `target`'s storage in place and returns the new value.
 * The one side-effecting primitive: optimizers, running statistics and
 * loadStateDict use it, so the same code updates state eagerly and inside tg.jit.
 */
export const ASSIGN = defineOp<Record<string, never>>({
  name: 'assign',
  onnx: { notExported: 'state updates belong to training graphs; export the inference function' },
  sideEffect: true,
  infer([target, value]) {
    if (target.dtype !== value.dtype) throw new DTypeError(`assign: value is ${value.dtype}, target is ${target.dtype}`);
    if (!shapesEqual(broadcastShapes('assign', target.shape, value.shape), target.shape)) {
      throw new ShapeError(`assign: value ${fmtShape(value.shape)} does not broadcast to target ${fmtShape(target.shape)}`);
    }
    return [{ shape: target.shape, dtype: target.dtype }];
  },
  forward([target, value]) {
    broadcastInto(value.data, value.shape, target.data, target.shape);
    return [target.data];
  },
});

/**
 * In-place update without autograd history. @example tg.assign(p, p.sub(g.mul(lr)))
 */
export function assign(target: Tensor, value: Tensor): Tensor {
  const out = noGrad(() => apply1(ASSIGN, [target, value], {}));
  target._version++;
  return out;
}
