import { promoteTypes, type DType } from '../dtype.js';
import type { Node } from '../graph/ir.js';
import { OnnxExportError, type Emitter, type OpExporter } from './context.js';
import { DATA_TYPE } from './proto.js';

const dt = (n: Node, i: number): DType => n.inputs[i].dtype;
const outDt = (n: Node): DType => n.outputs[0].dtype;

/** Broadcasting arithmetic: inputs cast to the result dtype (bools computed as int32). */
function arith(opType: string): OpExporter {
  return (e, n, ins, outs) => {
    const out = outDt(n);
    const work: DType = out === 'bool' ? 'int32' : out;
    const a = e.cast(ins[0], dt(n, 0), work), b = e.cast(ins[1], dt(n, 1), work);
    if (work === out) e.node(opType, [a, b], outs);
    else e.node('Cast', [e.op(opType, [a, b])], outs, { to: { i: DATA_TYPE.bool } });
  };
}

/** Comparisons: inputs cast to their promoted dtype; `not` negates (ne). */
function compare(opType: string, not = false): OpExporter {
  return (e, n, ins, outs) => {
    const p = promoteTypes(dt(n, 0), dt(n, 1));
    const a = e.cast(ins[0], dt(n, 0), p), b = e.cast(ins[1], dt(n, 1), p);
    if (not) e.node('Not', [e.op(opType, [a, b])], outs);
    else e.node(opType, [a, b], outs);
  };
}

/** Unary ops: the input cast to the output dtype (int -> float for exp, sqrt...). */
function unary(...chain: string[]): OpExporter {
  return (e, n, ins, outs) => {
    let x = e.cast(ins[0], dt(n, 0), outDt(n));
    for (let i = 0; i < chain.length - 1; i++) x = e.op(chain[i], [x]);
    e.node(chain[chain.length - 1], [x], outs);
  };
}

const floatIn = (e: Emitter, n: Node, ins: readonly string[]) => e.cast(ins[0], dt(n, 0), 'float32');

/** A reduction whose axes are an attribute in opset 17 (all but ReduceSum) and an input from opset 18. */
function reduceNode(e: Emitter, opType: string, x: string, dims: readonly number[], keepdim: boolean, outs: readonly string[]): void {
  const keepdims = { i: keepdim ? 1 : 0 };
  if (e.opset >= 18) e.node(opType, [x, e.i64(dims)], outs, { keepdims });
  else e.node(opType, [x], outs, { axes: { ints: dims }, keepdims });
}

/** Reductions over the `dims` attr (mean, amax, amin, prod). */
function reduceAttr(opType: string): OpExporter {
  return (e, n, ins, outs) => {
    const dims = n.attrs.dims as readonly number[];
    const x = e.cast(ins[0], dt(n, 0), outDt(n));
    if (dims.length === 0) { e.node('Identity', [x], outs); return; }
    reduceNode(e, opType, x, dims, n.attrs.keepdim === true, outs);
  };
}

