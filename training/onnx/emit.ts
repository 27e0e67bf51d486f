import { promoteTypes, type DType } from '../dtype.js';
import type { Node } from '../graph/ir.js';
import { OnnxExportError, type AttrSpec, type Emitter, type OpExporter } from './context.js';
import { DATA_TYPE } from './messages.js';

/*
 * Building blocks of the ONNX exporters that op definitions carry in their
 * `onnx` field (see training/ops/registry.ts). No op is named here.
 */

export { DATA_TYPE };
export type { OpExporter };

/** Dtype of input `i` / of the first output. */
export const dt = (n: Node, i: number): DType => n.inputs[i].dtype;
export const outDt = (n: Node): DType => n.outputs[0].dtype;
/** A numeric-list attr of the node. */
export const ints = (n: Node, key: string): readonly number[] => n.attrs[key] as readonly number[];

/** Broadcasting arithmetic: inputs cast to the result dtype (bools computed as int32). */
export function arith(opType: string): OpExporter {
  return (e, n, ins, outs) => {
    const out = outDt(n);
    const work: DType = out === 'bool' ? 'int32' : out;
    const a = e.cast(ins[0], dt(n, 0), work), b = e.cast(ins[1], dt(n, 1), work);
    if (work === out) e.node(opType, [a, b], outs);
    else e.node('Cast', [e.op(opType, [a, b])], outs, { to: { i: DATA_TYPE.bool } });
  };
}

/** Comparisons: inputs cast to their promoted dtype; `not` negates (ne). */
export function compare(opType: string, not = false): OpExporter {
  return (e, n, ins, outs) => {
    const p = promoteTypes(dt(n, 0), dt(n, 1));
    const a = e.cast(ins[0], dt(n, 0), p), b = e.cast(ins[1], dt(n, 1), p);
    if (not) e.node('Not', [e.op(opType, [a, b])], outs);
    else e.node(opType, [a, b], outs);
  };
}

/** Unary ops: the input cast to the output dtype (int -> float for exp, sqrt...), then a chain of ONNX ops. */
export function unary(...chain: string[]): OpExporter {
  return (e, n, ins, outs) => {
    let x = e.cast(ins[0], dt(n, 0), outDt(n));
    for (let i = 0; i < chain.length - 1; i++) x = e.op(chain[i], [x]);
    e.node(chain[chain.length - 1], [x], outs);
  };
}

/** The first input as float32. */
export const floatIn = (e: Emitter, n: Node, ins: readonly string[]): string => e.cast(ins[0], dt(n, 0), 'float32');

/** A reduction whose axes are an attribute in opset 17 (all but ReduceSum) and an input from opset 18. */
export function reduceNode(e: Emitter, opType: string, x: string, dims: readonly number[], keepdim: boolean, outs: readonly string[]): void {
  const keepdims = { i: keepdim ? 1 : 0 };
  if (e.opset >= 18) e.node(opType, [x, e.i64(dims)], outs, { keepdims });
  else e.node(opType, [x], outs, { axes: { ints: dims }, keepdims });
}

/** Reductions over the `dims` attr (mean, amax, amin, prod). */
export function reduceAttr(opType: string): OpExporter {
  return (e, n, ins, outs) => {
    const dims = n.attrs.dims as readonly number[];
    const x = e.cast(ins[0], dt(n, 0), outDt(n));
    if (dims.length === 0) { e.node('Identity', [x], outs); return; }
    reduceNode(e, opType, x, dims, n.attrs.keepdim === true, outs);
  };
}

/** argmax/argmin (and the index output of max/min with indices): int64 indices cast to int32. */
export function argReduce(e: Emitter, n: Node, x: string, opType: 'ArgMax' | 'ArgMin', out: string): void {
  const dim = n.attrs.dim as number | null;
  const keep = n.attrs.keepdim === true;
  if (dim === null) {
    const flat = e.op('Reshape', [x, e.i64([-1])]);
    const idx = e.op(opType, [flat], { axis: { i: 0 }, keepdims: { i: 0 } });
    const i32 = e.op('Cast', [idx], { to: { i: DATA_TYPE.int32 } });
    e.node('Reshape', [i32, e.i64(n.outputs[0].shape.map(() => 1))], [out]);
    return;
  }
  const idx = e.op(opType, [x], { axis: { i: dim }, keepdims: { i: keep ? 1 : 0 } });
  e.node('Cast', [idx], [out], { to: { i: DATA_TYPE.int32 } });
}

/** max/min with indices along `dim`: the reduction and its arg-reduction. */
export function withIndices(reduce: string, arg: 'ArgMax' | 'ArgMin'): OpExporter {
  return (e, n, ins, outs) => {
    const dim = n.attrs.dim as number | null;
    if (dim === null) throw new OnnxExportError(`${n.op} over the flattened tensor has no ONNX mapping; use amax/argmax`);
    reduceNode(e, reduce, ins[0], [dim], n.attrs.keepdim === true, [outs[0]]);
    argReduce(e, n, ins[0], arg, outs[1]);
  };
}

/** Conv / ConvTranspose attributes from a conv node (NCHW, OIHW weight). */
export function convAttrs(n: Node): Record<string, AttrSpec> {
  const w = n.inputs[1].shape;
  return {
    kernel_shape: { ints: [w[2], w[3]] }, strides: { ints: ints(n, 'stride') }, pads: { ints: ints(n, 'padding') },
    dilations: { ints: ints(n, 'dilation') }, group: { i: n.attrs.groups as number },
  };
}

/** MaxPool / AveragePool attributes from a pool node. */
export function poolAttrs(n: Node): Record<string, AttrSpec> {
  const [ph, pw] = ints(n, 'padding');
  return {
    kernel_shape: { ints: ints(n, 'kernel') }, strides: { ints: ints(n, 'stride') }, pads: { ints: [ph, pw, ph, pw] },
    ceil_mode: { i: n.attrs.ceilMode ? 1 : 0 },
  };
}

/** The error for an attribute value ONNX cannot express. */
export const unsupported = (n: Node, why: string): OnnxExportError => new OnnxExportError(`${n.op}: ${why} has no ONNX opset 17 mapping`);
