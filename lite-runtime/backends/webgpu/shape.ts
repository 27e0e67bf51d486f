/**
 * Shape ops: RESHAPE/SQUEEZE/EXPAND_DIMS (a buffer copy; the data does not move), TRANSPOSE,
 * CONCATENATION, PAD/PADV2, SLICE: index maps computed per output element.
 *
 * ```ts
 * SHAPE_KERNELS.get(BuiltinOp.TRANSPOSE)!(node, ctx);
 * ```
 */
import { BuiltinOp as B } from '../../format/schema.js';
import type { OpNode, RtTensor } from '../../ops/op.js';
import { unsupportedDType } from './elementwise.js';
import { mapProgram, sameQuant, viewProgram } from './layout.js';
import {
  EPILOGUE_WGSL, actRange, count, dispatch1d, epilogueParams, main1d, params, storage, strides,
  type GpuKernel, type GpuStep, type KernelContext,
} from './program.js';


const copyOp: GpuKernel = (node: OpNode) => {
  const x = node.inputs[0]!, y = node.outputs[0]!;
  const bad = unsupportedDType(x, y);
  if (bad) return bad;
  if (!sameQuant(x, y)) return 'input and output quantization differ';
  if (x.isConst) return 'constant input';
  return [{ name: 'reshape', copy: { src: { tensor: x }, dst: { tensor: y }, bytes: count(y.shape) * 4 } }];
};

/**
 * The general gather `Y[i] = X[src(i)]` over up to 8 dims: output index digits d_k (dims `dims`)
 * map to `sum_k (d_k * mul_k + add_k) * st_k` of X; out-of-range digits (PAD) give `P.fill`.
 */
function gatherProgram(
  name: string, x: RtTensor, y: RtTensor, outShape: number[], st: number[], mul: number[], add: number[], inDims: number[] | null,
  fill: number, ctx: KernelContext, lo = -Infinity, hi = Infinity, yOffset = 0,
): GpuStep {
  const n = count(outShape);
  const p = params({
    n: ['u32', n], rank: ['u32', outShape.length], fill: ['f32', fill], yoff: ['u32', yOffset], ...epilogueParams(y, lo, hi),
    dims: ['u32x8', outShape], st: ['u32x8', st], mul: ['u32x8', mul], add: ['i32x8', add], ind: ['u32x8', inDims ?? outShape],
  });
  const padded = inDims !== null;
  const wgsl = `${p.wgsl}${storage(['X', 'f32'], ['Y', 'f32'])}${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.n) { return; }
  var rem = i; var src = 0u; var inside = true;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let d = P.dims[k / 4][k % 4];
    let c = rem % d; rem = rem / d;
    let s = i32(c * P.mul[k / 4][k % 4]) + P.add[k / 4][k % 4];
    ${padded ? 'inside = inside && s >= 0 && s < i32(P.ind[k / 4][k % 4]);' : ''}
    src += u32(max(s, 0)) * P.st[k / 4][k % 4];
  }
  ${padded ? 'Y[P.yoff + i] = epi(select(P.fill, X[src], inside));' : 'Y[P.yoff + i] = epi(X[src]);'}
}`;
  return {
    name, cacheKey: `gather:${padded}`, wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
    bindings: [{ tensor: x }, { tensor: y }],
  };
}

const transpose: GpuKernel = (node, ctx) => {
  const x = node.inputs[0]!, permT = node.inputs[1]!, y = node.outputs[0]!;
  const bad = unsupportedDType(x, y);
  if (bad) return bad;
  if (!permT.isConst) return 'permutation is not constant';
  if (!sameQuant(x, y)) return 'input and output quantization differ';
  const r = x.shape.length;
  if (r > 8) return 'rank over 8';
  const perm = Array.from(permT.data as Int32Array, (v) => (v < 0 ? v + r : v));
  const xs = strides(x.shape);
  return [gatherProgram('TRANSPOSE', x, y, y.shape, perm.map((p) => xs[p]!), perm.map(() => 1), perm.map(() => 0), null, 0, ctx)];
};

