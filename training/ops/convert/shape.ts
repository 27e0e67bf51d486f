/**
 * Converter traits of shape, reduction and indexing ops. Ops that map axes
 * (reductions, concat, slice, pad, softmax) work in their input's layout with
 * the axes moved to physical positions, so NHWC values flow through them
 * without transposes; reshape works in the logical layout (free when only
 * size-1 dims move); permute is free when its input's layout absorbs it.
 */
import type { Node } from '../../graph/ir.js';
import type { OnnxImporter, OnnxImportContext, Perm, TfliteLowering, TfliteLowerContext } from '../convert-traits.js';
import type { BuiltinOpName } from '../../../lite-runtime/format/schema.js';
import { identity, inverse, isIdentity, permuted, physicalAxis, sameMemoryOrder, withoutAxes } from './perm.js';
import { emptyReduction } from './composite-import.js';

/** Layout rule: the output keeps input 0's layout (same rank). */
export const keepLayout = (inputs: readonly Perm[], n: Node): Perm | null =>
  inputs[0] && inputs[0].length === n.outputs[0].shape.length ? inputs[0] : null;

const i32 = (ctx: TfliteLowerContext, name: string, values: readonly number[], shape: readonly number[] = [values.length]) =>
  ctx.addConstant(`${name}_${ctx.node.outputs[0].id}`, shape, 'int32', Int32Array.from(values));

/** reshape: RESHAPE in the logical layout. */
export const RESHAPE_TFLITE: TfliteLowering = {
  lower(ctx) {
    const o = ctx.node.outputs[0].shape;
    const x = ctx.node.inputs[0];
    // a layout that only moves size-1 dims already holds the logical order: read it as it is
    const p = ctx.layoutOf(0);
    const src = sameMemoryOrder(x.shape, p, identity(p.length)) ? ctx.input(0, p) : ctx.input(0);
    // to a scalar: new_shape alone (a rank-0 shape tensor has no bytes, which a .tflite reads as "no data")
    ctx.emit('RESHAPE', o.length ? [src, i32(ctx, 'shape', o)] : [src], [ctx.output(0)], { new_shape: [...o] });
  },
};

/** permute: free when the output's layout absorbs it (the layout rule picks that), else TRANSPOSE. */
export const PERMUTE_TFLITE: TfliteLowering = {
  layout: (inputs, n) => {
    const p = n.attrs.perm as readonly number[];
    // output logical dim j is input logical dim p[j]; store it where the input keeps p[j]
    const q = inputs[0].map((d) => p.indexOf(d));
    return isIdentity(q) ? null : q;
  },
  lower(ctx) {
    const p = ctx.node.attrs.perm as readonly number[];
    const q = ctx.outputLayout(0);
    // physical order of the output (q) in input logical dims: p[q[i]]
    const want = q.map((d) => p[d]);
    ctx.alias(0, ctx.input(0, want));
  },
};

/** Reductions over `dims` (keepdim or not) in the input's layout. */
export function reduce(op: BuiltinOpName): TfliteLowering {
  return {
    layout: (inputs, n) => {
      const p = inputs[0];
      const dims = n.attrs.dims as readonly number[];
      return n.attrs.keepdim ? p : withoutAxes(p, dims);
    },
    lower(ctx) {
      const n = ctx.node;
      const p = ctx.layoutOf(0);
      const rank = p.length;
      let dims = (n.attrs.dims as readonly number[]).map((d) => (d < 0 ? d + rank : d));
      if (dims.length === 0) dims = identity(rank);
      const axes = dims.map((d) => physicalAxis(p, d)).sort((a, b) => a - b);
      ctx.emit(op, [ctx.input(0, p), i32(ctx, 'axes', axes)], [ctx.output(0)], { keep_dims: n.attrs.keepdim === true });
    },
  };
}

/** argmax / argmin over one dim -> ARG_MAX / ARG_MIN (int32), then a RESHAPE for keepdim. */
export function argReduce(op: 'ARG_MAX' | 'ARG_MIN'): TfliteLowering {
  return {
    check: (n) => (n.attrs.dim === null ? `${n.op} over the flattened tensor` : null),
    lower(ctx) {
      const n = ctx.node;
      const x = n.inputs[0];
      const dim = n.attrs.dim as number;
      const o = n.outputs[0];
      const flat = x.shape.filter((_, i) => i !== dim);
      const axis = i32(ctx, 'axis', [dim], [1]);
      if (!n.attrs.keepdim) { ctx.emit(op, [ctx.input(0), axis], [ctx.output(0)], { output_type: 'int32' }); return; }
      const t = ctx.addTensor(`arg_${o.id}`, flat, 'int32');
      ctx.emit(op, [ctx.input(0), axis], [t], { output_type: 'int32' });
      ctx.emit('RESHAPE', [t, i32(ctx, 'shape', o.shape)], [ctx.output(0)], { new_shape: [...o.shape] });
    },
  };
}

