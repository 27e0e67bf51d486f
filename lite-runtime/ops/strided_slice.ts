/**
 * STRIDED_SLICE with constant begin/end/strides (inputs 1..3) and TensorFlow's masks:
 * begin_mask/end_mask (take the full range), ellipsis_mask (one entry covers the
 * remaining dims), new_axis_mask (insert a size-1 dim), shrink_axis_mask (take one
 * index and drop the dim), and `offset` (end counts from begin). Any element type.
 */
import { BuiltinOp, StridedSliceOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { constInts, expect, fail, input, output, setOutput } from './util/check.js';
import { expectConst, runStrided, strided, stridesOf, type StridedPlan } from './util/layout.js';

const OP = 'STRIDED_SLICE';

interface Dense { begin: number; end: number; stride: number; beginMasked: boolean; endMasked: boolean; shrink: boolean }

function plan(node: OpNode): { shape: number[]; sizes: number[]; starts: number[]; steps: number[] } {
  const x = input(OP, node, 0);
  const operands = [1, 2, 3].map((i) => {
    const t = input(OP, node, i);
    expectConst(OP, node, ['begin', 'end', 'strides'][i - 1]!, t);
    return constInts(OP, node, ['begin', 'end', 'strides'][i - 1]!, t);
  });
  const [begin, end, strides] = operands as [number[], number[], number[]];
  const n = begin.length;
  expect(OP, node, end.length === n && strides.length === n, () => `begin, end and strides need equal lengths, got ${n}, ${end.length}, ${strides.length}`);
  const o = node.options;
  const bm = o ? o.i32(F.begin_mask, 0) : 0, em = o ? o.i32(F.end_mask, 0) : 0;
  let elm = o ? o.i32(F.ellipsis_mask, 0) : 0;
  const nam = o ? o.i32(F.new_axis_mask, 0) : 0, sam = o ? o.i32(F.shrink_axis_mask, 0) : 0;
  const offset = o ? o.bool(F.offset, false) : false;
  const rank = x.shape.length;
  let sparse = n;
  if (elm === 0) { elm = 1 << n; sparse = n + 1; } // an implicit trailing ellipsis
  expect(OP, node, (elm & (elm - 1)) === 0, () => `ellipsis_mask ${elm} has more than one bit set`);
  const dense: Dense[] = [];
  // final output: 'n' = new axis, number = dense dim index
  const finalDims: Array<number | 'n'> = [];
  for (let i = 0; i < sparse; i++) {
    if (elm & (1 << i)) {
      let newAfter = 0;
      for (let j = i + 1; j < n; j++) if (nam & (1 << j)) newAfter++;
      const next = Math.min(rank - (sparse - i) + 1 + newAfter, rank);
      while (dense.length < next) {
        finalDims.push(dense.length);
        dense.push({ begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false });
      }
    } else if (nam & (1 << i)) {
      finalDims.push('n');
    } else {
      if (dense.length >= rank) throw fail(OP, node, `slice spec has more dims than the input's rank ${rank}`);
      const b = begin[i]!, e = offset ? begin[i]! + end[i]! : end[i]!;
      const shrink = (sam & (1 << i)) !== 0;
      if (!shrink) finalDims.push(dense.length);
      dense.push({ begin: b, end: e, stride: strides[i]!, beginMasked: (bm & (1 << i)) !== 0, endMasked: (em & (1 << i)) !== 0, shrink });
    }
  }
  while (dense.length < rank) {
    finalDims.push(dense.length);
    dense.push({ begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false });
  }
  const sizes: number[] = [], starts: number[] = [], steps: number[] = [];
  dense.forEach((d, i) => {
    const dim = x.shape[i]!;
    if (d.shrink) {
      const b = d.begin < 0 ? d.begin + dim : d.begin;
      expect(OP, node, b >= 0 && b < dim, () => `shrink index ${d.begin} is out of range for dim ${i} of size ${dim}`);
      sizes.push(1); starts.push(b); steps.push(1);
      return;
    }
    const s = d.stride;
    expect(OP, node, s !== 0 && Number.isInteger(s), () => `stride of dim ${i} must be a non-zero integer, got ${s}`);
    const clamp = (v: number): number => (s > 0 ? Math.min(Math.max(v, 0), dim) : Math.min(Math.max(v, -1), dim - 1));
    const b = d.beginMasked ? (s > 0 ? 0 : dim - 1) : clamp(d.begin < 0 ? d.begin + dim : d.begin);
    const e = d.endMasked ? (s > 0 ? dim : -1) : clamp(d.end < 0 ? d.end + dim : d.end);
    const size = s > 0 ? Math.max(0, Math.ceil((e - b) / s)) : Math.max(0, Math.ceil((b - e) / -s));
    sizes.push(size); starts.push(b); steps.push(s);
  });
  const shape = finalDims.map((d) => (d === 'n' ? 1 : sizes[d]!));
  return { shape, sizes, starts, steps };
}

export const STRIDED_SLICE: LiteOp<StridedPlan> = {
  code: BuiltinOp.STRIDED_SLICE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0);
    const p = plan(node);
    setOutput(OP, node, output(OP, node, 0), p.shape, x.dtype);
    return strided(p.sizes, p.starts, p.steps, stridesOf(x.shape));
  },
  run: runStrided,
};
