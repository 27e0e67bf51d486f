import { apply1 } from '../../dispatch.js';
import { tensor } from '../../creation.js';
import { RangeError_, ShapeError, ValueError } from '../../errors.js';
import { fmtShape, shapesEqual } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { where } from '../where.js';
import { reshape } from '../reshape.js';
import { INDEX_SELECT } from './index-select.js';
import { resolveSlice, sliceRaw } from './slice.js';

/** A Python-style slice as an object; omitted bounds are open. */
export interface SliceSpec { start?: number | null; end?: number | null; step?: number }

/**
 * One entry of an index (like one entry of `x[...]` in PyTorch):
 * - `3`, `-1`: select that position (the dim goes away)
 * - `null` or `':'`: the whole dim
 * - `'1:3'`, `'::2'`, `'-2:'`, `'::-1'` or `{ start: 1, end: 3, step: 1 }`: a slice (a negative step walks
 *   backwards, as in numpy)
 * - `'...'`: as many whole dims as needed; `'newaxis'`: a new dim of size 1
 * - `[2, 0, 2]` or an int32 tensor (any shape, negative counts from the end): take those
 *   positions (the tensor's dims replace the dim)
 * - a bool tensor (a mask) covering the next k dims (its shape must equal theirs): the positions
 *   where it is true, as one dim (like `x[mask]`; reads the mask's values, so eager only)
 * At most one index tensor, list or mask per index.
 */
export type IndexItem = number | null | string | SliceSpec | readonly number[] | Tensor;

function parseSlice(text: string): SliceSpec {
  const parts = text.split(':');
  const num = (p: string): number | null => {
    const t = p.trim();
    if (t === '') return null;
    if (!/^[+-]?\d+$/.test(t)) throw new ValueError(`index: cannot read '${text}' as a slice (expected 'start:end:step' with integers)`);
    return Number(t);
  };
  if (parts.length < 2 || parts.length > 3) throw new ValueError(`index: cannot read '${text}' (expected 'start:end', 'start:end:step', '...' or 'newaxis')`);
  return { start: num(parts[0]), end: num(parts[1]), step: parts.length === 3 ? num(parts[2]) ?? 1 : 1 };
}

/** How many dims of the input an entry consumes. */
const dimsOf = (it: IndexItem): number =>
  it === '...' || it === 'newaxis' ? 0 : it instanceof Tensor && it.dtype === 'bool' ? it.ndim : 1;

/** Indices as an int32 tensor with negatives resolved against size n. */
function indexTensor(it: readonly number[] | Tensor, n: number, srcDim: number): Tensor {
  if (it instanceof Tensor) {
    if (it.dtype !== 'int32') throw new ValueError(`index: index tensors must be int32 or bool, got ${it.dtype}`);
    return where(it.lt(0), it.add(n), it);
  }
  const out = Int32Array.from(it, (v) => {
    if (!Number.isInteger(v) || v < -n || v >= n) throw new RangeError_(`index: index ${v} is out of range for dim ${srcDim} of size ${n}`);
    return v < 0 ? v + n : v;
  });
  return tensor(out);
}

/**
 * General indexing, the counterpart of PyTorch's `x[...]` (see IndexItem for the syntax). `spec` is
 * the list of entries (a single entry may be passed alone); an index list is nested: `x.index([[0, 2]])`.
 * Built from select/slice/indexSelect/reshape, so it is differentiable and traces under tg.jit.
 * @example x.index([0, null, '1:3'])    // x[0, :, 1:3]
 * @example x.index(['...', -1])         // x[..., -1]
 * @example x.index([null, ids])         // x[:, ids] with an int32 tensor ids
 * @example x.index(x.gt(0))            // x[x > 0]: the positive values, 1-d
 */
export function index(x: Tensor, spec: IndexItem | readonly IndexItem[]): Tensor {
  const items: IndexItem[] = Array.isArray(spec) ? [...(spec as readonly IndexItem[])] : [spec as IndexItem];
  const ellipses = items.filter((it) => it === '...').length;
  if (ellipses > 1) throw new ValueError("index: at most one '...' is allowed");
  const used = items.reduce<number>((acc, it) => acc + dimsOf(it), 0);
  if (used > x.ndim) throw new RangeError_(`index: ${used} indices for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)})`);
  if (ellipses === 1) items.splice(items.indexOf('...'), 1, ...new Array<IndexItem>(x.ndim - used).fill(null));
  if (items.filter((it) => it instanceof Tensor || isNumberList(it)).length > 1) {
    throw new ValueError('index: at most one index tensor or index list is supported per index');
  }
  let y = x;
  let d = 0; // dim of y the next item applies to
  let src = 0; // dim of x the next item applies to
  for (const raw of items) {
    const it: IndexItem = raw === ':' ? null : typeof raw === 'string' && raw !== 'newaxis' ? parseSlice(raw) : raw;
    if (it === 'newaxis') {
      y = reshape(y, [...y.shape.slice(0, d), 1, ...y.shape.slice(d)]);
      d++;
      continue;
    }
    const n = x.shape[src];
    if (it instanceof Tensor && it.dtype === 'bool') {
      const k = it.ndim;
      const covered = x.shape.slice(src, src + k);
      if (k === 0 || !shapesEqual(it.shape, covered)) {
        throw new ShapeError(`index: a bool mask at dim ${src} must have the shape of the dims it covers, ${fmtShape(covered)}; got ${fmtShape(it.shape)}`);
      }
      const m = it._values('index with a bool mask');
      const picked: number[] = [];
      for (let i = 0; i < m.length; i++) if (m[i]) picked.push(i);
      const merged = reshape(y, [...y.shape.slice(0, d), m.length, ...y.shape.slice(d + k)]);
      y = apply1(INDEX_SELECT, [merged, tensor(Int32Array.from(picked))], { dim: d });
      d++;
      src += k;
      continue;
    }
    if (typeof it === 'number') {
      if (!Number.isInteger(it) || it < -n || it >= n) {
        throw new RangeError_(`index: index ${it} is out of range for dim ${src} of size ${n} (shape ${fmtShape(x.shape)})`);
      }
      const i = it < 0 ? it + n : it;
      y = reshape(sliceRaw(y, { dim: d, start: i, end: i + 1, step: 1 }), y.shape.filter((_, k) => k !== d));
    } else if (it === null) {
      d++;
    } else if (it instanceof Tensor || isNumberList(it)) {
      const idx = indexTensor(it as Tensor | readonly number[], n, src);
      y = apply1(INDEX_SELECT, [y, idx], { dim: d });
      d += idx.ndim;
    } else {
      const sp = it as SliceSpec;
      const step = sp.step ?? 1;
      if (!Number.isInteger(step) || step === 0) throw new ValueError(`index: slice step must be a non-zero integer, got ${step} (dim ${src})`);
      const [s, e] = resolveSlice(n, sp.start, sp.end, step);
      y = sliceRaw(y, { dim: d, start: s, end: e, step });
      d++;
    }
    src++;
  }
  return y;
}

function isNumberList(v: unknown): v is readonly number[] {
  return Array.isArray(v);
}

declare module '../../tensor.js' {
  interface Tensor {
    /** PyTorch-style `x[...]`; see IndexItem. @example x.index([0, null, '1:3']) */
    index(spec: IndexItem | readonly IndexItem[]): Tensor;
  }
}
Tensor.prototype.index = function (spec) { return index(this, spec); };
