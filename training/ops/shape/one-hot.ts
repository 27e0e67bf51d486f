import { oneHot as oneHotKernel } from '../../kernels/shape-one-hot.js';
import { apply1 } from '../../dispatch.js';
import { IndexError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { defineOp } from '../registry.js';
import { coords, expectIndex } from './common.js';

/** indices.shape + [numClasses] int32 one-hot codes (ONNX OneHot, axis -1). */
export const ONE_HOT = defineOp<{ numClasses: number }>({
  name: 'oneHot',
  onnx: (e, n, ins, outs) => {
    // onnxruntime implements OneHot for int64 indices with float values; cast around it.
    const idx = e.op('Cast', [ins[0]], { to: { i: emit.DATA_TYPE.int64 } });
    const depth = e.constant('float32', [n.attrs.numClasses as number]);
    const hot = e.op('OneHot', [idx, depth, e.constant('float32', [0, 1], [2])], { axis: { i: -1 } });
    e.node('Cast', [hot], outs, { to: { i: emit.DATA_TYPE[n.outputs[0].dtype] } });
  },
  infer([x], { numClasses }) {
    expectIndex('oneHot', 'indices', x);
    if (!Number.isInteger(numClasses) || numClasses < 0) throw new ValueError(`oneHot: numClasses must be a non-negative integer, got ${numClasses}`);
    return [{ shape: [...x.shape, numClasses], dtype: 'int32' }];
  },
  forward([x], { numClasses }) {
    const out = new Int32Array(x.data.length * numClasses);
    const bad = oneHotKernel(x.data, numClasses, out);
    if (bad >= 0) {
      throw new IndexError(`oneHot: class index ${x.data[bad]} at indices position ${coords(bad, x.shape)} is out of range for ${numClasses} classes (valid 0..${numClasses - 1})`);
    }
    return [out];
  },
});

/**
 * One-hot codes of int32 class indices, as int32. With numClasses = -1 it is max(indices) + 1
 * (read from the values, so eager only).
 * @example tg.oneHot(tg.tensor([0, 2], { dtype: 'int32' }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  let n = numClasses;
  if (n === -1) {
    expectIndex('oneHot', 'indices', indices);
    const v = indices._values('oneHot with numClasses = -1');
    if (v.length === 0) throw new ValueError('oneHot: cannot infer numClasses from an empty tensor; pass numClasses');
    n = 1;
    for (let i = 0; i < v.length; i++) if (v[i] + 1 > n) n = v[i] + 1;
  }
  return apply1(ONE_HOT, [indices], { numClasses: n });
}
