import { stridedCopy } from '../../../lite-runtime/kernels/strided.js';
import { apply1 } from '../../dispatch.js';
import { IndexError, ShapeError, ValueError } from '../../errors.js';
import { fmtShape, normalizeDim, stridesOf } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { defineOp } from '../registry.js';
import { reshape } from '../reshape.js';
import { alloc } from '../util.js';
import { withDim } from './common.js';
import { padDim } from './pad.js';

/**
 * Attributes of a slice, already resolved against the dim's size n: elements
 * start, start + step, ... before `end` (exclusive). With step > 0, 0 <= start, end <= n;
 * with step < 0 (flip), -1 <= start, end <= n - 1 and end = -1 means "through index 0".
 * Maps to ONNX Slice (starts/ends/axes/steps; an end of -1 with a negative step is INT_MIN there).
 */
export interface SliceAttrs { [k: string]: number; dim: number; start: number; end: number; step: number }

/** Number of elements a resolved slice takes. */
export function sliceLength(start: number, end: number, step: number): number {
  return Math.max(0, Math.ceil((end - start) / step));
}

/** Resolves Python-style bounds (negative counts from the end, out-of-range clamps, null = open). */
export function resolveSlice(n: number, start: number | null | undefined, end: number | null | undefined, step: number): [number, number] {
  const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (step > 0) return [start == null ? 0 : norm(start, 0, n), end == null ? n : norm(end, 0, n)];
  return [start == null ? n - 1 : norm(start, -1, n - 1), end == null ? -1 : norm(end, -1, n - 1)];
}

export const SLICE = defineOp<SliceAttrs>({
  name: 'slice',
  onnx: (e, n, ins, outs) => {
    const { dim, start, end, step } = n.attrs as { dim: number; start: number; end: number; step: number };
    // end -1 with a negative step means "through index 0": ONNX needs a value below -size for that.
    // A positive slice through the end of a dynamic dim runs to its end at every size.
    // A negative slice from the last element of a dynamic dim (flip) starts at -1: the last at every size.
    const size = n.inputs[0].shape[dim], dynamic = e.sym(n.inputs[0])[dim] !== null;
    const through = step > 0 && end === size && dynamic;
    const stop = step < 0 && end === -1 ? -(2 ** 53 - 1) : through ? 2 ** 53 - 1 : end;
    const from = step < 0 && start === size - 1 && dynamic ? -1 : start;
    e.node('Slice', [ins[0], e.i64([from]), e.i64([stop]), e.i64([dim]), e.i64([step])], outs);
  },
  infer([x], { dim, start, end, step }) {
    const rank = x.shape.length;
    if (rank === 0) throw new ShapeError('slice: cannot slice a 0-d tensor');
    if (!Number.isInteger(dim) || dim < 0 || dim >= rank) {
      throw new IndexError(`slice: dim ${dim} out of range for a tensor of rank ${rank}`);
    }
    const n = x.shape[dim];
    const ok = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step) && step !== 0 &&
      (step > 0 ? start >= 0 && start <= n && end >= 0 && end <= n : start >= -1 && start < n && end >= -1 && end < n);
    if (!ok) throw new IndexError(`slice: unresolved bounds start=${start} end=${end} step=${step} for dim ${dim} of size ${n}`);
    return [{ shape: withDim(x.shape, dim, sliceLength(start, end, step)), dtype: x.dtype }];
  },
  forward([x], { dim, start, step }, [o]) {
    const out = alloc(o);
    if (out.length === 0) return [out];
    const s = stridesOf(x.shape);
    const offset = start * s[dim];
    s[dim] *= step;
    stridedCopy(x.data, offset, s, out, o.shape);
    return [out];
  },
  grad: ({ inputs: [x], attrs, gradOutputs: [g] }) => [sliceBackward(g!, x.shape[attrs.dim], attrs)],
});

