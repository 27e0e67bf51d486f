/**
 * ONNX ops imported as short compositions of table ops (each lowered to TFLite builtins):
 * reductions with a transform (ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum,
 * ReduceLogSumExp), Mean, logical ops on bool, hyperbolic functions, PRelu, ThresholdedRelu,
 * Shrink, IsNaN/IsInf, Hardmax, DepthToSpace/SpaceToDepth, Tile, InstanceNormalization,
 * GroupNormalization, MeanVarianceNormalization, LRN, GatherElements and OneHot with constant
 * indices. The rules sit on the op definitions they build on (their `onnxImport` fields).
 */
import type { Value } from '../../graph/ir.js';
import type { OnnxImportContext, OnnxImporter } from '../convert-traits.js';
import { identity } from './perm.js';

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** ReduceX axes as the reduce rules read them (attribute before opset 18, input from 18). */
function reduceAxes(c: OnnxImportContext, x: Value): number[] | null {
  const rank = x.shape.length;
  const raw = c.opset >= 18 ? (c.has(1) ? c.ints(1) : null) : c.attr<readonly number[] | undefined>('axes', undefined) ?? null;
  if (raw === null || raw.length === 0) return c.attr('noop_with_empty_axes', 0) === 1 ? null : identity(rank);
  return [...new Set(raw.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/** A reduction `red` of `pre(x)`, then `post`: ReduceL1 = sum(|x|) and the like. */
function reduceWith(red: string, pre: (c: OnnxImportContext, x: Value) => Value, post: (c: OnnxImportContext, y: Value) => Value): OnnxImporter {
  return (c) => {
    const x = c.input(0);
    const dims = reduceAxes(c, x);
    if (dims === null) return post(c, pre(c, x));
    const keepdim = c.attr('keepdims', 1) === 1;
    if (dims.some((d) => x.shape[d] === 0)) return post(c, emptyReduction(c, x, dims, keepdim, 0)); // the sum of nothing
    return post(c, c.op(red, [pre(c, x)], { dims, keepdim }));
  };
}

/** A reduction over an empty dim: its identity `value`, in the output's shape. */
export function emptyReduction(c: OnnxImportContext, x: Value, dims: readonly number[], keepdim: boolean, value: number): Value {
  const shape = keepdim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !dims.includes(i));
  return c.constantValue(shape, 'float32', new Float32Array(prod(shape)).fill(value));
}

const same = (_c: OnnxImportContext, v: Value) => v;
const square = (c: OnnxImportContext, v: Value) => c.op('mul', [v, v]);

export const REDUCE_COMPOSITES: Record<string, OnnxImporter> = {
  ReduceL1: reduceWith('sum', (c, x) => c.op('abs', [x]), same),
  ReduceL2: reduceWith('sum', square, (c, y) => c.op('sqrt', [y])),
  ReduceSumSquare: reduceWith('sum', square, same),
  ReduceLogSum: reduceWith('sum', same, (c, y) => c.op('log', [y])),
  // log(sum(exp(x - max))) + max: finite for large x
  ReduceLogSumExp: (c) => {
    const x = c.input(0);
    const dims = reduceAxes(c, x) ?? [];
    if (!dims.length) return x;
    const keepdim = c.attr('keepdims', 1) === 1;
    if (dims.some((d) => x.shape[d] === 0)) return emptyReduction(c, x, dims, keepdim, -Infinity);
    const m = c.op('amax', [x], { dims, keepdim: true });
    const s = c.op('log', [c.op('sum', [c.op('exp', [c.op('sub', [x, m])])], { dims, keepdim: true })]);
    const y = c.op('add', [s, m]);
    return keepdim ? y : c.op('reshape', [y], { shape: x.shape.filter((_, i) => !dims.includes(i)) });
  },
};

/** Mean of its inputs (broadcast). */
export const MEAN_IMPORT: OnnxImporter = (c) => {
  let acc = c.input(0);
  for (let i = 1; i < c.inputCount; i++) acc = c.op('add', [acc, c.input(i)]);
  return c.inputCount === 1 ? acc : c.op('div', [acc, c.f32(c.inputCount)]);
};

const boolConst = (c: OnnxImportContext, v: boolean) => c.constantValue([], 'bool', Uint8Array.of(v ? 1 : 0));

export const LOGICAL_IMPORTS: Record<string, OnnxImporter> = {
  And: (c) => c.op('where', [c.input(0), c.input(1), boolConst(c, false)]),
  Or: (c) => c.op('where', [c.input(0), boolConst(c, true), c.input(1)]),
  Xor: (c) => c.op('ne', [c.input(0), c.input(1)]),
  Not: (c) => c.op('eq', [c.input(0), boolConst(c, false)]),
};

export const HYPERBOLIC_IMPORTS: Record<string, OnnxImporter> = {
  Sinh: (c) => { const x = c.input(0); return c.op('mul', [c.op('sub', [c.op('exp', [x]), c.op('exp', [c.op('neg', [x])])]), c.f32(0.5)]); },
  Cosh: (c) => { const x = c.input(0); return c.op('mul', [c.op('add', [c.op('exp', [x]), c.op('exp', [c.op('neg', [x])])]), c.f32(0.5)]); },
  Tan: (c) => { const x = c.input(0); return c.op('div', [c.op('sin', [x]), c.op('cos', [x])]); },
  // log(x + sqrt(x^2 + 1)), log(x + sqrt(x^2 - 1)), log((1 + x) / (1 - x)) / 2
  Asinh: (c) => { const x = c.input(0); return c.op('log', [c.op('add', [x, c.op('sqrt', [c.op('add', [c.op('mul', [x, x]), c.f32(1)])])])]); },
  Acosh: (c) => { const x = c.input(0); return c.op('log', [c.op('add', [x, c.op('sqrt', [c.op('sub', [c.op('mul', [x, x]), c.f32(1)])])])]); },
  Atanh: (c) => {
    const x = c.input(0);
    return c.op('mul', [c.op('log', [c.op('div', [c.op('add', [c.f32(1), x]), c.op('sub', [c.f32(1), x])])]), c.f32(0.5)]);
  },
};

export const PRELU_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0), slope = c.input(1);
  return c.op('add', [c.op('relu', [x]), c.op('mul', [slope, c.op('minimum', [x, c.f32(0)])])]);
};

