/**
 * Converter traits of the elementwise ops (their `tflite` and `onnxImport`
 * fields): most are one builtin over aligned inputs, and one ONNX op in.
 */
import type { Node } from '../../graph/ir.js';
import type { OnnxImportContext, OnnxImporter, TfliteLowering } from '../convert-traits.js';
import { importAs } from '../convert-traits.js';
import type { BuiltinOpName } from '../../../lite-runtime/format/schema.js';

/** One builtin, inputs aligned to the output; `fuses`: it takes a fused activation. */
export const builtin = (op: BuiltinOpName, fuses = false, options?: (n: Node) => Record<string, unknown>): TfliteLowering =>
  ({ builtin: op, fusesActivation: fuses, options });

/** `{ OnnxType: op }` with the ONNX inputs in order. */
export const onnx = (type: string, op: string): Record<string, OnnxImporter> => ({ [type]: importAs(op) });

/** An elementwise chain: `steps` applied to input 0; each step names a builtin and an optional scalar operand. */
export function chain(...steps: readonly (readonly [BuiltinOpName, number?])[]): TfliteLowering {
  return composite((b) => {
    let cur = b.x();
    steps.forEach(([op, k], i) => {
      const ins = k === undefined ? [cur] : [cur, b.k(k)];
      if (i === steps.length - 1) b.out(op, ins);
      else cur = b.t(op, ins);
    });
  });
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
    // no bounds: an identity op (Int32Array.of(-Infinity) would be 0)
    if (lo == null && hi == null) ctx.emit('MAXIMUM', [cur, k('lo', dt === 'float32' ? -Infinity : -2147483648)], [ctx.output(0)]);
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

/** Emits builtins for a composite elementwise lowering (`composite`). */
export interface CompositeBuilder {
  /** Input `i` aligned to the output's rank and layout. */
  x(i?: number): number;
  /** A scalar constant (rank-aligned) of the output's dtype, or `dtype`. */
  k(value: number, dtype?: 'float32' | 'int32' | 'bool'): number;
  /** Emits `op` into a new tensor of the output's shape (dtype: the output's, or `dtype`). */
  t(op: BuiltinOpName, ins: readonly number[], dtype?: 'float32' | 'int32' | 'bool', options?: Record<string, unknown>): number;
  /** Emits `op` into output 0. */
  out(op: BuiltinOpName, ins: readonly number[], options?: Record<string, unknown>): void;
  /** CAST into a new tensor. */
  cast(t: number, from: string, to: 'float32' | 'int32' | 'bool'): number;
  readonly node: Node;
}

/** An elementwise lowering written as builtins over the aligned input (`f` ends with one `b.out`). */
export function composite(f: (b: CompositeBuilder) => void): TfliteLowering {
  return {
    layout: 'elementwise',
    lower(ctx) {
      const out = ctx.node.outputs[0];
      const rank = out.shape.length;
      const perm = ctx.outputLayout(0);
      const shape = perm.map((d) => out.shape[d]);
      let n = 0;
      const arith = (op: BuiltinOpName, o?: Record<string, unknown>) => o ?? (op === 'ADD' || op === 'MUL' || op === 'SUB' || op === 'DIV' ? { fused_activation_function: 'NONE' } : undefined);
      const b: CompositeBuilder = {
        node: ctx.node,
        x: (i = 0) => ctx.inputAligned(i, rank, perm),
        k(value, dtype = out.dtype as 'float32') {
          const data = dtype === 'float32' ? Float32Array.of(value) : dtype === 'bool' ? Uint8Array.of(value ? 1 : 0) : Int32Array.of(value);
          return ctx.addConstant(`c_${out.id}_${n++}`, new Array(rank).fill(1), dtype, data);
        },
        t(op, ins, dtype = out.dtype as 'float32', options) {
          const t = ctx.addTensor(`${op.toLowerCase()}_${out.id}_${n++}`, shape, dtype);
          ctx.emit(op, ins, [t], arith(op, options));
          return t;
        },
        out: (op, ins, options) => ctx.emit(op, ins, [ctx.output(0)], arith(op, options)),
        cast: (t, from, to) => b.t('CAST', [t], to, { in_data_type: from, out_data_type: to }),
      };
      f(b);
    },
  };
}

/** max(x, 0) + alpha min(exp(x / inner) - 1, 0) from ELU (alpha 1) and RELU; `scale` multiplies the sum (elu, selu, celu). */
export function eluLike(alpha: (n: Node) => number, scale = 1, inner: (n: Node) => number = () => 1): TfliteLowering {
  return composite((b) => {
    const x = b.x(), a = alpha(b.node), s = inner(b.node);
    const e = b.t('ELU', [s === 1 ? x : b.t('MUL', [x, b.k(1 / s)])]);
    const neg = b.t('MUL', [b.t('MINIMUM', [e, b.k(0)]), b.k(a)]);
    if (scale === 1) b.out('ADD', [b.t('RELU', [x]), neg]);
    else b.out('MUL', [b.t('ADD', [b.t('RELU', [x]), neg]), b.k(scale)]);
  });
}

/** log(1 + exp(-|z|)): the bounded part of softplus(z) = relu(z) + log1p(exp(-|z|)). */
function log1pExpNegAbs(b: CompositeBuilder, z: number): number {
  return b.t('LOG', [b.t('ADD', [b.t('EXP', [b.t('NEG', [b.t('ABS', [z])])]), b.k(1)])]);
}

/**
 * softplus(beta x) / beta = (relu(z) + log1p(exp(-|z|))) / beta with z = beta x, overflow-free; x where z > threshold
 * (a select only for thresholds under 16: above, the two differ by less than exp(-16) relative).
 */
export const SOFTPLUS_TFLITE: TfliteLowering = composite((b) => {
  const beta = (b.node.attrs.beta as number | undefined) ?? 1, threshold = (b.node.attrs.threshold as number | undefined) ?? 20;
  const x = b.x();
  const z = beta === 1 ? x : b.t('MUL', [x, b.k(beta)]);
  const parts = [b.t('RELU', [z]), log1pExpNegAbs(b, z)];
  const select = threshold < 16;
  if (!select) {
    if (beta === 1) b.out('ADD', parts);
    else b.out('MUL', [b.t('ADD', parts), b.k(1 / beta)]);
    return;
  }
  const sp = beta === 1 ? b.t('ADD', parts) : b.t('MUL', [b.t('ADD', parts), b.k(1 / beta)]);
  b.out('SELECT_V2', [b.t('GREATER', [z, b.k(threshold)], 'bool'), x, sp]);
});

/** log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)). */
export const LOGSIGMOID_TFLITE: TfliteLowering = composite((b) => {
  const x = b.x();
  b.out('SUB', [b.t('MINIMUM', [x, b.k(0)]), log1pExpNegAbs(b, x)]);
});

/** x * tanh(softplus(x)). */
export const MISH_TFLITE: TfliteLowering = composite((b) => {
  const x = b.x();
  const sp = b.t('ADD', [b.t('RELU', [x]), log1pExpNegAbs(b, x)]);
  b.out('MUL', [x, b.t('TANH', [sp])]);
});

/** x / (1 + |x|). */
export const SOFTSIGN_TFLITE: TfliteLowering = composite((b) => {
  const x = b.x();
  b.out('DIV', [x, b.t('ADD', [b.t('ABS', [x]), b.k(1)])]);
});

/** sign: (x > 0) - (x < 0); float NaN stays NaN. */
export const SIGN_TFLITE: TfliteLowering = composite((b) => {
  const x = b.x(), dt = b.node.outputs[0].dtype as 'float32' | 'int32';
  const pos = b.cast(b.t('GREATER', [x, b.k(0)], 'bool'), 'bool', dt), neg = b.cast(b.t('LESS', [x, b.k(0)], 'bool'), 'bool', dt);
  if (dt !== 'float32') { b.out('SUB', [pos, neg]); return; }
  b.out('SELECT_V2', [b.t('EQUAL', [x, x], 'bool'), b.t('SUB', [pos, neg]), x]);
});

/**
 * erf: Abramowitz & Stegun 7.1.26, |error| <= 1.5e-7: 1 - t (a1 + t (a2 + ... a5)) exp(-x^2) with
 * t = 1 / (1 + p |x|), the sign of x restored with a select.
 */
export const ERF_TFLITE: TfliteLowering = composite((b) => {
  const x = b.x();
  const a = b.t('ABS', [x]);
  const t = b.t('DIV', [b.k(1), b.t('ADD', [b.t('MUL', [a, b.k(0.3275911)]), b.k(1)])]);
  let poly = b.k(1.061405429);
  for (const c of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) poly = b.t('ADD', [b.t('MUL', [poly, t]), b.k(c)]);
  poly = b.t('MUL', [poly, t]);
  const e = b.t('EXP', [b.t('NEG', [b.t('MUL', [a, a])])]);
  const r = b.t('SUB', [b.k(1), b.t('MUL', [poly, e])]);
  b.out('SELECT_V2', [b.t('LESS', [x, b.k(0)], 'bool'), b.t('NEG', [r]), r]);
});
