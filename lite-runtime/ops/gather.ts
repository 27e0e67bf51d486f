/**
 * GATHER along `axis` (GatherOptions; negative counts from the end) with int32/int64
 * indices (negative indices count from the end, like TFLite's GATHER); any element type.
 * An index out of range is a KernelError at run (never an out-of-bounds read).
 * `batch_dims` b: the first b dims of params and indices pair up (gathered per batch).
 * The copy is the kernels' take.
 */
import { BuiltinOp, GatherOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, expectDType, fail, input, numElements, output, setOutput } from './util/check.js';
import { normAxis } from './util/layout.js';
import { take } from '../kernels/shape-take.js';

const OP = 'GATHER';

interface State { batch: number; outer: number; dim: number; inner: number; count: number; shape: number[] }

export const GATHER: LiteOp<State> = {
  code: BuiltinOp.GATHER,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), idx = input(OP, node, 1);
    expectDType(OP, node, 'indices', idx, 'int32', 'int64');
    expect(OP, node, x.shape.length >= 1, () => 'params must have rank >= 1');
    const axis = normAxis(OP, node, node.options ? node.options.i32(F.axis, 0) : 0, x.shape.length);
    let bd = node.options ? node.options.i32(F.batch_dims, 0) : 0;
    if (bd < 0) bd += idx.shape.length;
    expect(OP, node, bd >= 0 && bd <= axis && bd <= idx.shape.length && x.shape.slice(0, bd).every((d, i) => d === idx.shape[i]),
      () => `batch_dims ${bd} must be in [0, axis ${axis}] with matching leading dims of ${describe('params', x)} and ${describe('indices', idx)}`);
    const shape = [...x.shape.slice(0, axis), ...idx.shape.slice(bd), ...x.shape.slice(axis + 1)];
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    let batch = 1, outer = 1, inner = 1;
    for (let d = 0; d < bd; d++) batch *= x.shape[d]!;
    for (let d = bd; d < axis; d++) outer *= x.shape[d]!;
    for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
    return { batch, outer, dim: x.shape[axis]!, inner, count: numElements(idx.shape.slice(bd)), shape: [outer, x.shape[axis]!, inner] };
  },
  run(node: OpNode, s: State) {
    const x = node.inputs[0]!.data as Float32Array, ids = node.inputs[1]!.data as Int32Array | BigInt64Array;
    const y = node.outputs[0]!.data as Float32Array;
    const { batch, outer, dim, inner, count } = s, xn = outer * dim * inner, yn = outer * count * inner;
    for (let b = 0; b < batch; b++) {
      const bad = batch === 1 ? take(x, s.shape, ids, 1, y, true)
        : take(x.subarray(b * xn, b * xn + xn), s.shape, ids.subarray(b * count, b * count + count), 1, y.subarray(b * yn, b * yn + yn), true);
      if (bad >= 0) {
        const at = b * count + bad;
        throw fail(OP, node, `index ${Number(ids[at]!)} at position ${at} is out of range [-${dim}, ${dim})`);
      }
    }
  },
};