const zeroLike = (c: OnnxImportContext, v: Value) => (v.dtype === 'float32' ? c.f32(0) : c.constantValue([], v.dtype, v.dtype === 'bool' ? new Uint8Array(1) : new Int32Array(1)));

export const THRESHOLDED_RELU_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  return c.op('where', [c.op('gt', [x, c.f32(c.attr('alpha', 1))]), x, c.f32(0)]);
};

/** Shrink: x + bias below -lambd, x - bias above lambd, 0 between. */
export const SHRINK_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  if (x.dtype !== 'float32') return c.unsupported(`Shrink of ${x.dtype}`);
  const lambd = c.attr('lambd', 0.5), bias = c.attr('bias', 0);
  const hi = c.op('where', [c.op('gt', [x, c.f32(lambd)]), c.op('sub', [x, c.f32(bias)]), c.f32(0)]);
  return c.op('where', [c.op('lt', [x, c.f32(-lambd)]), c.op('add', [x, c.f32(bias)]), hi]);
};

export const ISNAN_IMPORT: OnnxImporter = (c) => c.op('ne', [c.input(0), c.input(0)]);

export const ISINF_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const neg = c.attr('detect_negative', 1) === 1, pos = c.attr('detect_positive', 1) === 1;
  if (neg && pos) return c.op('eq', [c.op('abs', [x]), c.f32(Infinity)]);
  if (pos) return c.op('eq', [x, c.f32(Infinity)]);
  if (neg) return c.op('eq', [x, c.f32(-Infinity)]);
  return c.op('eq', [x, c.f32(NaN)]); // detects nothing: all false
};

/** Hardmax: 1 at the first maximum along `axis`, as argmax compared with the positions. */
export const HARDMAX_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const rank = x.shape.length;
  let axis = c.attr('axis', c.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (c.opset < 13 && axis !== rank - 1) return c.unsupported('Hardmax before opset 13 over other than the last axis');
  const n = x.shape[axis];
  const pos = c.constantValue(x.shape.map((d, i) => (i === axis ? d : 1)), 'int32', Int32Array.from({ length: n }, (_, i) => i));
  const hit = c.op('eq', [c.op('argmax', [x], { dim: axis, keepdim: true }), pos]);
  return c.op('cast', [hit], { dtype: 'float32' });
};

/** DepthToSpace (DCR or CRD) and SpaceToDepth as reshape, permute, reshape. */
export const DEPTH_TO_SPACE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const b = c.attr('blocksize', 1);
  const [n, ch, h, w] = x.shape;
  const crd = c.attr('mode', 'DCR') === 'CRD';
  const c2 = ch / (b * b);
  const t = crd
    ? c.op('permute', [c.op('reshape', [x], { shape: [n, c2, b, b, h, w] })], { perm: [0, 1, 4, 2, 5, 3] })
    : c.op('permute', [c.op('reshape', [x], { shape: [n, b, b, c2, h, w] })], { perm: [0, 3, 4, 1, 5, 2] });
  return c.op('reshape', [t], { shape: [n, c2, h * b, w * b] });
};

export const SPACE_TO_DEPTH_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const b = c.attr('blocksize', 1);
  const [n, ch, h, w] = x.shape;
  const t = c.op('permute', [c.op('reshape', [x], { shape: [n, ch, h / b, b, w / b, b] })], { perm: [0, 3, 5, 1, 2, 4] });
  return c.op('reshape', [t], { shape: [n, ch * b * b, h / b, w / b] });
};

/** Tile: each dim d of size s becomes [r, s] broadcast from [1, s], then merged. */
export const TILE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const reps = c.ints(1);
  const inter = x.shape.flatMap((s) => [1, s]);
  const big = x.shape.flatMap((s, i) => [reps[i], s]);
  const e = c.op('expand', [c.op('reshape', [x], { shape: inter })], { shape: big });
  return c.op('reshape', [e], { shape: x.shape.map((s, i) => s * reps[i]) });
};

/** (x - mean) / sqrt(var + eps) over `dims` (population variance), keeping dims. */
function normalize(c: OnnxImportContext, x: Value, dims: number[], eps: number): Value {
  const m = c.op('mean', [x], { dims, keepdim: true });
  const d = c.op('sub', [x, m]);
  const v = c.op('mean', [c.op('mul', [d, d])], { dims, keepdim: true });
  return c.op('mul', [d, c.op('rsqrt', [c.op('add', [v, c.f32(eps)])])]);
}

/** scale[C] and bias[C] applied along dim 1 of a rank-`rank` value. */
function affine(c: OnnxImportContext, y: Value, scale: Value, bias: Value, rank: number): Value {
  const shape = [scale.shape[0], ...new Array(rank - 2).fill(1)];
  return c.op('add', [c.op('mul', [y, c.op('reshape', [scale], { shape })]), c.op('reshape', [bias], { shape })]);
}

