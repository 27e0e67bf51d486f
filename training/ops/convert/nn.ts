/**
 * Converter traits of the neural-network ops: convolutions and pools lower to
 * NHWC TFLite builtins (weights permuted at conversion), matmul to
 * FULLY_CONNECTED or BATCH_MATMUL, and the ONNX rules that import them.
 */
import type { Node, Value } from '../../graph/ir.js';
import type { OnnxImportContext, OnnxImporter, TfliteLowerContext, TfliteLowering } from '../convert-traits.js';
import { NHWC, identity } from './perm.js';

type Padding = 'SAME' | 'VALID' | null;

/** TFLite's SAME padding of one spatial dim: [before, after]. */
export function samePads(size: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** 'VALID' for no padding, 'SAME' when the pads are TFLite's SAME pads, else null (an explicit PAD is needed). */
export function paddingMode(h: number, w: number, k: readonly number[], s: readonly number[], d: readonly number[], pads: readonly number[]): Padding {
  const [t, l, b, r] = pads;
  if (t === 0 && l === 0 && b === 0 && r === 0) return 'VALID';
  const [st, sb] = samePads(h, k[0], s[0], d[0]), [sl, sr] = samePads(w, k[1], s[1], d[1]);
  return st === t && sb === b && sl === l && sr === r ? 'SAME' : null;
}

/** Input 0 in NHWC, padded explicitly (PAD or PADV2 with `value`) when `mode` is null. */
function paddedInput(ctx: TfliteLowerContext, pads: readonly number[], mode: Padding, value = 0): number {
  const x = ctx.input(0, NHWC);
  if (mode !== null) return x;
  const [t, l, b, r] = pads;
  const s = ctx.node.inputs[0].shape;
  const id = ctx.node.outputs[0].id;
  const paddings = ctx.addConstant(`pads_${id}`, [4, 2], 'int32', Int32Array.of(0, 0, t, b, l, r, 0, 0));
  const out = ctx.addTensor(`padded_${id}`, [s[0], s[2] + t + b, s[3] + l + r, s[1]], 'float32');
  if (value === 0) ctx.emit('PAD', [x, paddings], [out]);
  else ctx.emit('PADV2', [x, paddings, ctx.addConstant(`padv_${id}`, [], 'float32', Float32Array.of(value))], [out]);
  return out;
}

const ints = (n: Node, k: string) => n.attrs[k] as readonly number[];

/** conv2d (x, w, bias?) -> CONV_2D or DEPTHWISE_CONV_2D in NHWC. */
export const CONV2D_TFLITE: TfliteLowering = {
  layout: 'channelsLast',
  fusesActivation: true,
  check(n) {
    const g = n.attrs.groups as number, cin = n.inputs[0].shape[1], cout = n.inputs[1].shape[0];
    if (g !== 1 && !(g === cin && cout % cin === 0)) return `grouped convolution (groups=${g}, ${cin} -> ${cout} channels): only groups 1 and depthwise`;
    return null;
  },
  lower(ctx) {
    const n = ctx.node;
    const [x, w] = n.inputs;
    const g = n.attrs.groups as number;
    const stride = ints(n, 'stride'), dil = ints(n, 'dilation'), pads = ints(n, 'padding');
    const k = [w.shape[2], w.shape[3]];
    const mode = paddingMode(x.shape[2], x.shape[3], k, stride, dil, pads);
    const input = paddedInput(ctx, pads, mode);
    const cout = w.shape[0];
    const bias = n.inputs[2] ? ctx.input(2) : ctx.addConstant(`bias_${n.outputs[0].id}`, [cout], 'float32', new Float32Array(cout));
    const common = {
      padding: mode ?? 'VALID', stride_h: stride[0], stride_w: stride[1],
      dilation_h_factor: dil[0], dilation_w_factor: dil[1], fused_activation_function: ctx.activation,
    };
    if (g === 1) {
      ctx.emit('CONV_2D', [input, ctx.input(1, [0, 2, 3, 1]), bias], [ctx.output(0)], common);
    } else {
      ctx.emit('DEPTHWISE_CONV_2D', [input, ctx.input(1, [1, 2, 3, 0]), bias], [ctx.output(0)], { ...common, depth_multiplier: cout / x.shape[1] }, 2);
    }
  },
};

/**
 * TRANSPOSE_CONV's padding for these pads ([t, l, b, r]) and output padding: VALID (the full result), SAME
 * (out = in * stride with TFLite's SAME pads), or null.
 */
function transposePadding(inHW: readonly number[], k: readonly number[], s: readonly number[], pads: readonly number[], outPad: readonly number[]): 'SAME' | 'VALID' | null {
  if (pads.every((p) => p === 0) && outPad.every((p) => p === 0)) return 'VALID';
  const o = [0, 1].map((i) => (inHW[i] - 1) * s[i] + k[i] - pads[i] - pads[i + 2] + outPad[i]);
  const [t, b] = samePads(o[0], k[0], s[0], 1), [l, r] = samePads(o[1], k[1], s[1], 1);
  const same = o[0] === inHW[0] * s[0] && o[1] === inHW[1] * s[1] && t === pads[0] && l === pads[1] && b - outPad[0] === pads[2] && r - outPad[1] === pads[3];
  return same ? 'SAME' : null;
}

/** convTranspose2d -> TRANSPOSE_CONV (no padding, groups 1). */
export const CONV_TRANSPOSE2D_TFLITE: TfliteLowering = {
  layout: 'channelsLast',
  check(n) {
    if ((n.attrs.groups as number) !== 1) return 'grouped transposed convolution';
    if (ints(n, 'dilation').some((d) => d !== 1)) return 'dilated transposed convolution';
    return null;
  },
  lower(ctx) {
    const n = ctx.node;
    const o = n.outputs[0].shape;
    const pads = ints(n, 'padding'), stride = ints(n, 'stride'), outPad = ints(n, 'outputPadding');
    const w = n.inputs[1].shape;
    const padding = transposePadding([n.inputs[0].shape[2], n.inputs[0].shape[3]], [w[2], w[3]], stride, pads, outPad);
    if (!padding) ctx.unsupported(`transposed convolution padding [${pads.join(', ')}] (output padding [${outPad.join(', ')}]) is neither VALID nor SAME`);
    const shape = ctx.addConstant(`outshape_${n.outputs[0].id}`, [4], 'int32', Int32Array.of(o[0], o[2], o[3], o[1]));
    const bias = n.inputs[2] ? ctx.input(2) : -1;
    ctx.emit('TRANSPOSE_CONV', [shape, ctx.input(1, [1, 2, 3, 0]), ctx.input(0, NHWC), bias], [ctx.output(0)],
      { padding, stride_h: stride[0], stride_w: stride[1], fused_activation_function: 'NONE' }, bias === -1 ? 1 : 3);
  },
};

/** The explicit [top, left, bottom, right] pads of a pool, ceil mode included. */
function poolPads(n: Node): number[] {
  const x = n.inputs[0].shape, o = n.outputs[0].shape;
  const k = ints(n, 'kernel'), s = ints(n, 'stride'), p = ints(n, 'padding');
  const after = (i: number) => Math.max((o[2 + i] - 1) * s[i] + k[i] - x[2 + i] - p[i], 0);
  return [p[0], p[1], after(0), after(1)];
}

function pool(op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D'): TfliteLowering {
  return {
    layout: 'channelsLast',
    fusesActivation: true,
    check(n) {
      if ((n.attrs.dilation as number[] | undefined)?.some((d) => d !== 1)) return 'dilated pooling';
      if (n.attrs.divisorOverride) return 'average pooling with divisorOverride';
      return null;
    },
    lower(ctx) {
      const n = ctx.node;
      const x = n.inputs[0].shape;
      const k = ints(n, 'kernel'), s = ints(n, 'stride');
      const pads = poolPads(n);
      let mode = paddingMode(x[2], x[3], k, s, [1, 1], pads);
      let value = 0;
      if (op === 'MAX_POOL_2D') value = -3.4028234663852886e38;
      else if (mode === 'SAME' && n.attrs.countIncludePad) mode = null; // TFLite's SAME average excludes the pads
      else if (mode === null && !n.attrs.countIncludePad) ctx.unsupported(`average pooling with pads [${pads.join(', ')}] that TFLite's SAME does not give, excluding the pads`);
      const input = paddedInput(ctx, pads, mode, value);
      ctx.emit(op, [input], [ctx.output(0)], {
        padding: mode ?? 'VALID', stride_h: s[0], stride_w: s[1], filter_height: k[0], filter_width: k[1], fused_activation_function: ctx.activation,
      });
    },
  };
}

export const MAX_POOL2D_TFLITE = pool('MAX_POOL_2D');
export const AVG_POOL2D_TFLITE = pool('AVERAGE_POOL_2D');

/** adaptiveAvgPool2d: MEAN over H, W for a 1x1 output; AVERAGE_POOL_2D where the output divides the input. */
export const ADAPTIVE_AVG_POOL2D_TFLITE: TfliteLowering = {
  layout: 'channelsLast',
  lower(ctx) {
    const n = ctx.node;
    const [, , h, w] = n.inputs[0].shape;
    const [oh, ow] = ints(n, 'outputSize');
    const x = ctx.input(0, NHWC);
    if (oh === 1 && ow === 1) {
      ctx.emit('MEAN', [x, ctx.addConstant(`axes_${n.outputs[0].id}`, [2], 'int32', Int32Array.of(1, 2))], [ctx.output(0)], { keep_dims: true });
      return;
    }
    if (h % oh || w % ow) ctx.unsupported(`adaptive average pooling ${h}x${w} -> ${oh}x${ow} (the output must divide the input)`);
    ctx.emit('AVERAGE_POOL_2D', [x], [ctx.output(0)], {
      padding: 'VALID', stride_h: h / oh, stride_w: w / ow, filter_height: h / oh, filter_width: w / ow, fused_activation_function: 'NONE',
    });
  },
};

/** batchNorm left after folding: x * scale + shift per channel (constants), in the input's layout. */
export const BATCH_NORM_TFLITE: TfliteLowering = {
  layout: 'elementwise',
  fusesActivation: true,
  lower(ctx) {
    const n = ctx.node;
    const [mean, variance, weight, bias] = [1, 2, 3, 4].map((i) => ctx.constant(i));
    if (!mean || !variance || !weight || !bias) ctx.unsupported('batch norm with statistics computed at run time');
    const x = n.inputs[0], out = n.outputs[0];
    const c = x.shape[1];
    const eps = n.attrs.eps as number;
    const scale = new Float32Array(c), shift = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      scale[i] = weight![i] / Math.sqrt(variance![i] + eps);
      shift[i] = bias![i] - mean![i] * scale[i];
    }
    const perm = ctx.outputLayout(0);
    const shape = perm.map((d) => (d === 1 ? c : 1));
    const xi = ctx.input(0, perm);
    const t = ctx.addTensor(`bn_${out.id}`, perm.map((d) => out.shape[d]), 'float32');
    ctx.emit('MUL', [xi, ctx.addConstant(`bn_scale_${out.id}`, shape, 'float32', scale)], [t], { fused_activation_function: 'NONE' });
    ctx.emit('ADD', [t, ctx.addConstant(`bn_shift_${out.id}`, shape, 'float32', shift)], [ctx.output(0)], { fused_activation_function: ctx.activation });
  },
};