/** Places a slice's gradient back into a zero tensor of the input's extent `n` along the dim. */
function sliceBackward(g: Tensor, n: number, { dim, start, end, step }: SliceAttrs): Tensor {
  const len = sliceLength(start, end, step);
  if (len === 0) return padDim(g, dim, 0, n);
  if (step < 0) {
    // y = flip(x[last .. start] by |step|): undo the flip, then place as a positive-step slice.
    const last = start + (len - 1) * step;
    const flipped = sliceRaw(g, { dim, start: len - 1, end: -1, step: -1 });
    return sliceBackward(flipped, n, { dim, start: last, end: start + 1, step: -step });
  }
  if (step === 1) return padDim(g, dim, start, n - start - len);
  // interleave step-1 zeros after each element, then place (a negative tail pad crops the overhang)
  const spread = withDim(g.shape, dim, len * step);
  const u = padDim(reshape(g, [...g.shape.slice(0, dim + 1), 1, ...g.shape.slice(dim + 1)]), dim + 1, 0, step - 1);
  return padDim(reshape(u, spread), dim, start, n - start - len * step);
}

/** @internal applies resolved slice attrs. */
export function sliceRaw(x: Tensor, attrs: SliceAttrs): Tensor {
  return apply1(SLICE, [x], attrs);
}

/**
 * Python-style slicing along one dim: `x[..., start:end:step, ...]`. Bounds may be
 * negative (from the end), out of range (clamped) or null (open). A negative step walks
 * backwards as in Python lists and numpy (torch itself only allows step > 0).
 * @example tg.slice(x, 1, 1, -1) // x[:, 1:-1]
 * @example tg.slice(x, 0, null, null, -1) // x reversed along dim 0
 */
export function slice(x: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
  if (x.ndim === 0) throw new ShapeError('slice: cannot slice a 0-d tensor');
  const d = normalizeDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step === 0) throw new ValueError(`slice: step must be a non-zero integer, got ${step}`);
  for (const [k, v] of [['start', start], ['end', end]] as const) {
    if (v !== null && !Number.isInteger(v)) throw new ValueError(`slice: ${k} must be an integer or null, got ${v}`);
  }
  const [s, e] = resolveSlice(x.shape[d], start, end, step);
  return sliceRaw(x, { dim: d, start: s, end: e, step });
}

/**
 * `length` elements from `start` along `dim` (start may be negative).
 * @example x.narrow(0, 1, 2) // x[1:3]
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim('narrow', dim, x.ndim);
  const n = x.shape[d];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(start) || !Number.isInteger(length) || s < 0 || s > n || length < 0 || s + length > n) {
    throw new IndexError(`narrow: start ${start} and length ${length} do not fit dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  return sliceRaw(x, { dim: d, start: s, end: s + length, step: 1 });
}

/**
 * The sub-tensor at `index` along `dim`, with that dim removed.
 * @example x.select(1, -1) // x[:, -1]
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new ShapeError('select: cannot select from a 0-d tensor');
  const d = normalizeDim('select', dim, x.ndim);
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new IndexError(`select: index ${index} is out of range for dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const i = index < 0 ? index + n : index;
  const part = sliceRaw(x, { dim: d, start: i, end: i + 1, step: 1 });
  return reshape(part, x.shape.filter((_, k) => k !== d));
}

/**
 * Reverses the order of elements along each of `dims`.
 * @example x.flip([0]) // rows in reverse order
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const list = typeof dims === 'number' ? [dims] : dims;
  const ds = list.map((d) => normalizeDim('flip', d, x.ndim));
  if (new Set(ds).size !== ds.length) throw new ValueError(`flip: dim appears twice in [${list.join(', ')}]`);
  let y = x;
  for (const d of ds) if (x.shape[d] > 1) y = sliceRaw(y, { dim: d, start: x.shape[d] - 1, end: -1, step: -1 });
  return y === x && x.ndim > 0 ? sliceRaw(x, { dim: 0, start: 0, end: x.shape[0], step: 1 }) : y;
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { SLICE_IMPORT, SLICE_TFLITE, SPLIT_IMPORT } from '../convert/shape.js';
withTraits(SLICE, { tflite: SLICE_TFLITE, onnxImport: { Slice: SLICE_IMPORT, Split: SPLIT_IMPORT } });