export const INSTANCE_NORM_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const rank = x.shape.length;
  const y = normalize(c, x, Array.from({ length: rank - 2 }, (_, i) => i + 2), c.attr('epsilon', 1e-5));
  return affine(c, y, c.input(1), c.input(2), rank);
};

/** GroupNormalization: scale and bias per channel from opset 21, per group before. */
export const GROUP_NORM_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const rank = x.shape.length, [n, ch] = x.shape;
  const g = c.attr('num_groups', 1);
  const grouped = c.op('reshape', [x], { shape: [n, g, prod(x.shape.slice(1)) / g] });
  const y = c.op('reshape', [normalize(c, grouped, [2], c.attr('epsilon', 1e-5))], { shape: [...x.shape] });
  let scale = c.input(1), bias = c.input(2);
  if (c.opset < 21 && ch !== g) {
    // per group: each group's value repeated over its channels
    const rep = (v: Value) => c.op('reshape', [c.op('expand', [c.op('reshape', [v], { shape: [g, 1] })], { shape: [g, ch / g] })], { shape: [ch] });
    scale = rep(scale); bias = rep(bias);
  }
  return affine(c, y, scale, bias, rank);
};

export const MVN_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const rank = x.shape.length;
  const dims = c.attr<readonly number[]>('axes', [0, 2, 3]).map((a) => (a < 0 ? a + rank : a));
  return normalize(c, x, [...dims], 1e-9);
};

/** LRN across channels: x / (bias + alpha / size * sum of squares over the window)^beta. */
export const LRN_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const rank = x.shape.length, ch = x.shape[1];
  const size = c.attr('size', 1), alpha = c.attr('alpha', 1e-4), beta = c.attr('beta', 0.75), bias = c.attr('bias', 1);
  const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
  const pads = new Array(2 * rank).fill(0);
  pads[1] = lo; pads[rank + 1] = hi;
  const sq = c.op('pad', [c.op('mul', [x, x])], { pads, mode: 'constant', value: 0 });
  let sum: Value | null = null;
  for (let k = 0; k < size; k++) {
    const s = c.op('slice', [sq], { dim: 1, start: k, end: k + ch, step: 1 });
    sum = sum ? c.op('add', [sum, s]) : s;
  }
  const den = c.op('pow', [c.op('add', [c.op('mul', [sum!, c.f32(alpha / size)]), c.f32(bias)]), c.f32(beta)]);
  return c.op('div', [x, den]);
};

/** GatherElements with constant indices: the flattened input gathered at each element's flat index. */
export const GATHER_ELEMENTS_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const idx = c.ints(1);
  const ishape = c.input(1).shape, rank = x.shape.length;
  let axis = c.attr('axis', 0);
  if (axis < 0) axis += rank;
  const xs = x.shape.map((_, i) => prod(x.shape.slice(i + 1)));
  const flat = new Int32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    let rem = k, off = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rem % ishape[d];
      rem = Math.floor(rem / ishape[d]);
      let v = d === axis ? idx[k] : coord;
      if (d === axis && v < 0) v += x.shape[axis];
      if (v < 0 || v >= x.shape[d]) return c.unsupported(`GatherElements index ${idx[k]} out of range for dim ${axis} of [${x.shape.join(', ')}]`);
      off += v * xs[d];
    }
    flat[k] = off;
  }
  const g = c.op('indexSelect', [c.op('reshape', [x], { shape: [prod(x.shape)] }), c.constantValue([flat.length], 'int32', flat)], { dim: 0 });
  return c.op('reshape', [g], { shape: [...ishape] });
};

/** OneHot: where(indices (negative from the end) == positions along the new axis, on, off). */
export const ONE_HOT_IMPORT: OnnxImporter = (c) => {
  const ind = c.input(0);
  const depth = Number(c.constant(1)?.[0] ?? c.unsupported('OneHot with a run-time depth'));
  const vals = c.input(2);
  const rank = ind.shape.length + 1;
  let axis = c.attr('axis', -1);
  if (axis < 0) axis += rank;
  const i32 = ind.dtype === 'int32' ? ind : c.op('cast', [ind], { dtype: 'int32' });
  const wrapped = c.op('where', [c.op('lt', [i32, zeroLike(c, i32)]), c.op('add', [i32, c.constantValue([], 'int32', Int32Array.of(depth))]), i32]);
  const shape = [...ind.shape];
  shape.splice(axis, 0, 1);
  const pos = c.constantValue(shape.map((_, i) => (i === axis ? depth : 1)), 'int32', Int32Array.from({ length: depth }, (_, i) => i));
  const hit = c.op('eq', [c.op('reshape', [wrapped], { shape }), pos]);
  const off = c.op('reshape', [c.op('slice', [vals], { dim: 0, start: 0, end: 1, step: 1 })], { shape: [] });
  const on = c.op('reshape', [c.op('slice', [vals], { dim: 0, start: 1, end: 2, step: 1 })], { shape: [] });
  return c.op('where', [hit, on, off]);
};

/**
 * NegativeLogLikelihoodLoss with constant targets: -input at each target, gathered from the flattened input,
 * times the target's weight (0 where the target is ignore_index); reduction none, sum or mean (over the weights).
 */