/** layerNorm over dims axis.. -> MEAN, SUB, MUL, MEAN, ADD, RSQRT, MUL, MUL, ADD; its mean and rstd outputs are the MEAN and RSQRT results. */
export const LAYER_NORM_TFLITE: TfliteLowering = {
  lower(ctx) {
    const n = ctx.node;
    const x = n.inputs[0];
    const rank = x.shape.length, axis = n.attrs.axis as number, eps = n.attrs.eps as number;
    const id = n.outputs[0].id;
    const axes = ctx.addConstant(`ln_axes_${id}`, [rank - axis], 'int32', Int32Array.from({ length: rank - axis }, (_, i) => axis + i));
    const stat = x.shape.map((d, i) => (i < axis ? d : 1));
    const t = (name: string, shape: readonly number[]) => ctx.addTensor(`ln_${name}_${id}`, shape, 'float32');
    const none = { fused_activation_function: 'NONE' };
    const xi = ctx.input(0);
    const mean = t('mean', stat), centered = t('centered', x.shape), sq = t('sq', x.shape), variance = t('var', stat);
    const ve = t('var_eps', stat), rstd = t('rstd', stat), normed = t('normed', x.shape), scaled = t('scaled', x.shape);
    ctx.emit('MEAN', [xi, axes], [mean], { keep_dims: true });
    ctx.emit('SUB', [xi, mean], [centered], none);
    ctx.emit('MUL', [centered, centered], [sq], none);
    ctx.emit('MEAN', [sq, axes], [variance], { keep_dims: true });
    ctx.emit('ADD', [variance, ctx.addConstant(`ln_eps_${id}`, [], 'float32', Float32Array.of(eps))], [ve], none);
    ctx.emit('RSQRT', [ve], [rstd]);
    ctx.emit('MUL', [centered, rstd], [normed], none);
    ctx.emit('MUL', [normed, ctx.input(1)], [scaled], none);
    ctx.emit('ADD', [scaled, ctx.input(2)], [ctx.output(0)], none);
    if (n.outputs.length > 1) ctx.alias(1, mean);
    if (n.outputs.length > 2) ctx.alias(2, rstd);
  },
};

