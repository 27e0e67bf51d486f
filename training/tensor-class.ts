import { allocate, type DType, type Storage } from './dtype.js';
import { backward as runBackward, type GradNode } from './autograd.js';
import { DTypeError, ShapeError, TraceError, ValueError } from './errors.js';
import { fmtShape, type Shape, shapesEqual, sizeOf } from './shape.js';
import { formatTensor } from './format.js';

/** Plain data accepted wherever a tensor is: numbers, booleans, nested arrays, typed arrays. */
export type NestedArray = number | boolean | readonly NestedArray[];
export type TensorData = NestedArray | Float32Array | Int32Array | Uint8Array;
/** What an op argument accepts: a tensor, a scalar, or plain data made into a tensor (`tg.tensor`). */
export type TensorLike = Tensor | TensorData;

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Shape for flat data (typed arrays or flat number arrays). */
  shape?: Shape;
}

const ownDir = new URL('.', import.meta.url).pathname;

/** ` (at file:line:col)` of the first stack frame outside tglite's own sources, or ''. */
function callerLocation(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const frame = frames.find((l) => !l.includes(ownDir) && !/node_modules|node:internal|<anonymous>/.test(l));
  const m = frame?.match(/\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?$/);
  return m ? ` (at ${m[1].replace(/^file:\/\//, '')})` : '';
}

/**
 * An n-dimensional array with PyTorch semantics. Eager tensors hold contiguous
 * row-major storage; tensors created while tracing (tg.jit) hold a graph value.
 * Op methods (`x.add(y)`, `x.matmul(w)`...) are installed by `tensor-methods.ts`;
 * import Tensor from `tensor.ts`, which installs them.
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Whether autograd records ops on this tensor. */
  requiresGrad = false;
  /** Accumulated gradient after `backward()`. */
  grad: Tensor | null = null;
  /** @internal the autograd node that produced this tensor (null for leaves). */
  _gradFn: GradNode | null = null;
  /** @internal contiguous values; null for traced tensors. */
  _storage: Storage | null;
  /** @internal the graph value of a traced tensor (owned by the jit). */
  _trace: unknown = null;
  /** @internal bumped by in-place updates. */
  _version = 0;

  private constructor(shape: Shape, dtype: DType, storage: Storage | null) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this._storage = storage;
  }

  /** @internal wraps existing storage (no copy). */
  static _fromStorage(shape: Shape, dtype: DType, storage: Storage): Tensor {
    if (storage.length !== sizeOf(shape)) {
      throw new ShapeError(`internal: storage of ${storage.length} elements for shape ${fmtShape(shape)}`);
    }
    return new Tensor(shape, dtype, storage);
  }

  /** @internal a tensor standing for a value in a graph being traced. */
  static _traced(shape: Shape, dtype: DType, value: unknown): Tensor {
    const t = new Tensor(shape, dtype, null);
    t._trace = value;
    return t;
  }

  get ndim(): number { return this.shape.length; }
  get numel(): number { return sizeOf(this.shape); }
  /** True while this tensor is a symbolic value inside tg.jit. */
  get isTraced(): boolean { return this._storage === null; }

  /** Size of one dim (negative counts from the end), or the whole shape. */
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    return this.shape[dim < 0 ? dim + this.ndim : dim];
  }

  /** @internal the storage, or a clear error inside tg.jit. */
  _values(what: string): Storage {
    if (this._storage === null) {
      throw new TraceError(`${what}() reads a tensor's values, which are unknown while tracing inside tg.jit${callerLocation()}; ` +
        `use tg.cond / tg.whileLoop for data-dependent control flow, or tg.print to print at run time`);
    }
    return this._storage;
  }

  /** A copy of the values as a typed array (float32 -> Float32Array, int32 -> Int32Array, bool -> Uint8Array). */
  data(): Storage {
    return this._values('data').slice();
  }

  /** The value of a one-element tensor as a JS number (bool -> 0/1; use `.bool()` semantics via `!== 0`). */
  item(): number {
    const v = this._values('item');
    if (v.length !== 1) {
      throw new ValueError(`item: only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)} (${v.length} elements)`);
    }
    return v[0];
  }

  /** Nested JS arrays of the values. */
  tolist(): NestedArray {
    const v = this._values('tolist');
    const toJs = (x: number) => (this.dtype === 'bool' ? x !== 0 : x);
    if (this.ndim === 0) return toJs(v[0]);
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? toJs(v[offset + i]) : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** Prints like PyTorch: `tensor([1., 2.], requires_grad=True)`. */
  toString(): string {
    if (this._storage === null) return `Tensor(traced, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * JS conversion of tensors (`t > 0`, `+t`, `Number(t)`): a one-element eager
   * tensor gives its value, as `float(t)` does in PyTorch; a traced tensor throws
   * the TraceError that says to use tg.cond (the value is unknown while tracing).
   * String conversion keeps printing the tensor.
   */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === 'string') return this.toString();
    if (this.isTraced) {
      try {
        return this._values('valueOf')[0];
      } catch (e) {
        throw new TraceError(`a comparison or arithmetic on a traced tensor (an if on a tensor?) converts it to a JS value: ${(e as Error).message}`);
      }
    }
    if (hint === 'default') return this.toString();
    if (this.numel !== 1) {
      throw new ValueError(`a tensor of shape ${fmtShape(this.shape)} (${this.numel} elements) cannot be converted to a number; only one-element tensors can`);
    }
    return this.item();
  }

  /** Computes gradients of this tensor w.r.t. graph leaves; non-scalars need `gradient`. */
  backward(gradient?: Tensor, opts?: { createGraph?: boolean }): void {
    runBackward(this, gradient, opts);
  }

  /** A tensor sharing these values, cut from the autograd graph. */
  detach(): Tensor {
    if (this._storage === null) {
      const t = Tensor._traced(this.shape, this.dtype, this._trace);
      return t;
    }
    return Tensor._fromStorage(this.shape, this.dtype, this._storage);
  }

  /** Sets `requiresGrad` in place (leaves only); returns this. */
  requiresGrad_(flag = true): this {
    if (flag && this.dtype !== 'float32') {
      throw new DTypeError(`requiresGrad_: only float32 tensors can require gradients, got ${this.dtype}`);
    }
    if (!flag && this._gradFn !== null) {
      throw new ValueError('requiresGrad_: cannot turn off gradients of a non-leaf tensor; use detach()');
    }
    this.requiresGrad = flag;
    return this;
  }

  /** A new leaf tensor with the same values (a copy). */
  clone(): Tensor {
    return Tensor._fromStorage(this.shape, this.dtype, this._values('clone').slice());
  }

  /** Ones of this tensor's shape and dtype. */
  onesLike(): Tensor {
    const s = allocate(this.dtype, this.numel);
    s.fill(1);
    return Tensor._fromStorage(this.shape, this.dtype, s);
  }

  /**
   * @internal Replaces the values in place (optimizer updates, loadStateDict).
   * Shapes and dtypes must match; autograd history is not recorded.
   */
  _assign(values: Tensor | Storage): void {
    const src = values instanceof Tensor ? values._values('assign') : values;
    if (values instanceof Tensor && (!shapesEqual(values.shape, this.shape) || values.dtype !== this.dtype)) {
      throw new ShapeError(`assign: value ${values.dtype}${fmtShape(values.shape)} does not match ${this.dtype}${fmtShape(this.shape)}`);
    }
    const dst = this._values('assign');
    if (src.length !== dst.length) throw new ShapeError(`assign: ${src.length} values for ${dst.length} elements`);
    if (src !== dst) dst.set(src);
    this._version++;
  }
}