function nllLoss(c: OnnxImportContext, input: Value, target: readonly number[], weight: Value | undefined): Value {
  const [n, ch] = input.shape;
  const inner = prod(input.shape.slice(2));
  const ii = c.attr<number | undefined>('ignore_index', undefined);
  const flat = new Int32Array(target.length), cls = new Int32Array(target.length), keep = new Float32Array(target.length);
  for (let k = 0; k < target.length; k++) {
    const t = target[k], ignored = ii !== undefined && t === ii;
    if (!ignored && (t < 0 || t >= ch)) return c.unsupported(`target ${t} out of range for ${ch} classes`);
    const tt = ignored ? 0 : t;
    const b = Math.floor(k / inner), d = k % inner;
    flat[k] = (b * ch + tt) * inner + d;
    cls[k] = tt;
    keep[k] = ignored ? 0 : 1;
  }
  const tshape = [n, ...input.shape.slice(2)];
  const picked = c.op('reshape', [c.op('indexSelect', [c.op('reshape', [input], { shape: [prod(input.shape)] }), c.constantValue([flat.length], 'int32', flat)], { dim: 0 })], { shape: tshape });
  const keepV = c.constantValue(tshape, 'float32', keep);
  const w = weight ? c.op('mul', [c.op('reshape', [c.op('indexSelect', [weight, c.constantValue([cls.length], 'int32', cls)], { dim: 0 })], { shape: tshape }), keepV]) : keepV;
  const loss = c.op('neg', [c.op('mul', [picked, w])]);
  const reduction = c.attr('reduction', 'mean');
  const all = tshape.map((_, i) => i);
  if (reduction === 'none') return loss;
  const total = c.op('sum', [loss], { dims: all, keepdim: false });
  if (reduction === 'sum') return total;
  if (reduction !== 'mean') return c.unsupported(`reduction '${reduction}'`);
  return c.op('div', [total, weight ? c.op('sum', [w], { dims: all, keepdim: false }) : c.f32(keep.reduce((a, b) => a + b, 0))]);
}

export const NLL_LOSS_IMPORT: OnnxImporter = (c) => nllLoss(c, c.input(0), c.ints(1), c.has(2) ? c.input(2) : undefined);

/** SoftmaxCrossEntropyLoss: NLL of logSoftmax over the classes; the log-probabilities are output 1. */
export const SOFTMAX_CROSS_ENTROPY_IMPORT: OnnxImporter = (c) => {
  const logp = c.op('logSoftmax', [c.input(0)], { dim: 1 });
  return [nllLoss(c, logp, c.ints(1), c.has(2) ? c.input(2) : undefined), logp];
};

type Coeffs = (ratio: number, scale: number) => number[];

function cubicCoeffs(a: number): Coeffs {
  return (r) => [
    ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
    ((a + 2) * r - (a + 3)) * r * r + 1,
    ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
    ((a * (2 - r) - 5 * a) * (2 - r) + 8 * a) * (2 - r) - 4 * a,
  ];
}

/** Antialiased cubic (downsampling widens the kernel by 1 / scale), normalized. */
function cubicAntialias(a: number): Coeffs {
  const k = (x: number) => {
    x = Math.abs(x);
    if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x * x + 1;
    return x < 2 ? a * x ** 3 - 5 * a * x * x + 8 * a * x - 4 * a : 0;
  };
  return (r, scale) => {
    const s = Math.min(scale, 1);
    const start = Math.floor(-2 / s) + 1, end = 2 - start;
    const c = Array.from({ length: end - start }, (_, i) => k(s * (start + i - r)));
    const sum = c.reduce((p, q) => p + q, 0);
    return c.map((v) => v / sum);
  };
}

function linearAntialias(r: number, scale: number): number[] {
  const s = Math.min(scale, 1);
  const start = Math.floor(-1 / s) + 1, n = 2 - 2 * start;
  const c = Array.from({ length: n }, (_, i) => Math.min(Math.max(1 - Math.abs((start + i - r) * s), 0), 1));
  const sum = c.reduce((p, q) => p + q, 0);
  return c.map((v) => v / sum);
}

function nearestCoeffs(mode: string): Coeffs {
  return (r) => {
    if (Number.isInteger(r)) return [0, 1];
    switch (mode) {
      case 'round_prefer_ceil': return [r < 0.5 ? 1 : 0, r >= 0.5 ? 1 : 0];
      case 'floor': return [1, 0];
      case 'ceil': return [0, 1];
      default: return [r <= 0.5 ? 1 : 0, r > 0.5 ? 1 : 0];
    }
  };
}

/**
 * One axis of ONNX Resize as the reference implementation computes it: output position x maps to x_ori in
 * the input (coordinate_transformation_mode), the coefficients of its n nearest input positions (edge-padded;
 * zeroed and renormalized outside the input with exclude_outside). Returns the [out, in] weights and,
 * for tf_crop_and_resize, the rows that take the extrapolation value.
 */