/** matmul (a, b, bias?) -> FULLY_CONNECTED when b is a constant matrix, else BATCH_MATMUL. */
export const MATMUL_TFLITE: TfliteLowering = {
  fusesActivation: true,
  lower(ctx) {
    const n = ctx.node;
    const [a, b] = n.inputs;
    const transA = n.attrs.transA === true, transB = n.attrs.transB === true;
    if (ctx.constant(1) && b.shape.length === 2 && !transA && a.shape.length >= 2) {
      const bias = n.inputs[2] ? ctx.input(2) : -1;
      ctx.emit('FULLY_CONNECTED', [ctx.input(0), ctx.input(1, transB ? [0, 1] : [1, 0]), bias], [ctx.output(0)],
        { fused_activation_function: ctx.activation, keep_num_dims: a.shape.length > 2 });
      return;
    }
    if (n.inputs[2] || ctx.activation !== 'NONE') ctx.unsupported('bias or activation on a matmul of two run-time values');
    if (a.shape.length < 2 || b.shape.length < 2) ctx.unsupported('matmul of vectors');
    ctx.emit('BATCH_MATMUL', [ctx.input(0), ctx.input(1)], [ctx.output(0)], { adj_x: transA, adj_y: transB });
  },
};

// ---- ONNX import rules ----

