/**
 * Converter traits of the elementwise ops (their `tflite` and `onnxImport`
 * fields): most are one builtin over aligned inputs, and one ONNX op in.
 */
import type { Node } from '../../graph/ir.js';
import type { OnnxImportContext, OnnxImporter, TfliteLowerContext, TfliteLowering } from '../convert-traits.js';
import { importAs } from '../convert-traits.js';
import type { BuiltinOpName } from '../../../lite-runtime/format/schema.js';

/** One builtin, inputs aligned to the output; `fuses`: it takes a fused activation. */
export const builtin = (op: BuiltinOpName, fuses = false, options?: (n: Node) => Record<string, unknown>): TfliteLowering =>
  ({ builtin: op, fusesActivation: fuses, options });

/** `{ OnnxType: op }` with the ONNX inputs in order. */
export const onnx = (type: string, op: string): Record<string, OnnxImporter> => ({ [type]: importAs(op) });

/** A float scalar constant tensor for a lowering. */
export function scalarConst(ctx: TfliteLowerContext, name: string, value: number, rank: number): number {
  return ctx.addConstant(name, new Array(rank).fill(1), 'float32', Float32Array.of(value));
}

/** An elementwise chain: `steps` applied to input 0; each step names a builtin and an optional scalar operand. */
export function chain(...steps: readonly (readonly [BuiltinOpName, number?])[]): TfliteLowering {
  return {
    layout: 'elementwise',
    lower(ctx) {
      const out = ctx.node.outputs[0];
      const rank = out.shape.length;
      const perm = ctx.outputLayout(0);
      let cur = ctx.inputAligned(0, rank, perm);
      steps.forEach(([op, k], i) => {
        const last = i === steps.length - 1;
        const dst = last ? ctx.output(0) : ctx.addTensor(`${op.toLowerCase()}_${out.id}_${i}`, perm.map((d) => out.shape[d]), 'float32');
        const ins = k === undefined ? [cur] : [cur, scalarConst(ctx, `c_${out.id}_${i}`, k, rank)];
        const opts = op === 'ADD' || op === 'MUL' || op === 'SUB' || op === 'DIV' ? { fused_activation_function: 'NONE' } : undefined;
        ctx.emit(op, ins, [dst], opts);
        cur = dst;
      });
    },
  };
}

/** silu: x * sigmoid(x). */
export const SILU_TFLITE: TfliteLowering = {
  layout: 'elementwise',
  lower(ctx) {
    const out = ctx.node.outputs[0];
    const perm = ctx.outputLayout(0);
    const x = ctx.inputAligned(0, out.shape.length, perm);
    const s = ctx.addTensor(`sigmoid_${out.id}`, perm.map((d) => out.shape[d]), 'float32');
    ctx.emit('LOGISTIC', [x], [s]);
    ctx.emit('MUL', [x, s], [ctx.output(0)], { fused_activation_function: 'NONE' });
  },
};

/** clamp / hardtanh: RELU6, RELU_N1_TO_1, RELU or MAXIMUM/MINIMUM with constants. */
export const CLAMP_TFLITE: TfliteLowering = {
  layout: 'elementwise',
  lower(ctx) {
    const out = ctx.node.outputs[0];
    const lo = ctx.node.attrs.min as number | null, hi = ctx.node.attrs.max as number | null;
    const perm = ctx.outputLayout(0);
    const x = ctx.inputAligned(0, out.shape.length, perm);
    const relu: BuiltinOpName | null = lo === 0 && hi === 6 ? 'RELU6' : lo === -1 && hi === 1 ? 'RELU_N1_TO_1' : lo === 0 && hi === 1 ? 'RELU_0_TO_1' : lo === 0 && hi == null ? 'RELU' : null;
    if (relu && out.dtype === 'float32') { ctx.emit(relu, [x], [ctx.output(0)]); return; }
    const rank = out.shape.length;
    const dt = out.dtype === 'float32' ? 'float32' : 'int32';
    const k = (name: string, v: number) => ctx.addConstant(`${name}_${out.id}`, new Array(rank).fill(1), dt, dt === 'float32' ? Float32Array.of(v) : Int32Array.of(v));
    let cur = x;
    if (lo != null) {
      const dst = hi != null ? ctx.addTensor(`clamp_lo_${out.id}`, perm.map((d) => out.shape[d]), out.dtype) : ctx.output(0);
      ctx.emit('MAXIMUM', [cur, k('lo', lo)], [dst]);
      cur = dst;
    }
    if (hi != null) ctx.emit('MINIMUM', [cur, k('hi', hi)], [ctx.output(0)]);
    if (lo == null && hi == null) ctx.emit('MAXIMUM', [cur, k('lo', -Infinity)], [ctx.output(0)]);
  },
};