function resizeMatrix(inW: number, outW: number, scale: number, mode: string, coeffs: Coeffs, excludeOutside: boolean,
  roi: readonly [number, number]): { w: Float64Array; extrapolate: boolean[] } {
  const w = new Float64Array(outW * inW);
  const extrapolate = new Array<boolean>(outW).fill(false);
  const outF = scale * inW;
  for (let x = 0; x < outW; x++) {
    let xo: number;
    switch (mode) {
      case 'align_corners': xo = outF === 1 ? 0 : (x * (inW - 1)) / (outF - 1); break;
      case 'asymmetric': xo = x / scale; break;
      case 'pytorch_half_pixel': xo = outF === 1 ? -0.5 : (x + 0.5) / scale - 0.5; break;
      case 'half_pixel_symmetric': {
        const adjustment = outW / outF, center = inW / 2;
        xo = center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
        break;
      }
      case 'tf_crop_and_resize':
        xo = (outF === 1 ? ((roi[1] - roi[0]) * (inW - 1)) / 2 : (x * (roi[1] - roi[0]) * (inW - 1)) / (outF - 1)) + roi[0] * (inW - 1);
        if (xo < 0 || xo > inW - 1) { extrapolate[x] = true; continue; }
        break;
      default: xo = (x + 0.5) / scale - 0.5; // half_pixel
    }
    const ratio = Number.isInteger(xo) ? 1 : xo - Math.floor(xo);
    const c = coeffs(ratio, scale);
    const n = c.length, pad = Math.ceil(n / 2), limit = inW + 2 * pad, xp = xo + pad;
    const idx = Array.from({ length: limit }, (_, i) => i).sort((a, b) => Math.abs(xp - a) - Math.abs(xp - b) || a - b).slice(0, n).sort((a, b) => a - b).map((i) => i - pad);
    if (excludeOutside) {
      idx.forEach((i, k) => { if (i < 0 || i >= inW) c[k] = 0; });
      const sum = c.reduce((p, q) => p + q, 0);
      for (let k = 0; k < n; k++) c[k] /= sum;
    }
    idx.forEach((i, k) => { w[x * inW + Math.min(Math.max(i, 0), inW - 1)] += c[k]; });
  }
  return { w, extrapolate };
}

/** A float input the rule needs as constant numbers (scales, roi). */
function floats(c: OnnxImportContext, i: number, what: string): number[] {
  const d = c.constant(i);
  if (!d) return c.unsupported(`Resize with ${what} computed at run time`);
  return Array.from(d, Number);
}

/**
 * Resize (opset 11+) as one step per resized axis, last axis first as the reference does: nearest gathers
 * (indexSelect); linear and cubic (antialiased too) multiply by the axis's constant [in, out] weights.
 */
export const RESIZE_IMPORT: OnnxImporter = (c) => {
  let x = c.input(0);
  const rank = x.shape.length;
  const mode = c.attr('mode', 'nearest'), ctm = c.attr('coordinate_transformation_mode', 'half_pixel');
  const axesAttr = c.attr<readonly number[] | undefined>('axes', undefined);
  const axes = axesAttr ? axesAttr.map((a) => (a < 0 ? a + rank : a)) : identity(rank);
  const scalesIn = c.has(2) && (c.input(2).shape[0] ?? 0) > 0 ? floats(c, 2, 'scales') : null;
  const sizesIn = c.has(3) ? c.ints(3) : null;
  if (!scalesIn && !sizesIn) return c.unsupported('Resize without scales or sizes');
  const scale = new Array<number>(rank).fill(1), size = [...x.shape];
  if (scalesIn) {
    axes.forEach((a, i) => { scale[a] = scalesIn[i]; size[a] = Math.floor(scalesIn[i] * x.shape[a]); });
  } else {
    axes.forEach((a, i) => { size[a] = sizesIn![i]; scale[a] = sizesIn![i] / x.shape[a]; });
    const policy = c.attr('keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') {
      const s = policy === 'not_larger' ? Math.min(...axes.map((a) => scale[a])) : Math.max(...axes.map((a) => scale[a]));
      for (const a of axes) { scale[a] = s; size[a] = Math.floor(s * x.shape[a] + 0.5); }
    }
  }
  const roi: number[] = Array.from({ length: 2 * rank }, (_, i) => (i < rank ? 0 : 1));
  if (ctm === 'tf_crop_and_resize') {
    const r = floats(c, 1, 'roi');
    axes.forEach((a, i) => { roi[a] = r[i]; roi[rank + a] = r[axes.length + i]; });
  }
  const antialias = c.attr('antialias', 0) === 1;
  const a = c.attr('cubic_coeff_a', -0.75);
  const coeffs: Coeffs = mode === 'nearest' ? nearestCoeffs(c.attr('nearest_mode', 'round_prefer_floor'))
    : mode === 'linear' ? (antialias ? linearAntialias : (r) => [1 - r, r])
      : mode === 'cubic' ? (antialias ? cubicAntialias(a) : cubicCoeffs(a)) : c.unsupported(`Resize mode '${mode}'`);
  if (x.dtype !== 'float32' && mode !== 'nearest') return c.unsupported(`Resize ${mode} of ${x.dtype}`);
  const extrapolation = c.attr('extrapolation_value', 0);
  for (let ax = rank - 1; ax >= 0; ax--) {
    if (size[ax] === x.shape[ax] && scale[ax] === 1 && ctm !== 'tf_crop_and_resize') continue;
    const inW = x.shape[ax], outW = size[ax];
    const { w, extrapolate } = resizeMatrix(inW, outW, scale[ax], ctm, coeffs, c.attr('exclude_outside', 0) === 1, [roi[ax], roi[rank + ax]]);
    const rowPick = mode === 'nearest' && !extrapolate.some(Boolean)
      ? Array.from({ length: outW }, (_, o) => w.subarray(o * inW, (o + 1) * inW).findIndex((v) => v === 1)) : null;
    if (rowPick && rowPick.every((i) => i >= 0)) {
      x = c.op('indexSelect', [x, c.constantValue([outW], 'int32', Int32Array.from(rowPick))], { dim: ax });
      continue;
    }
    if (x.dtype !== 'float32') return c.unsupported(`Resize of ${x.dtype} with weights`);
    // along the last axis: x [.., in] @ W^T [in, out]; another axis moves last and back
    const perm = identity(rank);
    perm[ax] = rank - 1; perm[rank - 1] = ax;
    const wt = new Float32Array(inW * outW);
    for (let o = 0; o < outW; o++) for (let i = 0; i < inW; i++) wt[i * outW + o] = w[o * inW + i];
    const moved = ax === rank - 1 ? x : c.op('permute', [x], { perm });
    let y = c.op('matmul', [moved, c.constantValue([inW, outW], 'float32', wt)], { transA: false, transB: false });
    if (extrapolate.some(Boolean)) {
      const e = Float32Array.from(extrapolate, (v) => (v ? extrapolation : 0));
      y = c.op('add', [y, c.constantValue([outW], 'float32', e)]);
    }
    x = ax === rank - 1 ? y : c.op('permute', [y], { perm });
  }
  return x;
};

