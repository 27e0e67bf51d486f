/**
 * GATHER along `axis` (GatherOptions; negative counts from the end) with int32/int64
 * indices (negative indices count from the end, like TFLite's GATHER); any element type.
 * An index out of range is a KernelError at run (never an out-of-bounds read).
 * `batch_dims` > 0 is rejected at prepare.
 */
import { BuiltinOp, GatherOptions as F } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { expect, expectDType, fail, input, numElements, output, setOutput } from './util/check.js';
import { normAxis } from './util/layout.js';

const OP = 'GATHER';

interface State { outer: number; dim: number; inner: number; count: number }

export const GATHER: OpDef<State> = {
  code: BuiltinOp.GATHER,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), idx = input(OP, node, 1);
    expectDType(OP, node, 'indices', idx, 'int32', 'int64');
    expect(OP, node, x.shape.length >= 1, () => 'params must have rank >= 1');
    const axis = normAxis(OP, node, node.options ? node.options.i32(F.axis, 0) : 0, x.shape.length);
    const batchDims = node.options ? node.options.i32(F.batch_dims, 0) : 0;
    expect(OP, node, batchDims === 0, () => `batch_dims ${batchDims} is not supported (only 0)`);
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    return { outer, dim: x.shape[axis]!, inner, count: numElements(idx.shape) };
  },
  run(node: OpNode, s: State) {
    const x = node.inputs[0]!.data as Float32Array, ids = node.inputs[1]!.data as Int32Array | BigInt64Array;
    const y = node.outputs[0]!.data as Float32Array;
    const { outer, dim, inner, count } = s;
    let yo = 0;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < count; j++) {
        let k = Number(ids[j]!);
        if (k < 0) k += dim;
        if (!(k >= 0 && k < dim)) throw fail(OP, node, `index ${Number(ids[j]!)} at position ${j} is out of range [0, ${dim})`);
        const xo = (o * dim + k) * inner;
        for (let e = 0; e < inner; e++) y[yo++] = x[xo + e]!;
      }
    }
  },
};