const slice: GpuKernel = (node, ctx) => {
  const x = node.inputs[0]!, beginT = node.inputs[1]!, y = node.outputs[0]!;
  const bad = unsupportedDType(x, y);
  if (bad) return bad;
  if (!beginT.isConst) return 'begin is not constant';
  if (!sameQuant(x, y)) return 'input and output quantization differ';
  if (x.shape.length > 8) return 'rank over 8';
  const begin = Array.from(beginT.data as Int32Array | BigInt64Array, Number);
  return [gatherProgram('SLICE', x, y, y.shape, strides(x.shape), x.shape.map(() => 1), begin, null, 0, ctx)];
};

const pad: GpuKernel = (node, ctx) => {
  const x = node.inputs[0]!, padsT = node.inputs[1]!, y = node.outputs[0]!, vT = node.inputs[2] ?? null;
  const bad = unsupportedDType(x, y);
  if (bad) return bad;
  if (!padsT.isConst || (vT && !vT.isConst)) return 'paddings are not constant';
  if (!sameQuant(x, y)) return 'input and output quantization differ';
  if (x.shape.length > 8) return 'rank over 8';
  const pads = Array.from(padsT.data as Int32Array | BigInt64Array, Number);
  // nothing padded: the output aliases the input (no dispatch)
  if (pads.every((v) => v === 0) && !x.isConst) return [{ name: 'PAD', copy: { src: { tensor: x }, dst: { tensor: y }, bytes: count(y.shape) * 4 } }];
  let fill = 0;
  if (vT) {
    const v = Number(vT.data[0]);
    fill = vT.quant ? vT.quant.scale[0]! * (v - vT.quant.zeroPoint[0]!) : v;
  } else if (x.quant && x.dtype !== 'float32') {
    fill = 0; // real zero (TFLite pads quantized tensors with the zero point)
  }
  return [gatherProgram('PAD', x, y, y.shape, strides(x.shape), x.shape.map(() => 1), x.shape.map((_, k) => -pads[2 * k]!), x.shape, fill, ctx)];
};

const concat: GpuKernel = (node, ctx) => {
  const y = node.outputs[0]!;
  const ins = node.inputs.filter((t): t is RtTensor => !!t);
  let axis = node.options ? node.options.i32(0, 0) : 0;
  if (axis < 0) axis += y.shape.length;
  const act = node.options ? node.options.i8(1, 0) : 0, range = actRange(act);
  if (!range) return `fused activation ${act} is not a clamp`;
  return slabs(ins, ins.map((x) => x.shape), y, axis, range, ctx);
};

/** PACK: each input is a slab of thickness 1 along the new axis. */
const pack: GpuKernel = (node, ctx) => {
  const y = node.outputs[0]!;
  const ins = node.inputs.filter((t): t is RtTensor => !!t);
  let axis = node.options ? node.options.i32(1, 0) : 0;
  if (axis < 0) axis += y.shape.length;
  return slabs(ins, ins.map((x) => [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)]), y, axis, [-Infinity, Infinity], ctx);
};

/** Writes each input (seen with shape `shapes[k]`) into its slab of `y` along `axis`, one program per input. */
function slabs(ins: RtTensor[], shapes: number[][], y: RtTensor, axis: number, range: [number, number], ctx: KernelContext): GpuStep[] | string {
  const bad = unsupportedDType(y, ...ins);
  if (bad) return bad;
  const r = y.shape.length;
  if (r > 8) return 'rank over 8';
  const progs: GpuStep[] = [];
  let at = 0;
  const ys = strides(y.shape);
  for (let j = 0; j < ins.length; j++) {
    // Output digits over x's shape map to Y at (digits + [0..at..0]) * ys: write X into its slab.
    const x = ins[j]!, xshape = shapes[j]!;
    const n = count(xshape);
    if (n > 0) {
      const p = params({
        n: ['u32', n], rank: ['u32', r], ...epilogueParams(y, range[0], range[1]),
        dims: ['u32x8', xshape], ys: ['u32x8', ys], off: ['u32x8', y.shape.map((_, k) => (k === axis ? at : 0))],
      });
      const wgsl = `${p.wgsl}${storage(['X', 'f32'], ['Y', 'f32'])}${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.n) { return; }
  var rem = i; var dst = 0u;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let d = P.dims[k / 4][k % 4];
    let c = rem % d; rem = rem / d;
    dst += (c + P.off[k / 4][k % 4]) * P.ys[k / 4][k % 4];
  }
  Y[dst] = epi(X[i]);
}`;
      progs.push({ name: 'CONCATENATION', cacheKey: 'concat', wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes, bindings: [{ tensor: x }, { tensor: y }] });
    }
    at += xshape[axis]!;
  }
  return progs;
}

