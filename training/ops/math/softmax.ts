import { softmaxAxis } from '../../../lite-runtime/kernels/math-softmax.js';
import { softmaxGradAxis } from '../../kernels/math-softmax.js';
import { apply1 } from '../../dispatch.js';
import { DTypeError } from '../../errors.js';
import { normalizeDim } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp, type OpDef } from '../registry.js';
import { alloc, describe } from '../util.js';
import { axisSizes } from './common.js';

/** Attrs of softmax/logSoftmax: the normalized dim. */
export interface SoftmaxAttrs { [k: string]: number; dim: number }

function defineSoftmax(name: 'softmax' | 'logSoftmax', log: boolean, grad: OpDef<SoftmaxAttrs>['grad']) {
  return defineOp<SoftmaxAttrs>({
    name,
    onnx: (e, n, ins, outs) => { e.node(log ? 'LogSoftmax' : 'Softmax', [emit.floatIn(e, n, ins)], outs, { axis: { i: n.attrs.dim as number } }); },
    infer([x]) {
      if (x.dtype !== 'float32') throw new DTypeError(`${name}: input is ${describe(x)}, expected float32`);
      return [{ shape: x.shape, dtype: x.dtype }];
    },
    forward([x], { dim }, [o]) {
      const out = alloc(o);
      const [outer, n, inner] = axisSizes(x.shape, dim);
      softmaxAxis(x.data, out, outer, n, inner, log);
      return [out];
    },
    grad,
  });
}

/** Softmax along one dim (ONNX Softmax opset 13, TFLite SOFTMAX on the last dim). */
export const SOFTMAX = defineSoftmax('softmax', false, ({ outputs: [y], attrs, gradOutputs: [g] }) =>
  [apply1(SOFTMAX_GRAD, [y, g!], attrs)]);

/** Log-softmax along one dim (ONNX LogSoftmax, TFLite LOG_SOFTMAX). */
export const LOG_SOFTMAX = defineSoftmax('logSoftmax', true, ({ outputs: [y], attrs, gradOutputs: [g] }) =>
  [apply1(LOG_SOFTMAX_GRAD, [y, g!], attrs)]);

function defineSoftmaxGrad(name: string, log: boolean, grad: OpDef<SoftmaxAttrs>['grad']): OpDef<SoftmaxAttrs> {
  return defineOp<SoftmaxAttrs>({
    name,
    onnx: { notExported: 'backward op (training graphs are not exported)' },
    infer: ([y]) => [{ shape: y.shape, dtype: y.dtype }],
    forward([y, g], { dim }, [o]) {
      const out = alloc(o);
      const [outer, n, inner] = axisSizes(y.shape, dim);
      softmaxGradAxis(y.data, g.data, out, outer, n, inner, log);
      return [out];
    },
    grad,
  });
}

/**
 * Backward of softmax from its output y and gradient g: y * (g - sum(g * y)), one fused kernel.
 * Its own gradient (for second derivatives): w.r.t. g the same op (the Jacobian is symmetric);
 * w.r.t. y, u * (g - sum(g y)) - g * sum(u y).
 */
const SOFTMAX_GRAD: OpDef<SoftmaxAttrs> = defineSoftmaxGrad('softmaxGrad', false, ({ inputs: [y, g], attrs, gradOutputs: [u] }) => {
  const { dim } = attrs;
  return [
    y.requiresGrad ? u!.mul(g.sub(g.mul(y).sum(dim, true))).sub(g.mul(u!.mul(y).sum(dim, true))) : null,
    g.requiresGrad ? apply1(SOFTMAX_GRAD, [y, u!], attrs) : null,
  ];
});

/**
 * Backward of logSoftmax from its output y and gradient g: g - exp(y) * sum(g), one fused kernel.
 * Its gradient: w.r.t. g, u - sum(u * exp(y)); w.r.t. y, -u * exp(y) * sum(g).
 */
const LOG_SOFTMAX_GRAD: OpDef<SoftmaxAttrs> = defineSoftmaxGrad('logSoftmaxGrad', true, ({ inputs: [y, g], attrs: { dim }, gradOutputs: [u] }) => {
  const p = y.exp();
  return [
    y.requiresGrad ? u!.mul(p).mul(g.sum(dim, true)).neg() : null,
    g.requiresGrad ? u!.sub(u!.mul(p).sum(dim, true)) : null,
  ];
});

/**
 * exp(x) / sum(exp(x)) along `dim`, computed stably (the max is subtracted first).
 * @example tg.softmax(logits, -1)
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return apply1(SOFTMAX, [x], { dim: normalizeDim('softmax', dim, x.ndim) });
}

/**
 * log(softmax(x)) along `dim`, computed as x - max - log(sum(exp(x - max))): no overflow, no log(0).
 * @example tg.logSoftmax(logits, 1)
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return apply1(LOG_SOFTMAX, [x], { dim: normalizeDim('logSoftmax', dim, x.ndim) });
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { softmaxImport } from '../convert/elementwise.js';
import { softmaxLowering } from '../convert/shape.js';
import { SOFTMAX_CROSS_ENTROPY_IMPORT } from '../convert/composite-import.js';
withTraits(SOFTMAX, { tflite: softmaxLowering('SOFTMAX'), onnxImport: { Softmax: softmaxImport('softmax') } });
withTraits(LOG_SOFTMAX, { tflite: softmaxLowering('LOG_SOFTMAX'), onnxImport: { LogSoftmax: softmaxImport('logSoftmax'), SoftmaxCrossEntropyLoss: SOFTMAX_CROSS_ENTROPY_IMPORT } });