const list = (c: OnnxImportContext, name: string, fallback: readonly number[]): number[] => [...c.attr<readonly number[]>(name, fallback)];

/** ONNX pads [begin..., end...] for a window op, auto_pad resolved. */
function windowPads(c: OnnxImportContext, x: readonly number[], k: readonly number[], s: readonly number[], d: readonly number[]): number[] {
  const auto = c.attr('auto_pad', 'NOTSET');
  const sp = x.length - 2;
  if (auto === 'NOTSET') return list(c, 'pads', new Array(2 * sp).fill(0));
  if (auto === 'VALID') return new Array(2 * sp).fill(0);
  const pads = new Array<number>(2 * sp).fill(0);
  for (let i = 0; i < sp; i++) {
    const size = x[2 + i];
    const out = Math.ceil(size / s[i]);
    const total = Math.max((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - size, 0);
    const small = Math.floor(total / 2);
    pads[i] = auto === 'SAME_LOWER' ? total - small : small;
    pads[i + sp] = total - pads[i];
  }
  return pads;
}

/** Conv (1-D inputs go through a 2-D conv with a unit height). */
export const CONV_IMPORT: OnnxImporter = (c) => {
  let x = c.input(0), w = c.input(1);
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) return c.unsupported(`Conv over ${rank - 2} spatial dims (1-D and 2-D only)`);
  const sp = rank - 2;
  const k = list(c, 'kernel_shape', w.shape.slice(2));
  const s = list(c, 'strides', new Array(sp).fill(1)), d = list(c, 'dilations', new Array(sp).fill(1));
  const pads = windowPads(c, x.shape, k, s, d);
  const group = c.attr('group', 1);
  if (sp === 1) {
    x = c.op('reshape', [x], { shape: [x.shape[0], x.shape[1], 1, x.shape[2]] });
    w = c.op('reshape', [w], { shape: [w.shape[0], w.shape[1], 1, w.shape[2]] });
    const ins = c.has(2) ? [x, w, c.input(2)] : [x, w];
    const y = c.op('conv2d', ins, { stride: [1, s[0]], padding: [0, pads[0], 0, pads[1]], dilation: [1, d[0]], groups: group });
    return c.op('reshape', [y], { shape: [y.shape[0], y.shape[1], y.shape[3]] });
  }
  const ins = c.has(2) ? [x, w, c.input(2)] : [x, w];
  return c.op('conv2d', ins, { stride: s, padding: pads, dilation: d, groups: group });
};