/** SPLIT / SPLIT_V / UNPACK: each output is a strided view of the input at its offset along the axis. */
function parts(kind: 'split' | 'split_v' | 'unpack'): GpuKernel {
  return (node, ctx) => {
    const x = node.inputs[kind === 'split' ? 1 : 0]!;
    const outs = node.outputs;
    const bad = unsupportedDType(x, ...outs);
    if (bad) return bad;
    if (outs.some((y) => !sameQuant(x, y))) return 'input and output quantization differ';
    if (x.shape.length > 8) return 'rank over 8';
    let axis: number;
    if (kind === 'unpack') axis = node.options ? node.options.i32(1, 0) : 0;
    else {
      const a = node.inputs[kind === 'split' ? 0 : 2];
      if (!a || !a.isConst) return 'axis is not constant';
      axis = Number(a.data[0]);
    }
    if (axis < 0) axis += x.shape.length;
    const xs = strides(x.shape);
    const steps: GpuStep[] = [];
    let at = 0;
    for (const y of outs) {
      const viewShape = kind === 'unpack' ? [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis + 1)] : y.shape;
      if (count(viewShape) !== count(y.shape)) return 'output shapes do not match the input';
      if (count(viewShape) > 0) steps.push(viewProgram(kind, x, y, viewShape, at * xs[axis]!, xs, ctx));
      at += viewShape[axis]!;
    }
    return steps;
  };
}

/**
 * GATHER with constant indices (the int32 index tensor never reaches the GPU): the index map
 * of every output element is computed at load from the CPU prepare's geometry
 * (`{ batch, outer, dim, inner, count }`). An index out of range stays on the CPU, which
 * raises it at run.
 */
const gather: GpuKernel = (node, ctx, state) => {
  const x = node.inputs[0]!, idx = node.inputs[1]!, y = node.outputs[0]!;
  const bad = unsupportedDType(x, y);
  if (bad) return bad;
  if (!idx.isConst) return `indices '${idx.name}' are computed at run (${idx.dtype})`;
  if (!sameQuant(x, y)) return 'input and output quantization differ';
  const g = state as { batch: number; outer: number; dim: number; inner: number; count: number } | undefined;
  if (!g || typeof g.count !== 'number') return 'no gather geometry from the CPU prepare';
  const { batch, outer, dim, inner, count: cnt } = g;
  const map = new Int32Array(batch * outer * cnt * inner);
  const ids = idx.data as Int32Array | BigInt64Array;
  let at = 0;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < cnt; j++) {
        let v = Number(ids[b * cnt + j]!);
        if (v < 0) v += dim;
        if (!(v >= 0 && v < dim)) return `index ${Number(ids[b * cnt + j]!)} out of range [-${dim}, ${dim})`;
        const src = ((b * outer + o) * dim + v) * inner;
        for (let k = 0; k < inner; k++) map[at++] = src + k;
      }
    }
  }
  if (map.length !== count(y.shape)) return 'index map does not match the output';
  return [mapProgram('GATHER', x, y, map, ctx)];
};

/** Shape kernels by builtin code. */
export const SHAPE_KERNELS = new Map<number, GpuKernel>([
  [B.RESHAPE, copyOp],
  [B.SQUEEZE, copyOp],
  [B.EXPAND_DIMS, copyOp],
  [B.TRANSPOSE, transpose],
  [B.SLICE, slice],
  [B.PAD, pad],
  [B.PADV2, pad],
  [B.CONCATENATION, concat],
  [B.PACK, pack],
  [B.SPLIT, parts('split')],
  [B.SPLIT_V, parts('split_v')],
  [B.UNPACK, parts('unpack')],
  [B.GATHER, gather],
]);