/** atan on [-1, 1]: Hastings' odd polynomial (|error| < 2e-5 rad; the conformance tolerance is 1e-4 + 1e-3 |y|). */
const ATAN = [0.99997726, -0.33262347, 0.19354346, -0.11643287, 0.05265332, -0.0117212];

/** atan(x): the polynomial on min(|x|, 1/|x|), pi/2 minus it above 1, the sign of x restored. */
function atan(c: OnnxImportContext, x: Value): Value {
  const a = c.op('abs', [x]);
  const big = c.op('gt', [a, c.f32(1)]);
  const t = c.op('where', [big, c.op('div', [c.f32(1), a]), a]);
  const t2 = c.op('mul', [t, t]);
  let p = c.f32(ATAN[ATAN.length - 1]);
  for (let i = ATAN.length - 2; i >= 0; i--) p = c.op('add', [c.op('mul', [p, t2]), c.f32(ATAN[i])]);
  p = c.op('mul', [p, t]);
  const r = c.op('where', [big, c.op('sub', [c.f32(Math.PI / 2), p]), p]);
  return c.op('where', [c.op('lt', [x, c.f32(0)]), c.op('neg', [r]), r]);
}

export const INVERSE_TRIG_IMPORTS: Record<string, OnnxImporter> = {
  Atan: (c) => atan(c, c.input(0)),
  // asin(x) = atan(x / sqrt(1 - x^2)); acos(x) = pi/2 - asin(x)
  Asin: (c) => { const x = c.input(0); return atan(c, c.op('div', [x, c.op('sqrt', [c.op('sub', [c.f32(1), c.op('mul', [x, x])])])])); },
  Acos: (c) => {
    const x = c.input(0);
    return c.op('sub', [c.f32(Math.PI / 2), atan(c, c.op('div', [x, c.op('sqrt', [c.op('sub', [c.f32(1), c.op('mul', [x, x])])])]))]);
  },
};

/** DequantizeLinear (per tensor or per axis, not blocked): (x - zero_point) * scale. */
export const DEQUANTIZE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0), scale = c.input(1);
  if (c.attr('block_size', 0) > 0) return c.unsupported('blocked DequantizeLinear');
  const rank = x.shape.length;
  let axis = c.attr('axis', 1);
  if (axis < 0) axis += rank;
  const along = (v: Value) => (v.shape.length === 1 && v.shape[0] > 1 ? c.op('reshape', [v], { shape: x.shape.map((d, i) => (i === axis ? d : 1)) }) : v);
  const xf = x.dtype === 'float32' ? x : c.op('cast', [x], { dtype: 'float32' });
  const zp = c.has(2) ? c.op('cast', [along(c.input(2))], { dtype: 'float32' }) : null;
  return c.op('mul', [zp ? c.op('sub', [xf, zp]) : xf, along(scale)]);
};

/** Compress with a constant condition: the kept positions along `axis` (the flattened input without one). */
export const COMPRESS_IMPORT: OnnxImporter = (c) => {
  let x = c.input(0);
  const cond = c.constant(1) ?? c.unsupported('Compress with a run-time condition');
  let axis = c.attr<number | undefined>('axis', undefined);
  if (axis === undefined) { x = c.op('reshape', [x], { shape: [prod(x.shape)] }); axis = 0; }
  if (axis < 0) axis += x.shape.length;
  const keep = Array.from(cond).map((v, i) => (v ? i : -1)).filter((i) => i >= 0 && i < x.shape[axis!]);
  if (!keep.length) return c.unsupported('Compress that keeps nothing (an empty output)');
  return c.op('indexSelect', [x, c.constantValue([keep.length], 'int32', Int32Array.from(keep))], { dim: axis });
};

/** GatherND with constant indices: each index tuple (after batch_dims) as flat positions into the input. */
export const GATHER_ND_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const ind = c.ints(1), ishape = c.input(1).shape;
  const b = c.attr('batch_dims', 0);
  const q = ishape[ishape.length - 1];
  const slice = x.shape.slice(b + q), sliceN = prod(slice);
  const strides = x.shape.map((_, i) => prod(x.shape.slice(i + 1)));
  const tuples = prod(ishape.slice(0, -1)), perBatch = prod(ishape.slice(b, -1));
  const flat: number[] = [];
  for (let t = 0; t < tuples; t++) {
    const batch = Math.floor(t / perBatch);
    let off = 0, rem = batch;
    for (let d = b - 1; d >= 0; d--) { off += (rem % x.shape[d]) * strides[d]; rem = Math.floor(rem / x.shape[d]); }
    for (let j = 0; j < q; j++) {
      let v = ind[t * q + j];
      if (v < 0) v += x.shape[b + j];
      if (v < 0 || v >= x.shape[b + j]) return c.unsupported(`GatherND index ${ind[t * q + j]} out of range`);
      off += v * strides[b + j];
    }
    for (let k = 0; k < sliceN; k++) flat.push(off + k);
  }
  const g = c.op('indexSelect', [c.op('reshape', [x], { shape: [prod(x.shape)] }), c.constantValue([flat.length], 'int32', Int32Array.from(flat))], { dim: 0 });
  return c.op('reshape', [g], { shape: [...ishape.slice(0, -1), ...slice] });
};

