/** ZEROS_LIKE: zeros of the input's shape and dtype. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { input, numElements, output, setOutput } from './util/check.js';

export const ZEROS_LIKE: LiteOp<{ n: number }> = {
  code: BuiltinOp.ZEROS_LIKE,
  name: 'ZEROS_LIKE',
  prepare(node) {
    const x = input('ZEROS_LIKE', node, 0);
    setOutput('ZEROS_LIKE', node, output('ZEROS_LIKE', node, 0), [...x.shape], x.dtype);
    return { n: numElements(x.shape) };
  },
  run(node: OpNode, { n }) {
    const y = node.outputs[0]!.data;
    if (y instanceof BigInt64Array) y.fill(0n, 0, n);
    else (y as Float32Array).fill(0, 0, n);
  },
};