/** softmax / logSoftmax: along the last physical axis; the layout puts `dim` last. */
export function softmaxLowering(op: 'SOFTMAX' | 'LOG_SOFTMAX'): TfliteLowering {
  return {
    layout: (inputs, n) => {
      const dim = n.attrs.dim as number;
      const p = inputs[0];
      if (p[p.length - 1] === dim) return p;
      const q = identity(p.length).filter((d) => d !== dim);
      return [...q, dim];
    },
    lower(ctx) {
      const p = ctx.outputLayout(0);
      const opts = op === 'SOFTMAX' ? { beta: 1 } : undefined;
      const shape = p.map((d) => ctx.node.outputs[0].shape[d]);
      if (shape.length <= 4) { ctx.emit(op, [ctx.input(0, p)], [ctx.output(0)], opts); return; }
      // rank over 4 (the lite runtime's kernels take up to 6): rows along the last axis are independent, so as 2-D
      const rows = [shape.slice(0, -1).reduce((a, b) => a * b, 1), shape[shape.length - 1]];
      const id = ctx.node.outputs[0].id;
      const flat = ctx.addTensor(`softmax_in_${id}`, rows, 'float32'), res = ctx.addTensor(`softmax_out_${id}`, rows, 'float32');
      ctx.emit('RESHAPE', [ctx.input(0, p), ctx.addConstant(`softmax_rows_${id}`, [2], 'int32', Int32Array.from(rows))], [flat], { new_shape: rows });
      ctx.emit(op, [flat], [res], opts);
      ctx.emit('RESHAPE', [res, ctx.addConstant(`softmax_shape_${id}`, [shape.length], 'int32', Int32Array.from(shape))], [ctx.output(0)], { new_shape: shape });
    },
  };
}

/** cat: CONCATENATION along the physical position of `dim`, in the first input's layout. */
export const CAT_TFLITE: TfliteLowering = {
  fusesActivation: true,
  layout: keepLayout,
  lower(ctx) {
    const p = ctx.outputLayout(0);
    const dim = ctx.node.attrs.dim as number;
    const ins = ctx.node.inputs.map((_, i) => ctx.input(i, p));
    ctx.emit('CONCATENATION', ins, [ctx.output(0)], { axis: physicalAxis(p, dim), fused_activation_function: ctx.activation });
  },
};

/** slice along one dim: STRIDED_SLICE in the input's layout. */
export const SLICE_TFLITE: TfliteLowering = {
  layout: keepLayout,
  lower(ctx) {
    const { dim, start, end, step } = ctx.node.attrs as { dim: number; start: number; end: number; step: number };
    const p = ctx.outputLayout(0);
    const x = ctx.node.inputs[0];
    const rank = p.length;
    const ax = physicalAxis(p, dim);
    const begin = new Array(rank).fill(0), stop = new Array(rank).fill(0), strides = new Array(rank).fill(1);
    begin[ax] = start; stop[ax] = end; strides[ax] = step;
    // the other axes, and a slice to the end, take the full range with end_mask (no size baked in:
    // the dim may be dynamic); a negative step that runs through index 0 ends at -1, before the start
    const full = (step < 0 && end === -1) || (step > 0 && end >= x.shape[dim]!);
    const endMask = (((1 << rank) - 1) & ~(1 << ax)) | (full ? 1 << ax : 0);
    if (full) stop[ax] = 0;
    ctx.emit('STRIDED_SLICE', [ctx.input(0, p), i32(ctx, 'begin', begin), i32(ctx, 'end', stop), i32(ctx, 'strides', strides)], [ctx.output(0)],
      { begin_mask: 0, end_mask: endMask, ellipsis_mask: 0, new_axis_mask: 0, shrink_axis_mask: 0, offset: false });
  },
};