/**
 * ScatterElements / ScatterND with constant indices: each output position takes data or the updates that land
 * on it, combined by the reduction (none: the last one). Per position the j-th landing update is gathered from
 * the flattened updates (a slot holding the reduction's identity where fewer land), then combined in order.
 */
function scatterFlat(c: OnnxImportContext, data: Value, updates: Value, target: readonly number[]): Value {
  const n = prod(data.shape);
  const lists: number[][] = Array.from({ length: n }, () => []);
  target.forEach((p, u) => lists[p].push(u));
  const reduction = c.attr('reduction', 'none');
  const ident: Record<string, number> = { none: 0, add: 0, mul: 1, max: -Infinity, min: Infinity };
  if (!(reduction in ident)) return c.unsupported(`reduction '${reduction}'`);
  if (data.dtype !== 'float32') return c.unsupported(`scatter into ${data.dtype}`);
  const depth = reduction === 'none' ? 1 : Math.max(0, ...lists.map((l) => l.length));
  const flatData = c.op('reshape', [data], { shape: [n] });
  const pool = c.op('cat', [c.op('reshape', [updates], { shape: [prod(updates.shape)] }), c.f32([ident[reduction]])], { dim: 0 });
  const slot = prod(updates.shape);
  const hit = Uint8Array.from(lists, (l) => (l.length ? 1 : 0));
  let out = flatData;
  for (let j = 0; j < depth; j++) {
    const pick = Int32Array.from(lists, (l) => (reduction === 'none' ? (l.length ? l[l.length - 1] : slot) : (l[j] ?? slot)));
    const g = c.op('indexSelect', [pool, c.constantValue([n], 'int32', pick)], { dim: 0 });
    if (reduction === 'none') out = c.op('where', [c.constantValue([n], 'bool', hit), g, flatData]);
    else out = c.op(reduction === 'add' ? 'add' : reduction === 'mul' ? 'mul' : reduction === 'max' ? 'maximum' : 'minimum', [out, g]);
  }
  return c.op('reshape', [out], { shape: [...data.shape] });
}

export const SCATTER_ELEMENTS_IMPORT: OnnxImporter = (c) => {
  const data = c.input(0), ind = c.ints(1), ishape = c.input(1).shape, rank = data.shape.length;
  let axis = c.attr('axis', 0);
  if (axis < 0) axis += rank;
  const strides = data.shape.map((_, i) => prod(data.shape.slice(i + 1)));
  const target = ind.map((v, k) => {
    let rem = k, off = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rem % ishape[d];
      rem = Math.floor(rem / ishape[d]);
      off += (d === axis ? (v < 0 ? v + data.shape[axis] : v) : coord) * strides[d];
    }
    return off;
  });
  return scatterFlat(c, data, c.input(2), target);
};

export const SCATTER_ND_IMPORT: OnnxImporter = (c) => {
  const data = c.input(0), ind = c.ints(1), ishape = c.input(1).shape;
  const q = ishape[ishape.length - 1], slice = prod(data.shape.slice(q));
  const strides = data.shape.map((_, i) => prod(data.shape.slice(i + 1)));
  const target: number[] = [];
  for (let t = 0; t < ind.length / q; t++) {
    let off = 0;
    for (let j = 0; j < q; j++) { const v = ind[t * q + j]; off += (v < 0 ? v + data.shape[j] : v) * strides[j]; }
    for (let k = 0; k < slice; k++) target.push(off + k);
  }
  return scatterFlat(c, data, c.input(2), target);
};

/**
 * Mod: floats at run time as a - floor(a / b) b (fmod 0, the sign of b) or a - trunc(a / b) b (fmod 1, C's fmod);
 * integers of constants exactly (integer Mod of run-time values has no TFLite lowering here).
 */
export const MOD_IMPORT: OnnxImporter = (c) => {
  const a = c.input(0), b = c.input(1);
  const fmod = c.attr('fmod', 0) === 1;
  if (a.dtype === 'int32' && b.dtype === 'int32') {
    const x = c.constant(0), y = c.constant(1);
    if (!x || !y) return c.unsupported('integer Mod of run-time values', 'Mod of float tensors');
    const out = c.op('add', [a, b]); // the broadcast shape (a folded constant)
    const rank = out.shape.length;
    const at = (v: Value, d: ArrayLike<number>, i: number) => {
      // broadcast index of output element i into v
      let rem = i, off = 0, stride = 1;
      const s = [...new Array(rank - v.shape.length).fill(1), ...v.shape];
      for (let k = rank - 1; k >= 0; k--) { const co = rem % out.shape[k]; rem = Math.floor(rem / out.shape[k]); off += (s[k] === 1 ? 0 : co) * stride; stride *= s[k]; }
      return Number(d[off]);
    };
    const vals = Array.from({ length: prod(out.shape) }, (_, i) => {
      const p = at(a, x, i), q = at(b, y, i);
      const r = p % q;
      return fmod || r === 0 || (r < 0) === (q < 0) ? r : r + q;
    });
    return c.constantInts(out.shape, vals);
  }
  const q = c.op('div', [a, b]);
  const whole = fmod ? c.op('where', [c.op('lt', [q, c.f32(0)]), c.op('ceil', [q]), c.op('floor', [q])]) : c.op('floor', [q]);
  return c.op('sub', [a, c.op('mul', [whole, b])]);
};