/** argmax/argmin (and the index output of max/min with indices): int64 indices cast to int32. */
function argReduce(e: Emitter, n: Node, x: string, opType: 'ArgMax' | 'ArgMin', out: string): void {
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

const SQRT1_2 = Math.SQRT1_2;

export const MATH_OPS: Record<string, OpExporter> = {
  add: arith('Add'), sub: arith('Sub'), mul: arith('Mul'), div: arith('Div'), pow: arith('Pow'),
  maximum: arith('Max'), minimum: arith('Min'),
  eq: compare('Equal'), ne: compare('Equal', true), lt: compare('Less'), le: compare('LessOrEqual'),
  gt: compare('Greater'), ge: compare('GreaterOrEqual'),
  neg: unary('Neg'), abs: unary('Abs'), sign: unary('Sign'), sqrt: unary('Sqrt'), rsqrt: unary('Sqrt', 'Reciprocal'),
  exp: unary('Exp'), log: unary('Log'), sin: unary('Sin'), cos: unary('Cos'), tanh: unary('Tanh'),
  sigmoid: unary('Sigmoid'), relu: unary('Relu'), erf: unary('Erf'), hardswish: unary('HardSwish'),
  log1p: (e, n, ins, outs) => { e.node('Log', [e.op('Add', [floatIn(e, n, ins), e.constant('float32', [1])])], outs); },
  where: (e, n, ins, outs) => {
    const o = outDt(n);
    e.node('Where', [ins[0], e.cast(ins[1], dt(n, 1), o), e.cast(ins[2], dt(n, 2), o)], outs);
  },
  leakyRelu: (e, n, ins, outs) => { e.node('LeakyRelu', [ins[0]], outs, { alpha: { f: n.attrs.negativeSlope as number } }); },
  elu: (e, n, ins, outs) => { e.node('Elu', [ins[0]], outs, { alpha: { f: n.attrs.alpha as number } }); },
  hardsigmoid: (e, _n, ins, outs) => { e.node('HardSigmoid', [ins[0]], outs, { alpha: { f: 1 / 6 }, beta: { f: 0.5 } }); },
  silu: (e, _n, ins, outs) => { e.node('Mul', [ins[0], e.op('Sigmoid', [ins[0]])], outs); },
  gelu: (e, n, ins, outs) => {
    const x = ins[0];
    const c = (v: number) => e.constant('float32', [v]);
    if (n.attrs.approximate === 'tanh') {
      const inner = e.op('Mul', [e.op('Add', [x, e.op('Mul', [e.op('Mul', [e.op('Mul', [x, x]), x]), c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
      e.node('Mul', [e.op('Mul', [x, c(0.5)]), e.op('Add', [e.op('Tanh', [inner]), c(1)])], outs);
    } else {
      e.node('Mul', [e.op('Mul', [x, c(0.5)]), e.op('Add', [e.op('Erf', [e.op('Mul', [x, c(SQRT1_2)])]), c(1)])], outs);
    }
  },
  softplus: (e, n, ins, outs) => {
    const beta = n.attrs.beta as number, threshold = n.attrs.threshold as number;
    const z = e.op('Mul', [ins[0], e.constant('float32', [beta])]);
    const soft = e.op('Div', [e.op('Softplus', [z]), e.constant('float32', [beta])]);
    e.node('Where', [e.op('Greater', [z, e.constant('float32', [threshold])]), ins[0], soft], outs);
  },
  clamp: (e, n, ins, outs) => {
    const o = outDt(n);
    const bound = (v: unknown) => (v === null || v === undefined ? '' : e.constant(o, [v as number]));
    e.node('Clip', [e.cast(ins[0], dt(n, 0), o), bound(n.attrs.min), bound(n.attrs.max)], outs);
  },
  hardtanh: (e, n, ins, outs) => {
    const o = outDt(n);
    e.node('Clip', [ins[0], e.constant(o, [n.attrs.min as number]), e.constant(o, [n.attrs.max as number])], outs);
  },
  matmul: (e, n, ins, outs) => {
    const t = (name: string, rank: number, flag: unknown) => {
      if (flag !== true) return name;
      const perm = Array.from({ length: rank }, (_, i) => i);
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      return e.op('Transpose', [name], { perm: { ints: perm } });
    };
    e.node('MatMul', [t(ins[0], n.inputs[0].shape.length, n.attrs.transA), t(ins[1], n.inputs[1].shape.length, n.attrs.transB)], outs);
    // batch dims broadcast right-aligned; m comes from A (its second-to-last dim, or last when transposed)
    const a = e.sym(n.inputs[0]);
    const out = n.outputs[0].shape;
    const sym = out.map((_, i) => (i < out.length - 2 ? a[i - (out.length - a.length)] ?? null : null));
    sym[out.length - 2] = a[a.length - (n.attrs.transA === true ? 1 : 2)] ?? null;
    e.model.syms.set(n.outputs[0], sym);
  },
  sum: (e, n, ins, outs) => {
    const dims = n.attrs.dims as readonly number[];
    const x = e.cast(ins[0], dt(n, 0), outDt(n));
    if (dims.length === 0) { e.node('Identity', [x], outs); return; }
    e.node('ReduceSum', [x, e.i64(dims)], outs, { keepdims: { i: n.attrs.keepdim ? 1 : 0 } });
  },
  mean: reduceAttr('ReduceMean'), amax: reduceAttr('ReduceMax'), amin: reduceAttr('ReduceMin'), prod: reduceAttr('ReduceProd'),
  argmax: (e, n, ins, outs) => argReduce(e, n, ins[0], 'ArgMax', outs[0]),
  argmin: (e, n, ins, outs) => argReduce(e, n, ins[0], 'ArgMin', outs[0]),
  maxWithIndices: withIndices('ReduceMax', 'ArgMax'),
  minWithIndices: withIndices('ReduceMin', 'ArgMin'),
  softmax: (e, n, ins, outs) => { e.node('Softmax', [floatIn(e, n, ins)], outs, { axis: { i: n.attrs.dim as number } }); },
  logSoftmax: (e, n, ins, outs) => { e.node('LogSoftmax', [floatIn(e, n, ins)], outs, { axis: { i: n.attrs.dim as number } }); },
  cumsum: (e, n, ins, outs) => {
    e.node('CumSum', [e.cast(ins[0], dt(n, 0), outDt(n)), e.i64([n.attrs.dim as number], true)], outs, { reverse: { i: n.attrs.reverse ? 1 : 0 } });
  },
  topk: (e, n, ins, outs) => {
    const idx = e.temp('topk_indices');
    e.node('TopK', [ins[0], e.i64([n.attrs.k as number])], [outs[0], idx],
      { axis: { i: n.attrs.dim as number }, largest: { i: n.attrs.largest ? 1 : 0 }, sorted: { i: n.attrs.sorted ? 1 : 0 } });
    e.node('Cast', [idx], [outs[1]], { to: { i: DATA_TYPE.int32 } });
  },
};

function withIndices(reduce: string, arg: 'ArgMax' | 'ArgMin'): OpExporter {
  return (e, n, ins, outs) => {
    const dim = n.attrs.dim as number | null;
    if (dim === null) throw new OnnxExportError(`${n.op} over the flattened tensor has no ONNX mapping; use amax/argmax`);
    reduceNode(e, reduce, ins[0], [dim], n.attrs.keepdim === true, [outs[0]]);
    argReduce(e, n, ins[0], arg, outs[1]);
  };
}
