import { adaptiveAvgPool2dBackwardNCHW, adaptiveAvgPool2dNCHW } from '../../kernels/nn-pool.js';
import { apply1 } from '../../dispatch.js';
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp, type OpDef } from '../registry.js';
import { forwardFresh, type ForwardInto } from '../util.js';
import { expectRank } from './args.js';

export interface AdaptiveAttrs { [k: string]: readonly number[]; outputSize: readonly number[] }
export interface AdaptiveBackwardAttrs { [k: string]: readonly number[]; inputSize: readonly number[] }

const adaptiveInto: ForwardInto<AdaptiveAttrs> = ([x], { outputSize: [oh, ow] }, [y]) =>
  adaptiveAvgPool2dNCHW(x.data as Float32Array, y as Float32Array, x.shape[0] * x.shape[1], x.shape[2], x.shape[3], oh, ow);
const adaptiveBackwardInto: ForwardInto<AdaptiveBackwardAttrs> = ([gy], { inputSize: [h, w] }, [dx]) =>
  adaptiveAvgPool2dBackwardNCHW(gy.data as Float32Array, dx as Float32Array, gy.shape[0] * gy.shape[1], h, w, gy.shape[2], gy.shape[3]);

/** adaptiveAvgPool2d(x): x [N, C, H, W] -> [N, C, oh, ow], window i = [floor(i*H/oh), ceil((i+1)*H/oh)). */
export const ADAPTIVE_AVG_POOL2D: OpDef<AdaptiveAttrs> = defineOp<AdaptiveAttrs>({
  name: 'adaptiveAvgPool2d',
  onnx: (e, n, ins, outs) => {
    const [h, w] = n.inputs[0].shape.slice(2);
    const [oh, ow] = emit.ints(n, 'outputSize');
    if (oh === 1 && ow === 1) { e.node('GlobalAveragePool', ins, outs); return; }
    if (h % oh || w % ow) throw emit.unsupported(n, `an output size ${oh}x${ow} that does not divide the input ${h}x${w}`);
    const k = [h / oh, w / ow];
    e.node('AveragePool', ins, outs, { kernel_shape: { ints: k }, strides: { ints: k } });
  },
  infer([x], { outputSize: [oh, ow] }) {
    expectRank('adaptiveAvgPool2d', 'input', x, 4, '[N, C, H, W]');
    if ((x.shape[2] === 0 && oh > 0) || (x.shape[3] === 0 && ow > 0)) {
      throw new ShapeError(`adaptiveAvgPool2d: cannot pool the empty spatial dims of ${fmtShape(x.shape)}`);
    }
    return [{ shape: [x.shape[0], x.shape[1], oh, ow], dtype: 'float32' }];
  },
  forward: forwardFresh(adaptiveInto),
  forwardInto: adaptiveInto,
  grad: ({ inputs: [x], gradOutputs: [g] }) => [apply1(ADAPTIVE_AVG_POOL2D_BACKWARD, [g!], { inputSize: x.shape.slice(2) })],
});

/** The gradient of adaptiveAvgPool2d: gy [N, C, oh, ow] -> dx [N, C, ...inputSize] (linear). */
export const ADAPTIVE_AVG_POOL2D_BACKWARD: OpDef<AdaptiveBackwardAttrs> = defineOp<AdaptiveBackwardAttrs>({
  name: 'adaptiveAvgPool2dBackward',
  onnx: { notExported: 'backward op (training graphs are not exported)' },
  infer([gy], { inputSize: [h, w] }) {
    expectRank('adaptiveAvgPool2dBackward', 'gradOutput', gy, 4, '[N, C, outH, outW]');
    return [{ shape: [gy.shape[0], gy.shape[1], h, w], dtype: 'float32' }];
  },
  forward: forwardFresh(adaptiveBackwardInto),
  forwardInto: adaptiveBackwardInto,
  grad: ({ inputs: [gy], gradOutputs: [g] }) => [apply1(ADAPTIVE_AVG_POOL2D, [g!], { outputSize: gy.shape.slice(2) })],
});

/**
 * Adaptive average pooling to a fixed output size (PyTorch's F.adaptive_avg_pool2d);
 * null keeps that input dim. Input [N, C, H, W] or [C, H, W].
 * @example tg.adaptiveAvgPool2d(x, 1)          // global average pool -> [N, C, 1, 1]
 * @example tg.adaptiveAvgPool2d(x, [7, null])
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`adaptiveAvgPool2d: input must be 3-D [C, H, W] or 4-D [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  const sizes = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (!Array.isArray(sizes) || sizes.length !== 2) throw new ValueError(`adaptiveAvgPool2d: outputSize must be a number or a pair, got ${JSON.stringify(outputSize)}`);
  const out = sizes.map((s, i) => (s === null ? x.shape[x.ndim - 2 + i] : s));
  if (!out.every((s) => Number.isInteger(s) && s >= 0)) throw new ValueError(`adaptiveAvgPool2d: outputSize must be non-negative integers, got ${JSON.stringify(outputSize)}`);
  if (x.ndim === 4) return apply1(ADAPTIVE_AVG_POOL2D, [x], { outputSize: out });
  const y = apply1(ADAPTIVE_AVG_POOL2D, [x.reshape([1, ...x.shape])], { outputSize: out });
  return y.reshape(y.shape.slice(1));
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { ADAPTIVE_AVG_POOL2D_TFLITE, GLOBAL_AVG_POOL_IMPORT } from '../convert/nn.js';
withTraits(ADAPTIVE_AVG_POOL2D, { tflite: ADAPTIVE_AVG_POOL2D_TFLITE, onnxImport: { GlobalAveragePool: GLOBAL_AVG_POOL_IMPORT } });
