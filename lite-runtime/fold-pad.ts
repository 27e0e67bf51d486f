/**
 * Load-time pass of the CPU backend: a PAD (or PADV2 filling with the zero point) that pads
 * only H and W of an NHWC tensor and feeds nothing but a VALID CONV_2D or DEPTHWISE_CONV_2D
 * (window larger than 1x1, each pad at most the window's extent - 1, as SAME pads) becomes
 * that convolution's explicit padding. The convolution pads with its input's zero
 * point (0 for float), so the outputs are the same, without the padded copy. (XNNPACK folds
 * the same way; pools are left alone: their padding is not a value.)
 *
 * ```ts
 * const def = foldPads(parseModel(bytes)); // operators without the folded PADs
 * ```
 */
import type { ModelDef, OperatorDef, SubgraphDef, TensorDef } from './format/model.js';
import { BuiltinOp, Conv2DOptions, DepthwiseConv2DOptions, Padding } from './format/schema.js';
import type { OptionsTable } from './ops/op.js';
import type { PaddedOptions } from './ops/util/window.js';

/** A convolution's options with the folded padding added (every schema field read as before). */
function padded(o: OptionsTable | null, p: [number, number, number, number]): PaddedOptions {
  const dflt = <T>(f: (t: OptionsTable) => T, d: T): T => (o ? f(o) : d);
  return {
    explicitPadding: p,
    bool: (f, d) => dflt((t) => t.bool(f, d), d),
    i8: (f, d) => dflt((t) => t.i8(f, d), d),
    u8: (f, d) => dflt((t) => t.u8(f, d), d),
    i16: (f, d) => dflt((t) => t.i16(f, d), d),
    i32: (f, d) => dflt((t) => t.i32(f, d), d),
    f32: (f, d) => dflt((t) => t.f32(f, d), d),
    i32Vector: (f) => (o ? o.i32Vector(f) : null),
    str: (f) => (o ? o.str(f) : null),
  };
}

const sameQuant = (a: TensorDef, b: TensorDef): boolean => {
  if (!a.quant || !b.quant) return !a.quant && !b.quant;
  return a.quant.scale.length === b.quant.scale.length && a.quant.scale.every((s, i) => s === b.quant!.scale[i] && a.quant!.zeroPoint[i] === b.quant!.zeroPoint[i]);
};

/** The [top, bottom, left, right] padding of PAD op `p` when it can be folded, else null. */
function foldablePads(sg: SubgraphDef, p: OperatorDef): [number, number, number, number] | null {
  if (p.code !== BuiltinOp.PAD && p.code !== BuiltinOp.PADV2) return null;
  const x = sg.tensors[p.inputs[0]!], pads = sg.tensors[p.inputs[1]!], y = sg.tensors[p.outputs[0]!];
  if (!x || !pads || !y || !pads.data || x.shape.length !== 4 || (x.dtype !== 'int8' && x.dtype !== 'float32')) return null;
  if (y.dtype !== x.dtype || !sameQuant(x, y) || (x.quant && x.quant.scale.length !== 1)) return null;
  const v = Array.from(pads.data as ArrayLike<number | bigint>, Number);
  if (v.length !== 8 || v.some((d) => !(d >= 0)) || v[0] || v[1] || v[6] || v[7]) return null;
  if (p.code === BuiltinOp.PADV2) {
    const fill = sg.tensors[p.inputs[2]!];
    const zp = x.quant ? x.quant.zeroPoint[0]! : 0;
    if (!fill?.data || fill.data.length !== 1 || Number(fill.data[0]) !== zp) return null;
  }
  return [v[2]!, v[3]!, v[4]!, v[5]!];
}

/** One subgraph with its foldable PADs folded (the same object when there are none). */
export function foldSubgraphPads(sg: SubgraphDef): SubgraphDef {
  const uses = new Map<number, number>();
  for (const o of sg.operators) for (const t of o.inputs) if (t >= 0) uses.set(t, (uses.get(t) ?? 0) + 1);
  for (const t of sg.outputs) uses.set(t, (uses.get(t) ?? 0) + 1000);
  const byInput = new Map<number, number>(); // tensor -> index of the operator reading it as input 0
  sg.operators.forEach((o, k) => { if (o.inputs[0]! >= 0) byInput.set(o.inputs[0]!, k); });
  const ops = sg.operators.slice();
  const dropped = new Set<number>();
  sg.operators.forEach((p, k) => {
    const pads = foldablePads(sg, p);
    const t = p.outputs[0]!;
    if (!pads || uses.get(t) !== 1) return;
    const ck = byInput.get(t);
    if (ck === undefined) return;
    const c = ops[ck]!;
    const field = c.code === BuiltinOp.CONV_2D ? Conv2DOptions.padding : c.code === BuiltinOp.DEPTHWISE_CONV_2D ? DepthwiseConv2DOptions.padding : -1;
    if (field < 0 || (c.options ? c.options.i8(field, Padding.SAME) : Padding.SAME) !== Padding.VALID) return;
    if (c.options && 'explicitPadding' in c.options) return;
    // only paddings SAME could have asked for: a window larger than 1x1 (1x1 stride-1 kernels
    // read the input as a matrix) and at most its dilated extent - 1 on each side
    const f = sg.tensors[c.inputs[1]!];
    if (!f || f.shape.length !== 4) return;
    const dil = (id: number): number => (c.options ? c.options.i32(id, 1) : 1);
    const conv = c.code === BuiltinOp.CONV_2D;
    const eh = (f.shape[1]! - 1) * dil(conv ? Conv2DOptions.dilation_h_factor : DepthwiseConv2DOptions.dilation_h_factor);
    const ew = (f.shape[2]! - 1) * dil(conv ? Conv2DOptions.dilation_w_factor : DepthwiseConv2DOptions.dilation_w_factor);
    if (eh === 0 || ew === 0 || pads[0] > eh || pads[1] > eh || pads[2] > ew || pads[3] > ew) return;
    // the interpreter reads options only through OptionsTable, which the wrapper is
    ops[ck] = { ...c, inputs: [p.inputs[0]!, ...c.inputs.slice(1)], options: padded(c.options, pads) as unknown as OperatorDef['options'] };
    dropped.add(k);
  });
  if (!dropped.size) return sg;
  return { ...sg, operators: ops.filter((_, k) => !dropped.has(k)) };
}

/**
 * The model with every foldable PAD folded into the convolution it feeds (subgraphs without
 * one are shared, not copied).
 */
export function foldPads(def: ModelDef): ModelDef {
  const subgraphs = def.subgraphs.map(foldSubgraphPads);
  return subgraphs.every((s, i) => s === def.subgraphs[i]) ? def : { ...def, subgraphs };
}