/** ONNX Clip (opset 11+: min/max as optional constant inputs). */
export const CLIP_IMPORT: OnnxImporter = (c: OnnxImportContext) => {
  const bound = (i: number, attr: string) => {
    if (c.opset < 11) return c.attr(attr) as number | undefined ?? null;
    if (!c.has(i)) return null;
    const d = c.constant(i);
    if (!d) return c.unsupported('Clip with run-time bounds', 'Max/Min');
    return Number(d[0]);
  };
  return c.op('clamp', [c.input(0)], { min: bound(1, 'min'), max: bound(2, 'max') });
};

/** Variadic Max/Min/Sum of ONNX: a chain of binary ops. */
export function variadic(op: string): OnnxImporter {
  return (c) => {
    let acc = c.input(0);
    for (let i = 1; i < c.inputCount; i++) acc = c.op(op, [acc, c.input(i)]);
    return acc;
  };
}

/** HardSigmoid: the table's op when alpha = 1/6 and beta = 0.5, else clamp(alpha x + beta, 0, 1). */
export const HARDSIGMOID_IMPORT: OnnxImporter = (c) => {
  const alpha = c.attr('alpha', 0.2), beta = c.attr('beta', 0.5);
  if (Math.abs(alpha - 1 / 6) < 1e-6 && beta === 0.5) return c.op('hardsigmoid', [c.input(0)]);
  const y = c.op('add', [c.op('mul', [c.input(0), c.f32(alpha)]), c.f32(beta)]);
  return c.op('clamp', [y], { min: 0, max: 1 });
};

/** Softmax / LogSoftmax: opset < 13 flattens to 2-D at `axis` (default 1); 13+ works on `axis` (default -1). */
export function softmaxImport(op: string): OnnxImporter {
  return (c) => {
    const x = c.input(0);
    const rank = x.shape.length;
    let axis = c.attr('axis', c.opset < 13 ? 1 : -1);
    if (axis < 0) axis += rank;
    if (c.opset >= 13 || axis === rank - 1) return c.op(op, [x], { dim: axis });
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const flat = c.op('reshape', [x], { shape: [outer, x.shape.slice(axis).reduce((a, b) => a * b, 1)] });
    return c.op('reshape', [c.op(op, [flat], { dim: 1 })], { shape: [...x.shape] });
  };
}

/** Reciprocal: 1 / x. */
export const RECIPROCAL_IMPORT: OnnxImporter = (c) => c.op('div', [c.f32(1), c.input(0)]);

/** ONNX Div: integer division (truncating) of integer constants (shape arithmetic), else the table's div. */
export const DIV_IMPORT: OnnxImporter = (c) => {
  const a = c.input(0), b = c.input(1);
  if (a.dtype === 'int32' && b.dtype === 'int32') {
    const x = c.constant(0), y = c.constant(1);
    if (!x || !y) return c.unsupported('integer Div of run-time values', 'Div of float tensors');
    const out = c.op('add', [a, b]); // the broadcast shape (a folded constant)
    const n = out.shape.reduce((p, q) => p * q, 1);
    const vals = Array.from({ length: n }, (_, i) => Math.trunc(x[x.length === 1 ? 0 : i] / y[y.length === 1 ? 0 : i]));
    return c.constantInts(out.shape, vals);
  }
  return c.op('div', [a, b]);
};

/** Pow: an exponent of another dtype (ONNX allows float ** int and int ** float) is cast to the base's dtype, the result's. */
export const POW_IMPORT: OnnxImporter = (c) => {
  const x = c.input(0);
  let y = c.input(1);
  if (y.dtype !== x.dtype) y = c.op('cast', [y], { dtype: x.dtype });
  return c.op('pow', [x, y]);
};