/**
 * ConvTranspose: pads from the attribute, auto_pad or output_shape (ONNX's total-padding rule). Pads TFLite
 * cannot express (neither VALID nor SAME) run as the full (VALID) result cropped by slices and, where the output
 * reaches past it (output padding, output_shape), zero-extended before the bias.
 */
export const CONV_TRANSPOSE_IMPORT: OnnxImporter = (c) => {
  let x = c.input(0), w = c.input(1);
  const oneD = x.shape.length === 3;
  if (x.shape.length !== 4 && !oneD) return c.unsupported('ConvTranspose over other than 1 or 2 spatial dims');
  // 1-D: as 2-D with a unit height
  const two = (v: readonly number[] | undefined, unit: number) => (v === undefined ? undefined : oneD ? (v.length === 2 ? [0, v[0], 0, v[1]] : [unit, ...v]) : [...v]);
  if (oneD) {
    x = c.op('reshape', [x], { shape: [x.shape[0], x.shape[1], 1, x.shape[2]] });
    w = c.op('reshape', [w], { shape: [w.shape[0], w.shape[1], 1, w.shape[2]] });
  }
  const s = two(list(c, 'strides', oneD ? [1] : [1, 1]), 1)!, d = two(list(c, 'dilations', oneD ? [1] : [1, 1]), 1)!;
  const outPad = two(list(c, 'output_padding', oneD ? [0] : [0, 0]), 0)!;
  const outShape = c.attr<readonly number[] | undefined>('output_shape', undefined);
  const k = [w.shape[2], w.shape[3]], inHW = [x.shape[2], x.shape[3]];
  const full = [0, 1].map((i) => (inHW[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1);
  let pads = oneD ? (two(list(c, 'pads', [0, 0]), 0) as number[]) : list(c, 'pads', [0, 0, 0, 0]);
  const auto = c.attr('auto_pad', 'NOTSET');
  if (outShape !== undefined || auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const want = outShape ? (oneD ? [1, outShape[outShape.length - 1]] : outShape.slice(-2)) : [inHW[0] * s[0], inHW[1] * s[1]];
    const total = [0, 1].map((i) => full[i] + outPad[i] - want[i]);
    const start = total.map((t) => (auto === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
    pads = [start[0], start[1], total[0] - start[0], total[1] - start[1]];
  }
  const groups = c.attr('group', 1);
  const bias = c.has(2) ? c.input(2) : undefined;
  let y: Value;
  if (groups === 1) y = convTranspose(c, x, w, bias, s, d, pads, outPad, full);
  else {
    // grouped: one transposed convolution per group (input channels and weight rows sliced), concatenated, then the bias
    const cin = x.shape[1] / groups;
    const parts = Array.from({ length: groups }, (_, g) => convTranspose(c,
      c.op('slice', [x], { dim: 1, start: g * cin, end: (g + 1) * cin, step: 1 }),
      c.op('slice', [w], { dim: 0, start: g * cin, end: (g + 1) * cin, step: 1 }), undefined, s, d, pads, outPad, full));
    y = c.op('cat', parts, { dim: 1 });
    if (bias) y = c.op('add', [y, c.op('reshape', [bias], { shape: [bias.shape[0], 1, 1] })]);
  }
  return oneD ? c.op('reshape', [y], { shape: [y.shape[0], y.shape[1], y.shape[3]] }) : y;
};

/** One transposed convolution: TRANSPOSE_CONV's own padding where it fits, else the full result cropped and zero-extended. */
function convTranspose(c: OnnxImportContext, x: Value, w: Value, bias: Value | undefined, s: readonly number[], d: readonly number[],
  pads: readonly number[], outPad: readonly number[], full: readonly number[]): Value {
  if (d.some((v) => v !== 1)) {
    // TRANSPOSE_CONV has no dilation: the kernel dilated with zeros (reshape, pad, reshape, slice per spatial dim)
    for (const i of [0, 1]) {
      if (d[i] === 1) continue;
      const sh = [...w.shape], kk = sh[2 + i];
      const split = [...sh.slice(0, 3 + i), 1, ...sh.slice(3 + i)];
      const p = new Array(2 * split.length).fill(0);
      p[split.length + 3 + i] = d[i] - 1;
      const spread = c.op('pad', [c.op('reshape', [w], { shape: split })], { pads: p, mode: 'constant', value: 0 });
      const merged = [...sh];
      merged[2 + i] = kk * d[i];
      w = c.op('slice', [c.op('reshape', [spread], { shape: merged })], { dim: 2 + i, start: 0, end: (kk - 1) * d[i] + 1, step: 1 });
    }
    d = [1, 1];
  }
  const k = [w.shape[2], w.shape[3]], inHW = [x.shape[2], x.shape[3]];
  const attrs = { stride: s, dilation: d, groups: 1 };
  if (transposePadding(inHW, k, s, pads, outPad) || pads[0] < 0 || pads[1] < 0) {
    return c.op('convTranspose2d', bias ? [x, w, bias] : [x, w], { ...attrs, padding: pads.map((p) => Math.max(p, 0)), outputPadding: outPad });
  }
  // the full result without bias, cropped at the start pads and cropped or zero-extended at the end, plus the bias
  let y = c.op('convTranspose2d', [x, w], { ...attrs, padding: [0, 0, 0, 0], outputPadding: [0, 0] });
  for (const i of [0, 1]) {
    const out = full[i] - pads[i] - pads[i + 2] + outPad[i], end = pads[i] + out;
    y = c.op('slice', [y], { dim: 2 + i, start: pads[i], end: Math.min(end, full[i]), step: 1 });
    if (end > full[i]) {
      const p = new Array(8).fill(0);
      p[6 + i] = end - full[i];
      y = c.op('pad', [y], { pads: p, mode: 'constant', value: 0 });
    }
  }
  return bias ? c.op('add', [y, c.op('reshape', [bias], { shape: [w.shape[1], 1, 1] })]) : y;
}

function poolImport(op: 'maxPool2d' | 'avgPool2d'): OnnxImporter {
  return (c) => windowPool(c, c.input(0), op, c.attr('count_include_pad', 0) === 1);
}

/** LpPool: (sum over the window of |x|^p)^(1/p), the sum an average pool counting the zero padding, times the window size. */
export const LP_POOL_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0), p = c.attr('p', 2);
  const a = c.op('abs', [x]);
  const powered = p === 2 ? c.op('mul', [x, x]) : p === 1 ? a : c.op('pow', [a, c.f32(p)]);
  const k = list(c, 'kernel_shape', []).reduce((u, v) => u * v, 1);
  const sum = c.op('mul', [windowPool(c, powered, 'avgPool2d', true), c.f32(k)]);
  return p === 2 ? c.op('sqrt', [sum]) : p === 1 ? sum : c.op('pow', [sum, c.f32(1 / p)]);
};

/** A dilated 2-D pool: max or mean over k0 x k1 strided slices of the padded input (-inf or 0 padding). */
function dilatedPool(c: OnnxImportContext, x: Value, max: boolean, k: readonly number[], s: readonly number[], d: readonly number[],
  pads: readonly number[], includePad: boolean, ceilMode: boolean): Value {
  const [h, w] = [x.shape[2], x.shape[3]];
  const eff = [0, 1].map((i) => (k[i] - 1) * d[i] + 1), size = [h, w];
  const o = [0, 1].map((i) => {
    const span = (size[i] + pads[i] + pads[i + 2] - eff[i]) / s[i];
    let n = (ceilMode ? Math.ceil(span) : Math.floor(span)) + 1;
    if (ceilMode && (n - 1) * s[i] >= size[i] + pads[i]) n--; // a last window starting in the end padding is dropped
    return n;
  });
  // ceil mode: windows may reach past the end padding; those positions are padded too and never counted
  const extra = [0, 1].map((i) => Math.max(0, (o[i] - 1) * s[i] + eff[i] - (size[i] + pads[i] + pads[i + 2])));
  const all = [pads[0], pads[1], pads[2] + extra[0], pads[3] + extra[1]];
  const padded = all.some((p) => p !== 0) ? c.op('pad', [x], { pads: [0, 0, all[0], all[1], 0, 0, all[2], all[3]], mode: 'constant', value: max ? -Infinity : 0 }) : x;
  let acc: Value | null = null;
  for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) {
    const rows = c.op('slice', [padded], { dim: 2, start: a * d[0], end: a * d[0] + (o[0] - 1) * s[0] + 1, step: s[0] });
    const win = c.op('slice', [rows], { dim: 3, start: b * d[1], end: b * d[1] + (o[1] - 1) * s[1] + 1, step: s[1] });
    acc = acc ? c.op(max ? 'maximum' : 'add', [acc, win]) : win;
  }
  if (max) return acc!;
  const f = new Float32Array(o[0] * o[1]);
  for (let i = 0; i < o[0]; i++) for (let j = 0; j < o[1]; j++) {
    let n = 0;
    for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) {
      const r = i * s[0] - pads[0] + a * d[0], q = j * s[1] - pads[1] + b * d[1];
      if (includePad ? r < h + pads[2] && q < w + pads[3] : r >= 0 && r < h && q >= 0 && q < w) n++;
    }
    f[i * o[1] + j] = 1 / n;
  }
  return c.op('mul', [acc!, c.constantValue([o[0], o[1]], 'float32', f)]);
}