/** pad: PAD / PADV2 / MIRROR_PAD with the paddings in physical order. */
export const PAD_TFLITE: TfliteLowering = {
  layout: keepLayout,
  check: (n) => ((n.attrs.pads as number[]).some((v) => v < 0) ? 'negative pads (cropping)' : null),
  lower(ctx) {
    const n = ctx.node;
    const p = ctx.outputLayout(0);
    const rank = p.length;
    const pads = n.attrs.pads as readonly number[];
    const paddings = p.flatMap((d) => [pads[d], pads[d + rank]]);
    const x = ctx.input(0, p);
    const pt = i32(ctx, 'paddings', paddings, [rank, 2]);
    const mode = n.attrs.mode as string, value = n.attrs.value as number;
    if (mode === 'reflect') ctx.emit('MIRROR_PAD', [x, pt], [ctx.output(0)], { mode: 'REFLECT' });
    else if (mode === 'replicate') ctx.unsupported('pad mode replicate (edge)');
    else if (value === 0) ctx.emit('PAD', [x, pt], [ctx.output(0)]);
    else {
      const dt = n.inputs[0].dtype === 'float32' ? 'float32' : 'int32';
      const v = ctx.addConstant(`padv_${n.outputs[0].id}`, [], dt, dt === 'float32' ? Float32Array.of(value) : Int32Array.of(value));
      ctx.emit('PADV2', [x, pt, v], [ctx.output(0)]);
    }
  },
};

/** expand: BROADCAST_TO in the logical layout. */
export const EXPAND_TFLITE: TfliteLowering = {
  lower(ctx) {
    const o = ctx.node.outputs[0].shape;
    ctx.emit('BROADCAST_TO', [ctx.inputAligned(0, o.length, identity(o.length)), i32(ctx, 'shape', o)], [ctx.output(0)]);
  },
};

/** indexSelect (ONNX Gather): GATHER along `dim`. */
export const INDEX_SELECT_TFLITE: TfliteLowering = {
  lower(ctx) {
    ctx.emit('GATHER', [ctx.input(0), ctx.input(1)], [ctx.output(0)], { axis: ctx.node.attrs.dim as number, batch_dims: 0 });
  },
};

/** embedding (indices, weight): GATHER of rows. */
export const EMBEDDING_TFLITE: TfliteLowering = {
  lower(ctx) {
    ctx.emit('GATHER', [ctx.input(1), ctx.input(0)], [ctx.output(0)], { axis: 0, batch_dims: 0 });
  },
};

/** where(cond, a, b): SELECT_V2 over aligned inputs. */
export const WHERE_TFLITE: TfliteLowering = { builtin: 'SELECT_V2', layout: 'elementwise' };

/** cumsum along `dim`. */
export const CUMSUM_TFLITE: TfliteLowering = {
  layout: keepLayout,
  lower(ctx) {
    const p = ctx.outputLayout(0);
    ctx.emit('CUMSUM', [ctx.input(0, p), i32(ctx, 'axis', [physicalAxis(p, ctx.node.attrs.dim as number)], [])], [ctx.output(0)],
      { exclusive: false, reverse: ctx.node.attrs.reverse === true });
  },
};

// ---- ONNX import rules ----

/** Reshape: 0 copies the input's dim (allowzero 0), -1 is inferred. */
export const RESHAPE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const target = c.ints(1);
  const allowZero = c.attr('allowzero', 0) === 1;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const size = x.shape.reduce((a, b) => a * b, 1);
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  return c.op('reshape', [x], { shape: shape.map((d) => (d === -1 ? size / known : d)) });
};

export const FLATTEN_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  let axis = c.attr('axis', 1);
  if (axis < 0) axis += x.shape.length;
  const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  return c.op('reshape', [x], { shape: [prod(x.shape.slice(0, axis)), prod(x.shape.slice(axis))] });
};

function axesOf(c: OnnxImportContext, rank: number): number[] | null {
  const raw = c.opset >= 13 ? (c.has(1) ? c.ints(1) : null) : c.attr<readonly number[] | undefined>('axes', undefined) ?? null;
  return raw ? raw.map((a) => (a < 0 ? a + rank : a)) : null;
}

export const SQUEEZE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const axes = axesOf(c, x.shape.length) ?? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  return c.op('reshape', [x], { shape: x.shape.filter((_, i) => !axes.includes(i)) });
};

export const UNSQUEEZE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const outRank = x.shape.length + (c.opset >= 13 ? c.ints(1).length : (c.attr<readonly number[]>('axes', [])).length);
  const axes = axesOf(c, outRank) ?? [];
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) shape.push(axes.includes(i) ? 1 : x.shape[k++]);
  return c.op('reshape', [x], { shape });
};

export const TRANSPOSE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const perm = c.attr<readonly number[]>('perm', identity(x.shape.length).reverse());
  return c.op('permute', [x], { perm: [...perm] });
};