/** CenterCropPad: per axis a centered slice (larger input) or zero pad (smaller), to the constant shape. */
export const CENTER_CROP_PAD_IMPORT: OnnxImporter = (c) => {
  let x = c.input(0);
  const want = c.ints(1), rank = x.shape.length;
  const axes = c.attr<readonly number[]>('axes', identity(rank)).map((a) => (a < 0 ? a + rank : a));
  axes.forEach((ax, i) => {
    const size = x.shape[ax], to = want[i];
    if (to < size) {
      const start = Math.floor((size - to) / 2);
      x = c.op('slice', [x], { dim: ax, start, end: start + to, step: 1 });
    } else if (to > size) {
      const pads = new Array(2 * rank).fill(0);
      pads[ax] = Math.floor((to - size) / 2);
      pads[rank + ax] = to - size - pads[ax];
      x = c.op('pad', [x], { pads, mode: 'constant', value: 0 });
    }
  });
  return x;
};

/** ReverseSequence with constant lengths: a gather of each batch's first len steps reversed. */
export const REVERSE_SEQUENCE_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0), lens = c.ints(1);
  const tAxis = c.attr('time_axis', 0), bAxis = c.attr('batch_axis', 1);
  const strides = x.shape.map((_, i) => prod(x.shape.slice(i + 1)));
  const n = prod(x.shape), map = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(i / strides[tAxis]) % x.shape[tAxis], b = Math.floor(i / strides[bAxis]) % x.shape[bAxis];
    map[i] = t < lens[b] ? i + (lens[b] - 1 - 2 * t) * strides[tAxis] : i;
  }
  const g = c.op('indexSelect', [c.op('reshape', [x], { shape: [n] }), c.constantValue([n], 'int32', map)], { dim: 0 });
  return c.op('reshape', [g], { shape: [...x.shape] });
};

/**
 * DFT (opset 17: axis attribute; 20: axis input): the real and imaginary parts (last dim 1 or 2) moved so the
 * transformed axis is last, times constant cos and sin matrices [length, bins] (dft_length pads or truncates;
 * onesided keeps n/2 + 1 bins; inverse conjugates and divides by the length).
 */
export const DFT_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  const rank = x.shape.length;
  const complex = x.shape[rank - 1] === 2;
  let axis = c.opset >= 20 ? (c.has(2) ? c.ints(2)[0] : -2) : c.attr('axis', 1);
  if (axis < 0) axis += rank;
  if (axis === rank - 1) return c.unsupported('DFT along the real/imaginary dim');
  const len = x.shape[axis];
  const n = c.has(1) ? c.ints(1)[0] : len;
  const inverse = c.attr('inverse', 0) === 1, onesided = c.attr('onesided', 0) === 1;
  const bins = onesided ? Math.floor(n / 2) + 1 : n;
  const cos = new Float32Array(len * bins), sin = new Float32Array(len * bins);
  for (let t = 0; t < Math.min(len, n); t++) {
    for (let k = 0; k < bins; k++) {
      const th = (2 * Math.PI * ((t * k) % n)) / n;
      cos[t * bins + k] = Math.cos(th) / (inverse ? n : 1);
      sin[t * bins + k] = Math.sin(th) / (inverse ? n : 1);
    }
  }
  const inner = x.shape.slice(0, -1);
  const part = (i: number) => c.op('reshape', [c.op('slice', [x], { dim: rank - 1, start: i, end: i + 1, step: 1 })], { shape: inner });
  const perm = identity(rank - 1);
  perm[axis] = rank - 2; perm[rank - 2] = axis;
  const last = (v: Value) => (axis === rank - 2 ? v : c.op('permute', [v], { perm }));
  const mm = (v: Value, m: Float32Array) => c.op('matmul', [v, c.constantValue([len, bins], 'float32', m)], { transA: false, transB: false });
  const re = last(part(0));
  const im = complex ? last(part(1)) : null;
  // forward: (a + ib)(cos - i sin); inverse: (a + ib)(cos + i sin)
  const s = inverse ? -1 : 1;
  let outRe = mm(re, cos), outIm = c.op('mul', [mm(re, sin), c.f32(-s)]);
  if (im) {
    outRe = c.op('add', [outRe, c.op('mul', [mm(im, sin), c.f32(s)])]);
    outIm = c.op('add', [outIm, mm(im, cos)]);
  }
  const back = (v: Value) => {
    const w = axis === rank - 2 ? v : c.op('permute', [v], { perm });
    return c.op('reshape', [w], { shape: [...w.shape, 1] });
  };
  return c.op('cat', [back(outRe), back(outIm)], { dim: rank - 1 });
};

/** Upsample (opset 9, deprecated for Resize): nearest as a gather per axis (output i reads floor(i / scale)). */
export const UPSAMPLE_IMPORT: OnnxImporter = (c) => {
  let x = c.input(0);
  if (c.attr('mode', 'nearest') !== 'nearest') return c.unsupported(`Upsample mode '${c.attr('mode', '')}'`, 'Resize');
  const scales = floats(c, 1, 'scales');
  x.shape.forEach((n, ax) => {
    if (scales[ax] === 1) return;
    const out = Math.floor(n * scales[ax]);
    const idx = Int32Array.from({ length: out }, (_, i) => Math.min(Math.floor(i / scales[ax]), n - 1));
    x = c.op('indexSelect', [x, c.constantValue([out], 'int32', idx)], { dim: ax });
  });
  return x;
};
