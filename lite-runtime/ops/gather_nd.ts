/**
 * GATHER_ND: indices [..., k] (int32/int64) pick slices params[i0, ..., ik-1, :] ->
 * output [...indices.shape[:-1], ...params.shape[k:]]; any element type. An index out
 * of range is a KernelError at run.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, expectDType, fail, input, numElements, output, setOutput } from './util/check.js';
import { stridesOf } from './util/layout.js';

const OP = 'GATHER_ND';

interface State { k: number; count: number; slice: number; dims: number[]; strides: number[] }

export const GATHER_ND: LiteOp<State> = {
  code: BuiltinOp.GATHER_ND,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), idx = input(OP, node, 1);
    expectDType(OP, node, 'indices', idx, 'int32', 'int64');
    const k = idx.shape[idx.shape.length - 1] ?? 0;
    expect(OP, node, idx.shape.length >= 1 && k >= 1 && k <= x.shape.length,
      () => `${describe('indices', idx)}: last dim must be in [1, ${x.shape.length}] for ${describe('params', x)}`);
    const shape = [...idx.shape.slice(0, -1), ...x.shape.slice(k)];
    setOutput(OP, node, output(OP, node, 0), shape, x.dtype);
    const st = stridesOf(x.shape);
    return { k, count: numElements(idx.shape.slice(0, -1)), slice: numElements(x.shape.slice(k)), dims: x.shape.slice(0, k), strides: st.slice(0, k) };
  },
  run(node: OpNode, s: State) {
    const x = node.inputs[0]!.data as Float32Array, ids = node.inputs[1]!.data as Int32Array | BigInt64Array;
    const y = node.outputs[0]!.data as Float32Array;
    for (let j = 0, yo = 0; j < s.count; j++) {
      let src = 0;
      for (let d = 0; d < s.k; d++) {
        const v = Number(ids[j * s.k + d]!);
        if (!(v >= 0 && v < s.dims[d]!)) throw fail(OP, node, `index ${v} (entry ${j}, dim ${d}) is out of range [0, ${s.dims[d]})`);
        src += v * s.strides[d]!;
      }
      for (let e = 0; e < s.slice; e++) y[yo++] = x[src + e]!;
    }
  },
};
