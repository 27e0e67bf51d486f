import { clampGradMap, clampMap } from '../../kernels/math-activation.js';
import { apply1 } from '../../dispatch.js';
import { promoteTypes, type DType } from '../../dtype.js';
import { scalarDType } from '../../creation.js';
import { DTypeError, ValueError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import * as emit from '../../onnx/emit.js';
import { clampExpr, fuse1, fuse2, num } from '../fuse.js';
import { defineOp } from '../registry.js';
import { alloc, describe } from '../util.js';
import { where } from '../where.js';
import { defineElementwiseGrad } from './backward.js';

/** Bounds of clamp/hardtanh; null = unbounded on that side. */
export interface ClampAttrs { [k: string]: number | null; min: number | null; max: number | null }

/** min(max(x, lo), hi) with scalar bounds (ONNX Clip). The gradient passes where lo <= x <= hi. */
export const CLAMP = defineOp<ClampAttrs>({
  name: 'clamp',
  elementwise: true,
  fuse: fuse1((x, a) => clampExpr(x, a.min, a.max)),
  onnx: (e, n, ins, outs) => {
    const o = emit.outDt(n);
    const bound = (v: unknown) => (v === null || v === undefined ? '' : e.constant(o, [v as number]));
    e.node('Clip', [e.cast(ins[0], emit.dt(n, 0), o), bound(n.attrs.min), bound(n.attrs.max)], outs);
  },
  infer([x], { min, max }) {
    let dtype: DType = x.dtype;
    for (const b of [min, max]) if (b !== null) dtype = promoteTypes(dtype, scalarDType(b, x.dtype));
    return [{ shape: x.shape, dtype }];
  },
  forward([x], { min, max }, [o]) {
    const out = alloc(o);
    clampMap(x.data, out, min ?? -Infinity, max ?? Infinity);
    return [out];
  },
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) => [apply1(CLAMP_GRAD, [x, g!], attrs)],
});

/** Backward of clamp: g where min <= x <= max (bounds included, as PyTorch), else 0. */
const CLAMP_GRAD = defineElementwiseGrad<ClampAttrs>('clamp',
  (x, g, out, { min, max }) => clampGradMap(x, g, out, min ?? -Infinity, max ?? Infinity, true), null,
  fuse2((x, g, { min, max }) => `(${x} >= ${bound(min, '-Infinity')} && ${x} <= ${bound(max, 'Infinity')} ? ${g} : 0)`));

/** Backward of hardtanh: g where min < x < max (bounds excluded, as PyTorch), else 0. */
const HARDTANH_GRAD = defineElementwiseGrad<{ min: number; max: number }>('hardtanh',
  (x, g, out, { min, max }) => clampGradMap(x, g, out, min, max, false), null,
  fuse2((x, g, { min, max }) => `(${x} > ${bound(min, '-Infinity')} && ${x} < ${bound(max, 'Infinity')} ? ${g} : 0)`));

/** A bound as JS source (null: open, as is a bound of ±Infinity after the fused program's JSON round trip). */
function bound(v: number | null, open: string): string {
  return v === null ? open : num(v);
}

/** Hardtanh: clamp to [min, max] whose gradient is 0 at the bounds too (TFLite RELU6 / RELU_N1_TO_1). */
export const HARDTANH = defineOp<{ min: number; max: number }>({
  name: 'hardtanh',
  elementwise: true,
  fuse: fuse1((x, a) => clampExpr(x, a.min, a.max)),
  onnx: (e, n, ins, outs) => {
    const o = emit.outDt(n);
    e.node('Clip', [ins[0], e.constant(o, [n.attrs.min as number]), e.constant(o, [n.attrs.max as number])], outs);
  },
  infer([x]) {
    if (x.dtype === 'bool') throw new DTypeError(`hardtanh: not defined for bool input ${describe(x)}`);
    return [{ shape: x.shape, dtype: x.dtype }];
  },
  forward([x], { min, max }, [o]) {
    const out = alloc(o);
    clampMap(x.data, out, min, max);
    return [out];
  },
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) => [apply1(HARDTANH_GRAD, [x, g!], attrs)],
});

/**
 * Limits values to [min, max] (either may be omitted/null, not both). Scalar bounds run one
 * kernel; tensor bounds broadcast (composed with where, with PyTorch's gradients for each bound).
 * Integer inputs stay int32 with integer bounds and become float32 with fractional ones.
 * @example tg.clamp(x, 0, 1) ; tg.clamp(x, null, 6)
 */
export function clamp(x: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
  const lo = min ?? null, hi = max ?? null;
  if (lo === null && hi === null) throw new ValueError('clamp: at least one of min and max must be given');
  for (const [name, v] of [['min', lo], ['max', hi]] as const) {
    if (typeof v === 'number' && Number.isNaN(v)) throw new ValueError(`clamp: ${name} is NaN (every result would be NaN)`);
  }
  if (lo instanceof Tensor || hi instanceof Tensor) {
    let y = x;
    if (lo !== null) y = where(y.lt(lo), lo, y);
    if (hi !== null) y = where(y.gt(hi), hi, y);
    return y;
  }
  return apply1(CLAMP, [x], { min: lo, max: hi });
}

/** Alias of clamp (NumPy's name). @example tg.clip(x, -1, 1) */
export const clip = clamp;

/**
 * Clamp to [minVal, maxVal] whose gradient is 0 at and beyond the bounds.
 * @example tg.hardtanh(x) // [-1, 1]
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  if (!(minVal <= maxVal)) throw new ValueError(`hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  return apply1(HARDTANH, [x], { min: minVal, max: maxVal });
}

/** min(max(x, 0), 6). @example tg.relu6(x) */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { CLAMP_TFLITE, CLIP_IMPORT } from '../convert/elementwise.js';
withTraits(CLAMP, { tflite: CLAMP_TFLITE, onnxImport: { Clip: CLIP_IMPORT } });
withTraits(HARDTANH, { tflite: CLAMP_TFLITE });
