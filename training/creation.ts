import { allocate, type DType, type Storage } from './dtype.js';
import { DTypeError, ShapeError, ValueError } from './errors.js';
import { checkOptions, keysOf } from './options.js';
import { normal, randInt, uniform } from './random.js';
import { fmtShape, type Shape, sizeOf } from './shape.js';
import { Tensor, type NestedArray, type TensorData, type TensorLike, type TensorOptions } from './tensor.js';

const TENSOR_KEYS = keysOf<TensorOptions>({ dtype: true, requiresGrad: true, shape: true });
/** The creation functions take a shape argument, so `shape` is not one of their options. */
const FILLED_KEYS = TENSOR_KEYS.filter((k) => k !== 'shape');

/**
 * A tensor from JS data. Numbers default to float32, booleans to bool,
 * Int32Array to int32.
 * @example tg.tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(data: TensorData | Tensor, opts: TensorOptions = {}): Tensor {
  checkOptions('tensor', opts, TENSOR_KEYS);
  if (data instanceof Tensor) return finish(cast(data._values('tensor'), opts.dtype ?? data.dtype), data.shape, opts.dtype ?? data.dtype, opts);
  if (ArrayBuffer.isView(data)) {
    const dtype = opts.dtype ?? (data instanceof Int32Array ? 'int32' : data instanceof Uint8Array ? 'bool' : 'float32');
    const shape = opts.shape ?? [data.length];
    if (sizeOf(shape) !== data.length) {
      throw new ShapeError(`tensor: ${data.length} values do not fill shape ${fmtShape(shape)}`);
    }
    return finish(cast(data, dtype), shape, dtype, opts);
  }
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as NestedArray;
  }
  const flat: (number | boolean)[] = [];
  flatten(data, shape, 0, flat);
  const dtype = opts.dtype ?? (typeof level === 'boolean' ? 'bool' : 'float32');
  const storage = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) storage[i] = Number(flat[i]);
  const finalShape = opts.shape ?? shape;
  if (sizeOf(finalShape) !== flat.length) throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${fmtShape(finalShape)}`);
  return finish(storage, finalShape, dtype, opts);
}

function flatten(x: NestedArray, shape: number[], dim: number, out: (number | boolean)[]): void {
  if (dim === shape.length) {
    if (Array.isArray(x)) throw new ShapeError(`tensor: ragged nested array (too deep at dim ${dim})`);
    if (typeof x !== 'number' && typeof x !== 'boolean') throw new ValueError(`tensor: unsupported element ${String(x)}`);
    out.push(x as number | boolean);
    return;
  }
  if (!Array.isArray(x) || x.length !== shape[dim]) {
    throw new ShapeError(`tensor: ragged nested array: expected ${shape[dim]} elements at dim ${dim}, got ${Array.isArray(x) ? x.length : 'a scalar'}`);
  }
  for (const e of x) flatten(e, shape, dim + 1, out);
}

function cast(src: ArrayLike<number>, dtype: DType): Storage {
  const out = allocate(dtype, src.length);
  if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
  else if (dtype === 'int32') for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]);
  else out.set(src);
  return out;
}

function finish(storage: Storage, shape: Shape, dtype: DType, opts: TensorOptions): Tensor {
  const t = Tensor._fromStorage(shape, dtype, storage);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)}`);
  }
}

function filled(op: string, shape: Shape, opts: TensorOptions, fill: (s: Storage) => void): Tensor {
  checkOptions(op, opts, FILLED_KEYS);
  checkShape(op, shape);
  const dtype = opts.dtype ?? 'float32';
  const s = allocate(dtype, sizeOf(shape));
  fill(s);
  return finish(s, shape, dtype, opts);
}

/** @example tg.zeros([2, 3]) */
export function zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
  return filled('zeros', shape, opts, () => {});
}

/** @example tg.ones([2, 3], { dtype: 'int32' }) */
export function ones(shape: Shape, opts: TensorOptions = {}): Tensor {
  return filled('ones', shape, opts, (s) => s.fill(1));
}

/** @example tg.full([2], 7) */
export function full(shape: Shape, value: number | boolean, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  return filled('full', shape, { ...opts, dtype }, (s) => s.fill(Number(value)));
}

/** Zeros of `t`'s shape and dtype (options override). @example tg.zerosLike(x) */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...opts });
}

/** Ones of `t`'s shape and dtype (options override). @example tg.onesLike(x, { dtype: 'int32' }) */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...opts });
}

/** `value` in `t`'s shape and dtype (options override). @example tg.fullLike(x, 0.5) */
export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/**
 * Values from `start` to `end` (exclusive) by `step`; int32 when all arguments are integers.
 * @example tg.arange(5) // [0, 1, 2, 3, 4]
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (step === 0) throw new ValueError('arange: step must be non-zero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  return filled('arange', [n], { ...opts, dtype }, (s) => { for (let i = 0; i < n; i++) s[i] = start + i * step; });
}

/** `steps` evenly spaced values from `start` to `end` inclusive. @example tg.linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1] */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  return filled('linspace', [steps], opts, (s) => {
    for (let i = 0; i < steps; i++) s[i] = i < steps / 2 ? start + i * d : end - (steps - 1 - i) * d;
  });
}

/** Identity matrix n x m. @example tg.eye(3) */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  return filled('eye', [n, m], opts, (s) => { for (let i = 0; i < Math.min(n, m); i++) s[i * m + i] = 1; });
}

/** Uniform [0, 1) samples from the seeded generator (`tg.manualSeed`). @example tg.rand([2, 3]) */
export function rand(shape: Shape, opts: TensorOptions = {}): Tensor {
  return filled('rand', shape, opts, (s) => { for (let i = 0; i < s.length; i++) s[i] = uniform(); });
}

/** Standard normal samples from the seeded generator. @example tg.randn([64, 784]) */
export function randn(shape: Shape, opts: TensorOptions = {}): Tensor {
  return filled('randn', shape, opts, (s) => { for (let i = 0; i < s.length; i++) s[i] = normal(); });
}

/** Integers uniform in [low, high), int32 by default. @example tg.randint(0, 10, [32]) // labels */
export function randint(low: number, high: number, shape: Shape, opts: TensorOptions = {}): Tensor {
  if (!(high > low)) throw new ValueError(`randint: high (${high}) must be greater than low (${low})`);
  return filled('randint', shape, { dtype: 'int32', ...opts }, (s) => { for (let i = 0; i < s.length; i++) s[i] = randInt(low, high); });
}

/** The dtype a JS scalar takes next to a tensor of dtype `other` (PyTorch's scalar promotion). */
export function scalarDType(value: number | boolean, other: DType): DType {
  if (typeof value === 'boolean') return other;
  if (other === 'float32' || !Number.isInteger(value)) return 'float32';
  return 'int32';
}

/** A tensor for an op argument: tensors pass through, scalars become 0-d tensors typed to match `like`. */
export function toTensor(x: TensorLike, like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return tensor(x);
  if (typeof x !== 'number' && typeof x !== 'boolean') {
    throw new DTypeError(`expected a Tensor, number, boolean or (nested) array, got ${x === null ? 'null' : typeof x}`);
  }
  const dtype = like ? scalarDType(x, like.dtype) : typeof x === 'boolean' ? 'bool' : 'float32';
  const s = allocate(dtype, 1);
  s[0] = Number(x);
  return Tensor._fromStorage([], dtype, s);
}
