import { apply1 } from '../../dispatch.js';
import { tensor } from '../../creation.js';
import { IndexError, ShapeError, ValueError } from '../../errors.js';
import { broadcastShapes, fmtShape, shapesEqual, sizeOf } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { reshape } from '../reshape.js';
import { INDEX_SELECT } from './index-select.js';
import { resolveSlice, select, sliceRaw } from './slice.js';
import { unsqueeze } from './squeeze.js';

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
 * Several index tensors/lists must be adjacent: they broadcast and pick jointly (`x[rows, cols]`);
 * a mask stands alone.
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

/**
 * Indices as an int32 tensor with negatives resolved against size n and every value checked:
 * in JS when the values are known, else (inside tg.jit) by a checked lookup into a small table
 * (whose error then names indexSelect and the shifted index v + n).
 */
function indexTensor(it: readonly number[] | Tensor, n: number, srcDim: number): Tensor {
  const bad = (v: number) => new IndexError(`index: index ${v} is out of range for dim ${srcDim} of size ${n}`);
  if (it instanceof Tensor) {
    if (it.dtype !== 'int32') throw new ValueError(`index: index tensors must be int32 or bool, got ${it.dtype}`);
    if (it.isTraced) {
      // table[v + n] = v mod n for v in -n..n-1; the lookup's own range check rejects the rest
      const table = tensor(Int32Array.from({ length: 2 * n }, (_, i) => i % n));
      return apply1(INDEX_SELECT, [table, it.add(n)], { dim: 0 });
    }
    const out = Int32Array.from(it._values('index'), (v) => {
      if (v < -n || v >= n) throw bad(v);
      return v < 0 ? v + n : v;
    });
    return tensor(out, { shape: it.shape });
  }
  return tensor(Int32Array.from(it, (v) => {
    if (!Number.isInteger(v) || v < -n || v >= n) throw bad(v);
    return v < 0 ? v + n : v;
  }));
}

/** Positions where a bool mask is true, as int32 indices into its flattened dims. */
function maskIndices(m: Tensor, covered: readonly number[], srcDim: number): Tensor {
  if (m.ndim === 0 || !shapesEqual(m.shape, covered)) {
    throw new ShapeError(`index: a bool mask at dim ${srcDim} must have the shape of the dims it covers, ${fmtShape(covered)}; got ${fmtShape(m.shape)}`);
  }
  const v = m._values('index with a bool mask');
  const picked: number[] = [];
  for (let i = 0; i < v.length; i++) if (v[i]) picked.push(i);
  return tensor(Int32Array.from(picked));
}

const isAdvanced = (it: IndexItem): boolean => it instanceof Tensor || Array.isArray(it);

/**
 * General indexing, the counterpart of PyTorch's `x[...]` (see IndexItem for the syntax). `spec` is
 * the list of entries (a single entry may be passed alone); an index list is nested: `x.index([[0, 2]])`.
 * Several index tensors/lists must be adjacent; they broadcast together and pick elements jointly
 * (`x[rows, cols]`). Built from slice/indexSelect/reshape, so it is differentiable and traces under tg.jit.
 * @example x.index([0, null, '1:3'])    // x[0, :, 1:3]
 * @example x.index(['...', -1])         // x[..., -1]
 * @example x.index([null, ids])         // x[:, ids] with an int32 tensor ids
 * @example x.index([tg.arange(4), labels]) // x[arange(4), labels]: one element per row
 * @example x.index(x.gt(0))            // x[x > 0]: the positive values, 1-d
 */
export function index(x: Tensor, spec: IndexItem | readonly IndexItem[]): Tensor {
  const items: IndexItem[] = Array.isArray(spec) ? [...(spec as readonly IndexItem[])] : [spec as IndexItem];
  const ellipses = items.filter((it) => it === '...').length;
  if (ellipses > 1) throw new ValueError("index: at most one '...' is allowed");
  const used = items.reduce<number>((acc, it) => acc + dimsOf(it), 0);
  if (used > x.ndim) throw new IndexError(`index: ${used} indices for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)})`);
  if (ellipses === 1) items.splice(items.indexOf('...'), 1, ...new Array<IndexItem>(x.ndim - used).fill(null));
  const adv = items.map(isAdvanced);
  const first = adv.indexOf(true), last = adv.lastIndexOf(true);
  if (first >= 0 && adv.slice(first, last + 1).includes(false)) {
    throw new ValueError('index: index tensors and lists must be adjacent (separated ones are not supported)');
  }
  if (last > first && items.slice(first, last + 1).some((it) => it instanceof Tensor && it.dtype === 'bool')) {
    throw new ValueError('index: a bool mask cannot be combined with other index tensors or lists');
  }
  let y = x;
  let d = 0; // dim of y the next item applies to
  let src = 0; // dim of x the next item applies to
  for (let p = 0; p < items.length; p++) {
    const raw = items[p];
    const it: IndexItem = raw === ':' ? null : typeof raw === 'string' && raw !== 'newaxis' ? parseSlice(raw) : raw;
    if (it === 'newaxis') {
      y = unsqueeze(y, d);
      d++;
      continue;
    }
    if (p === first) {
      // one joint lookup over the k adjacent dims the advanced entries cover
      const group = items.slice(first, last + 1) as (Tensor | readonly number[])[];
      const k = group.reduce<number>((acc, g) => acc + dimsOf(g), 0);
      const covered = x.shape.slice(src, src + k);
      let lin: Tensor;
      if (it instanceof Tensor && it.dtype === 'bool') lin = maskIndices(it, covered, src);
      else {
        const parts = group.map((g, j) => indexTensor(g, covered[j], src + j));
        broadcastShapes('index', ...parts.map((t) => t.shape));
        lin = parts.reduce((acc, t, j) => acc.mul(covered[j]).add(t));
      }
      const merged = reshape(y, [...y.shape.slice(0, d), sizeOf(covered), ...y.shape.slice(d + k)]);
      y = apply1(INDEX_SELECT, [merged, lin], { dim: d });
      d += lin.ndim;
      src += k;
      p = last;
      continue;
    }
    const n = x.shape[src];
    if (typeof it === 'number') {
      if (!Number.isInteger(it) || it < -n || it >= n) {
        throw new IndexError(`index: index ${it} is out of range for dim ${src} of size ${n} (shape ${fmtShape(x.shape)})`);
      }
      y = select(y, d, it);
    } else if (it === null) {
      d++;
    } else {
      const sp = it as SliceSpec;
      const step = sp.step ?? 1;
      if (!Number.isInteger(step) || step === 0) throw new ValueError(`index: slice step must be a non-zero integer, got ${step} (dim ${src})`);
      for (const v of [sp.start, sp.end]) {
        if (v != null && !Number.isInteger(v)) throw new ValueError(`index: slice bounds must be integers or null, got ${v} (dim ${src})`);
      }
      const [s, e] = resolveSlice(n, sp.start, sp.end, step);
      y = sliceRaw(y, { dim: d, start: s, end: e, step });
      d++;
    }
    src++;
  }
  return y;
}