/** MaxPool / AveragePool over 1 or 2 spatial dims (1-D as 2-D with a unit height). */
function windowPool(c: OnnxImportContext, input: Value, op: 'maxPool2d' | 'avgPool2d', includePad: boolean): Value {
  {
    let x = input;
    const oneD = x.shape.length === 3;
    if (x.shape.length !== 4 && !oneD) return c.unsupported(`${c.opType} over other than 1 or 2 spatial dims`);
    // 1-D: as 2-D over [N, C, 1, L]
    const two = (v: number[]) => (oneD ? [1, v[0]] : v);
    const k = two(list(c, 'kernel_shape', []));
    const s = two(list(c, 'strides', oneD ? [1] : [1, 1])), d = two(list(c, 'dilations', oneD ? [1] : [1, 1]));
    if (oneD) x = c.op('reshape', [x], { shape: [x.shape[0], x.shape[1], 1, x.shape[2]] });
    let pads = windowPads(c, x.shape, k, s, d);
    if (oneD && pads.length === 2) pads = [0, pads[0], 0, pads[1]];
    const ceilMode = c.attr('ceil_mode', 0) === 1;
    let y: Value;
    if (d.some((v) => v !== 1)) {
      // TFLite pools have no dilation: the max / sum of one strided slice per window position
      y = dilatedPool(c, x, op === 'maxPool2d', k, s, d, pads, includePad, ceilMode);
    } else if (pads[0] === pads[2] && pads[1] === pads[3] && 2 * pads[0] <= k[0] && 2 * pads[1] <= k[1]) {
      const attrs = { kernel: k, stride: s, padding: [pads[0], pads[1]], dilation: d, ceilMode };
      y = op === 'maxPool2d' ? c.op('maxPool2d', [x], attrs) : c.op('avgPool2d', [x], { ...attrs, countIncludePad: includePad, divisorOverride: 0 });
    } else {
      // asymmetric pads, or pads over half the window: an explicit PAD (-inf for max, 0 for average), then no padding
      if (ceilMode) return c.unsupported(`${c.opType} with ceil_mode and pads [${pads.join(', ')}]`);
      if (d.some((v) => v !== 1)) return c.unsupported(`${c.opType} with dilations and pads [${pads.join(', ')}]`);
      const padded = c.op('pad', [x], { pads: [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], mode: 'constant', value: op === 'maxPool2d' ? -Infinity : 0 });
      const attrs = { kernel: k, stride: s, padding: [0, 0], dilation: d, ceilMode: false };
      if (op === 'maxPool2d') y = c.op('maxPool2d', [padded], attrs);
      else {
        y = c.op('avgPool2d', [padded], { ...attrs, countIncludePad: true, divisorOverride: 0 });
        if (!includePad) {
          // the window mean over the input's own elements: times K / (elements of the window inside the input)
          const [oh, ow] = [y.shape[2], y.shape[3]], [h, w] = [x.shape[2], x.shape[3]];
          const f = new Float32Array(oh * ow);
          for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
            const r0 = i * s[0] - pads[0], c0 = j * s[1] - pads[1];
            const rows = Math.min(r0 + k[0], h) - Math.max(r0, 0), cols = Math.min(c0 + k[1], w) - Math.max(c0, 0);
            f[i * ow + j] = (k[0] * k[1]) / (rows * cols);
          }
          y = c.op('mul', [y, c.constantValue([oh, ow], 'float32', f)]);
        }
      }
    }
    return oneD ? c.op('reshape', [y], { shape: [y.shape[0], y.shape[1], y.shape[3]] }) : y;
  }
}

