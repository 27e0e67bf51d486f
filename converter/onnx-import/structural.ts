/**
 * Import rules for ONNX ops that are not an op of the table: graph plumbing
 * (Constant, Identity, Shape, Cast and CastLike (the table's cast at run time), ConstantOfShape, Range, EyeLike and
 * the window ops, which are constants) and
 * composites spelled out in table ops (recurrent.ts: LSTM, GRU). Every other
 * ONNX op imports through the `onnxImport` field of an op definition.
 */
import type { DType, Storage } from '../../training/dtype.js';
import type { OnnxImportContext, OnnxImporter, OnnxTensorData } from '../../training/ops/convert-traits.js';
import { irDType } from './decode.js';
import { RECURRENT_RULES } from './recurrent.js';

function tensorAttr(c: OnnxImportContext, name: string): OnnxTensorData | undefined {
  const t = c.attr(name);
  return t && typeof t === 'object' && 'data' in t ? (t as OnnxTensorData) : undefined;
}

function converted(data: Storage, to: DType): Storage {
  if (to === 'float32') return Float32Array.from(data);
  if (to === 'bool') return Uint8Array.from(data, (x) => (x ? 1 : 0));
  return Int32Array.from(data, (x) => Math.trunc(x));
}

export const STRUCTURAL_RULES: Record<string, OnnxImporter> = {
  Constant: (c) => {
    const t = tensorAttr(c, 'value');
    if (t) {
      const ints = (t as { ints?: number[] }).ints;
      return ints ? c.constantInts(t.dims, ints) : c.constantValue(t.dims, t.dtype, t.data);
    }
    const f = c.attr('value_float'), fs = c.attr('value_floats'), i = c.attr('value_int'), is = c.attr('value_ints');
    if (typeof f === 'number') return c.constantValue([], 'float32', Float32Array.of(f));
    if (Array.isArray(fs)) return c.constantValue([fs.length], 'float32', Float32Array.from(fs as number[]));
    if (typeof i === 'number') return c.constantInts([], [i]);
    if (Array.isArray(is)) return c.constantInts([is.length], is as number[]);
    return c.unsupported('Constant without a tensor, float(s) or int(s) value (sparse/string values are not supported)');
  },
  Identity: (c) => c.input(0),
  // inference: the identity, its mask all true; training mode (random) only with ratio 0
  Dropout: (c) => {
    const x = c.input(0);
    const training = c.has(2) ? Number(c.constant(2)?.[0] ?? c.unsupported('Dropout with a run-time training_mode')) : 0;
    const ratio = c.has(1) ? Number(c.constant(1)?.[0] ?? c.unsupported('Dropout with a run-time ratio')) : 0.5;
    if (training && ratio > 0) return c.unsupported(`Dropout in training mode with ratio ${ratio} (random)`, 'export the model in eval mode');
    const n = x.shape.reduce((a, b) => a * b, 1);
    return [x, c.constantValue(x.shape, 'bool', new Uint8Array(n).fill(1))];
  },
  Shape: (c) => {
    const s = c.input(0).shape;
    const rank = s.length;
    const clampAxis = (a: number) => Math.max(0, Math.min(rank, a < 0 ? a + rank : a));
    const start = clampAxis(c.attr('start', 0)), end = clampAxis(c.attr('end', rank));
    const dims = s.slice(start, end);
    return c.constantInts([dims.length], dims);
  },
  Size: (c) => c.constantInts([], [c.input(0).shape.reduce((a, b) => a * b, 1)]),
  Cast: (c) => {
    const x = c.input(0);
    const to = irDType(c.attr('to', 1), `node '${c.nodeName}' attribute 'to'`);
    if (to === x.dtype) return x;
    const d = c.constant(0);
    if (d) return to === 'int32' ? c.constantInts(x.shape, Array.from(c.ints(0), Math.trunc)) : c.constantValue(x.shape, to, converted(d, to));
    return c.op('cast', [x], { dtype: to });
  },
  // CastLike: Cast to the element type of input 1 (as the IR reads it)
  CastLike: (c) => {
    const x = c.input(0), to = c.input(1).dtype;
    return to === x.dtype ? x : c.op('cast', [x], { dtype: to });
  },
  ConstantOfShape: (c) => {
    const shape = c.ints(0);
    const t = tensorAttr(c, 'value');
    const dtype: DType = t?.dtype ?? 'float32';
    const n = shape.reduce((a, b) => a * b, 1);
    const fill = t ? t.data[0] : 0;
    const data = dtype === 'float32' ? new Float32Array(n).fill(fill) : dtype === 'bool' ? new Uint8Array(n).fill(fill) : new Int32Array(n).fill(fill);
    return c.constantValue(shape, dtype, data);
  },
  Range: (c) => {
    const [start, limit, delta] = [0, 1, 2].map((i) => {
      const d = c.constant(i);
      if (!d) return c.unsupported('Range with run-time bounds');
      return Number(d[0]);
    });
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    const vals = Array.from({ length: n }, (_, i) => start + i * delta);
    return c.input(0).dtype === 'float32' ? c.constantValue([n], 'float32', Float32Array.from(vals)) : c.constantInts([n], vals);
  },
  // windows (constants of their size): periodic (default) over N, symmetric over N - 1
  HannWindow: windowRule((t) => [0.5, -0.5 * Math.cos(t)]),
  HammingWindow: windowRule((t) => [25 / 46, -(21 / 46) * Math.cos(t)]),
  BlackmanWindow: windowRule((t) => [0.42, -0.5 * Math.cos(t), 0.08 * Math.cos(2 * t)]),
  EyeLike: (c) => {
    const x = c.input(0);
    const [h, w] = x.shape;
    const k = c.attr('k', 0);
    const to = c.attr('dtype') === undefined ? x.dtype : irDType(c.attr('dtype', 1), `node '${c.nodeName}' attribute 'dtype'`);
    const ones = Array.from({ length: h * w }, (_, i) => (i % w) - Math.floor(i / w) === k ? 1 : 0);
    if (to === 'int32') return c.constantInts([h, w], ones);
    return c.constantValue([h, w], to, to === 'bool' ? Uint8Array.from(ones) : Float32Array.from(ones));
  },
  ...RECURRENT_RULES,
};

/** A window op: sum of `terms(2 pi n / N)` for n < size (N = size, or size - 1 when periodic = 0). */
function windowRule(terms: (t: number) => number[]): OnnxImporter {
  return (c) => {
    const size = c.ints(0)[0];
    const n = c.attr('periodic', 1) === 1 ? size : size - 1;
    const vals = Array.from({ length: size }, (_, i) => terms((2 * Math.PI * i) / n).reduce((a, b) => a + b, 0));
    const to = irDType(c.attr('output_datatype', 1), `node '${c.nodeName}' attribute 'output_datatype'`);
    return to === 'int32' ? c.constantInts([size], vals.map(Math.trunc)) : c.constantValue([size], to, Float32Array.from(vals));
  };
}

/** The closest supported alternative for ONNX ops without a rule (for the unsupported-op message). */
export const ALTERNATIVES: Record<string, string> = {
  Einsum: 'MatMul with Transpose',
  LpNormalization: 'ReduceSum + Sqrt + Div',
  Loop: 'unroll the loop at export time',
  If: 'select with Where',
  Scan: 'unroll at export time',
  NonMaxSuppression: 'run NMS outside the model',
};