export const EXPAND_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const want = c.ints(1);
  const rank = Math.max(want.length, x.shape.length);
  const a = [...new Array(rank - x.shape.length).fill(1), ...x.shape];
  const b = [...new Array(rank - want.length).fill(1), ...want];
  const shape = a.map((d, i) => (d === 1 ? b[i] : d));
  return c.op('expand', [x], { shape });
};

export const CONCAT_IMPORT: OnnxImporter = (c) => {
  const ins = Array.from({ length: c.inputCount }, (_, i) => c.input(i)).filter((v) => v.shape.reduce((a, b) => a * b, 1) > 0 || v.shape.length > 1);
  let axis = c.attr('axis', 0);
  if (axis < 0) axis += ins[0].shape.length;
  return ins.length === 1 ? ins[0] : c.op('cat', ins, { dim: axis });
};

/** Slice (opset 10+): one IR slice per axis, bounds resolved like ONNX (clamped). */
export const SLICE_IMPORT: OnnxImporter = (c) => {
  let x = c.input(0);
  const starts = c.ints(1), ends = c.ints(2);
  const rank = x.shape.length;
  const axes = c.has(3) ? c.ints(3).map((a) => (a < 0 ? a + rank : a)) : starts.map((_, i) => i);
  const steps = c.has(4) ? c.ints(4) : starts.map(() => 1);
  axes.forEach((dim, k) => {
    const n = x.shape[dim], step = steps[k];
    let s = starts[k], e = ends[k];
    if (s < 0) s += n;
    if (e < 0) e += n;
    if (step > 0) { s = Math.min(Math.max(s, 0), n); e = Math.min(Math.max(e, 0), n); } else { s = Math.min(Math.max(s, -1), n - 1); e = Math.min(Math.max(e, -1), n - 1); }
    if (step === 1 && s === 0 && e === n) return;
    x = c.op('slice', [x], { dim, start: s, end: e, step });
  });
  return x;
};

/** Split: outputs as slices along `axis` (sizes from the input, the attribute, or num_outputs). */
export const SPLIT_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  let axis = c.attr('axis', 0);
  if (axis < 0) axis += x.shape.length;
  const n = x.shape[axis];
  let sizes: number[];
  if (c.opset >= 13 && c.has(1)) sizes = c.ints(1);
  else if (c.opset < 13 && c.attr('split') !== undefined) sizes = [...c.attr<readonly number[]>('split', [])];
  else {
    const parts = c.attr<number>('num_outputs', 0) || (c as unknown as { outputCount?: number }).outputCount || 1;
    const each = Math.ceil(n / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.min(each, n - i * each));
  }
  let at = 0;
  return sizes.map((s) => { const v = c.op('slice', [x], { dim: axis, start: at, end: at + s, step: 1 }); at += s; return v; });
};

/** Gather: indexSelect along `axis` (negative constant indices wrapped). */
export const GATHER_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  let axis = c.attr('axis', 0);
  if (axis < 0) axis += x.shape.length;
  let idx = c.input(1);
  const d = c.constant(1);
  if (d && Array.from(d).some((v) => v < 0)) {
    idx = c.constantValue(idx.shape, 'int32', Int32Array.from(d, (v) => (v < 0 ? v + x.shape[axis] : v)));
  }
  return c.op('indexSelect', [x, idx], { dim: axis });
};

/** Pad (opset 11+: pads and constant_value inputs). */
export const PAD_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const pads = c.opset >= 11 ? c.ints(1) : [...c.attr<readonly number[]>('pads', [])];
  const rank = x.shape.length;
  if (c.has(3)) {
    // axes input (opset 18): pads only those axes
    const axes = c.ints(3).map((a) => (a < 0 ? a + rank : a));
    const full = new Array(2 * rank).fill(0);
    axes.forEach((a, k) => { full[a] = pads[k]; full[a + rank] = pads[k + axes.length]; });
    pads.splice(0, pads.length, ...full);
  }
  const value = c.has(2) ? Number(c.constant(2)?.[0] ?? c.unsupported('Pad with a run-time value')) : 0;
  const mode = c.attr('mode', 'constant');
  if (mode === 'wrap') {
    // wrap-around: each dim gets its own end before and its start after (slices and a concatenation)
    let y = x;
    for (let d = 0; d < rank; d++) {
      const b = pads[d], a = pads[d + rank], n = y.shape[d];
      if (b === 0 && a === 0) continue;
      if (b < 0 || a < 0 || b > n || a > n) return c.unsupported(`Pad mode 'wrap' with pads (${b}, ${a}) on a dim of ${n}`);
      const parts = [...(b ? [c.op('slice', [y], { dim: d, start: n - b, end: n, step: 1 })] : []), y, ...(a ? [c.op('slice', [y], { dim: d, start: 0, end: a, step: 1 })] : [])];
      y = c.op('cat', parts, { dim: d });
    }
    return y;
  }
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') return c.unsupported(`Pad mode '${mode}'`);
  return c.op('pad', [x], { pads, mode: mode === 'edge' ? 'replicate' : mode, value });
};