export const MAX_POOL_IMPORT = poolImport('maxPool2d');
export const AVG_POOL_IMPORT = poolImport('avgPool2d');

export const GLOBAL_AVG_POOL_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  if (x.shape.length === 4) return c.op('adaptiveAvgPool2d', [x], { outputSize: [1, 1] });
  return c.op('mean', [x], { dims: identity(x.shape.length).slice(2), keepdim: true });
};

/**
 * BatchNormalization: the table's batchNorm for constant statistics; statistics computed at run time
 * and training mode (batch statistics, running-statistics outputs) as elementwise ops and means.
 */
export const BATCH_NORM_IMPORT: OnnxImporter = (c) => {
  const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => c.input(i));
  const eps = c.attr('epsilon', 1e-5);
  const training = c.attr('training_mode', 0) === 1;
  if (!training && [1, 2, 3, 4].every((i) => c.constant(i))) return c.op('batchNorm', [x, mean, variance, scale, bias], { eps });
  const rank = x.shape.length, ch = x.shape[1];
  const perChannel = (v: Value) => c.op('reshape', [v], { shape: [ch, ...new Array(rank - 2).fill(1)] });
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  let m = perChannel(mean), v = perChannel(variance);
  if (training) {
    m = c.op('mean', [x], { dims: axes, keepdim: true });
    const d = c.op('sub', [x, m]);
    v = c.op('mean', [c.op('mul', [d, d])], { dims: axes, keepdim: true });
  }
  const k = c.op('mul', [c.op('rsqrt', [c.op('add', [v, c.f32(eps)])]), perChannel(scale)]);
  const y = c.op('add', [c.op('mul', [c.op('sub', [x, m]), k]), perChannel(bias)]);
  if (!training) return y;
  const momentum = c.attr('momentum', 0.9);
  const running = (stat: Value, batch: Value) =>
    c.op('add', [c.op('mul', [stat, c.f32(momentum)]), c.op('mul', [c.op('reshape', [batch], { shape: [ch] }), c.f32(1 - momentum)])]);
  return [y, running(mean, m), running(variance, v)];
};

export const LAYER_NORM_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  let axis = c.attr('axis', -1);
  if (axis < 0) axis += x.shape.length;
  const norm = x.shape.slice(axis);
  const size = norm.reduce((a, b) => a * b, 1);
  const w = c.input(1);
  const b = c.has(2) ? c.input(2) : c.constantValue(norm, 'float32', new Float32Array(size));
  return c.ops('layerNorm', [x, w, b], { axis, eps: c.attr('epsilon', 1e-5) });
};

export const MATMUL_IMPORT: OnnxImporter = (c) => c.op('matmul', [c.input(0), c.input(1)], { transA: false, transB: false });

export const GEMM_IMPORT: OnnxImporter = (c) => {
  const alpha = c.attr('alpha', 1), beta = c.attr('beta', 1);
  let y = c.op('matmul', [c.input(0), c.input(1)], { transA: c.attr('transA', 0) === 1, transB: c.attr('transB', 0) === 1 });
  if (alpha !== 1) y = c.op('mul', [y, c.f32(alpha)]);
  if (c.has(2)) y = c.op('add', [y, beta === 1 ? c.input(2) : c.op('mul', [c.input(2), c.f32(beta)])]);
  return y;
};