const EMPTY_REDUCTION: Readonly<Record<string, number>> = { sum: 0, prod: 1, amax: -Infinity, amin: Infinity };

/** ReduceX: axes from the attribute (or, for ReduceSum from 13 and all from 18, the input). */
export function reduceImport(op: string): OnnxImporter {
  return (c) => {
    const x = c.input(0);
    const rank = x.shape.length;
    const fromInput = c.opset >= 18 || (c.opType === 'ReduceSum' && c.opset >= 13);
    let axes = fromInput ? (c.has(1) ? c.ints(1) : null) : c.attr<readonly number[] | undefined>('axes', undefined) ?? null;
    if (axes === null || axes.length === 0) {
      if (c.attr('noop_with_empty_axes', 0) === 1) return x;
      axes = identity(rank);
    }
    const dims = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
    const keepdim = c.attr('keepdims', 1) === 1;
    // over an empty dim: the identity (ONNX: -inf for ReduceMax, +inf for ReduceMin)
    const empty = EMPTY_REDUCTION[op];
    if (x.dtype === 'float32' && empty !== undefined && dims.some((d) => x.shape[d] === 0)) return emptyReduction(c, x, dims, keepdim, empty);
    // bool (ReduceMax/Min from opset 20: any / all): through int32
    if (x.dtype === 'bool') return c.op('cast', [c.op(op, [c.op('cast', [x], { dtype: 'int32' })], { dims, keepdim })], { dtype: 'bool' });
    return c.op(op, [x], { dims, keepdim });
  };
}

export function argImport(op: string): OnnxImporter {
  return (c) => {
    const x = c.input(0);
    let axis = c.attr('axis', 0);
    if (axis < 0) axis += x.shape.length;
    const keepdim = c.attr('keepdims', 1) === 1;
    if (c.attr('select_last_index', 0) !== 1) return c.op(op, [x], { dim: axis, keepdim });
    // the last extreme: the first one of the reversed input, counted from the end
    const n = x.shape[axis];
    const rev = c.op('slice', [x], { dim: axis, start: n - 1, end: -1, step: -1 });
    return c.op('sub', [c.constantValue([], 'int32', Int32Array.of(n - 1)), c.op(op, [rev], { dim: axis, keepdim })]);
  };
}

export const CUMSUM_IMPORT: OnnxImporter = (c) => {
  if (c.attr('exclusive', 0) === 1) return c.unsupported('CumSum exclusive');
  const x = c.input(0);
  let dim = c.ints(1)[0];
  if (dim < 0) dim += x.shape.length;
  return c.op('cumsum', [x], { dim, reverse: c.attr('reverse', 0) === 1 });
};

export { inverse };

/** triu / tril: SELECT_V2 of a constant mask over the last two dims, the input and a zero. */
export function triluLowering(upper: boolean): TfliteLowering {
  return {
    lower(ctx) {
      const out = ctx.node.outputs[0];
      const r = out.shape.length, h = out.shape[r - 2], w = out.shape[r - 1], k = ctx.node.attrs.diagonal as number;
      const mask = new Uint8Array(h * w);
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) mask[i * w + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
      const ones = new Array(r - 2).fill(1);
      const m = ctx.addConstant(`trilu_mask_${out.id}`, [...ones, h, w], 'bool', mask);
      const dt = out.dtype;
      const zero = ctx.addConstant(`trilu_zero_${out.id}`, new Array(r).fill(1), dt, dt === 'float32' ? new Float32Array(1) : dt === 'bool' ? new Uint8Array(1) : new Int32Array(1));
      ctx.emit('SELECT_V2', [m, ctx.input(0), zero], [ctx.output(0)]);
    },
  };
}

/** ONNX Trilu: k (input 1, default 0) and upper (default 1). */
export const TRILU_IMPORT: OnnxImporter = (c) => {
  const upper = c.attr('upper', 1) === 1;
  const k = c.has(1) ? c.ints(1)[0] : 0;
  return c.op(upper ? 'triu' : 'tril', [c.input(0)], { diagonal: k });
};
