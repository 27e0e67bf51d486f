/**
 * Every op method of Tensor, declared and installed here, in one place: each
 * method calls the op's function (`x.exp()` is `exp(x)`). `tensor.ts` imports
 * this module, so the methods exist as soon as Tensor does, whichever module
 * was imported first. Op files define functions only; their gradients call
 * functions too, never methods.
 *
 * Adding a method: its signature in `TensorMethods`, one line in `METHODS`.
 *
 * ```ts
 * import { Tensor } from './tensor.js';
 * x.add(1).sum().backward();
 * ```
 *
 * Module bodies here must not read the imported functions at load time (only
 * inside the methods): this module is evaluated while an op module that
 * imported `tensor.ts` may still be loading.
 */
import { ShapeError } from './errors.js';
import type { Shape } from './shape.js';
import { Tensor, type TensorLike } from './tensor-class.js';
import * as binary from './ops/binary.js';
import * as unary from './ops/unary.js';
import * as expandOp from './ops/expand.js';
import * as matmulOp from './ops/matmul.js';
import * as castOp from './ops/cast.js';
import * as permuteOp from './ops/permute.js';
import * as reshapeOp from './ops/reshape.js';
import * as sumOp from './ops/sum.js';
import * as whereOp from './ops/where.js';
import * as activation from './ops/math/activation.js';
import * as clampOp from './ops/math/clamp.js';
import type { Dims } from './ops/math/common.js';
import * as cumsumOp from './ops/math/cumsum.js';
import * as extreme from './ops/math/extreme.js';
import * as logsumexpOp from './ops/math/logsumexp.js';
import * as meanOp from './ops/math/mean.js';
import * as moments from './ops/math/moments.js';
import * as prodOp from './ops/math/prod.js';
import * as softmaxOp from './ops/math/softmax.js';
import * as topkOp from './ops/math/topk.js';
import * as gatherOp from './ops/shape/gather.js';
import * as indexSelectOp from './ops/shape/index-select.js';
import * as indexer from './ops/shape/indexer.js';
import * as repeatOp from './ops/shape/repeat.js';
import * as slice from './ops/shape/slice.js';
import * as splitOp from './ops/shape/split.js';
import * as squeezeOp from './ops/shape/squeeze.js';
import * as trilu from './ops/shape/trilu.js';

/** The op methods of Tensor; each is the op function of the same name with `this` as first input. */
export interface TensorMethods {
  // elementwise binary (ops/binary.ts)
  add(other: TensorLike): Tensor;
  sub(other: TensorLike): Tensor;
  mul(other: TensorLike): Tensor;
  div(other: TensorLike): Tensor;
  pow(exponent: TensorLike): Tensor;
  maximum(other: TensorLike): Tensor;
  minimum(other: TensorLike): Tensor;
  eq(other: TensorLike): Tensor;
  ne(other: TensorLike): Tensor;
  lt(other: TensorLike): Tensor;
  le(other: TensorLike): Tensor;
  gt(other: TensorLike): Tensor;
  ge(other: TensorLike): Tensor;
  /** `cond ? this : other`, like torch.Tensor.where. */
  where(cond: Tensor, other: TensorLike): Tensor;

  // elementwise unary (ops/unary.ts, ops/math/)
  neg(): Tensor; abs(): Tensor; sign(): Tensor; sqrt(): Tensor; rsqrt(): Tensor; exp(): Tensor; log(): Tensor;
  log1p(): Tensor; sin(): Tensor; cos(): Tensor; tanh(): Tensor; sigmoid(): Tensor; relu(): Tensor;
  /** @see erf */
  erf(): Tensor;
  /** @see clamp */
  clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
  /** @see clamp */
  clip(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;

  // linear algebra
  matmul(other: Tensor): Tensor;
  /** Product of two 2-D matrices (torch's `x.mm`). */
  mm(other: Tensor): Tensor;
  /** @see bmm */
  bmm(other: Tensor): Tensor;
  /** @see triu */
  triu(diagonal?: number): Tensor;
  /** @see tril */
  tril(diagonal?: number): Tensor;

  // dtype (ops/cast.ts): each returns this tensor when it already has the dtype
  /** To `dtype`, or to the dtype of a tensor (torch's `x.to(other)`). @see cast @example x.to('int32') */
  to(dtype: castOp.CastDType | Tensor): Tensor;
  /** To float32. */
  float(): Tensor;
  /** To int32 (truncating toward zero). */
  int(): Tensor;
  /** To int32, tglite's integer dtype (PyTorch's `.long()` gives int64). */
  long(): Tensor;
  /** To bool (x != 0). */
  bool(): Tensor;
  /** To the dtype of `other`. */
  typeAs(other: Tensor): Tensor;

  // reductions (ops/sum.ts, ops/math/)
  sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** @see mean */
  mean(dim?: Dims, keepdim?: boolean): Tensor;
  /** @see prod */
  prod(dim?: Dims, keepdim?: boolean): Tensor;
  /** @see variance */
  var(dim?: Dims, opts?: moments.VarOptions): Tensor;
  /** @see std */
  std(dim?: Dims, opts?: moments.VarOptions): Tensor;
  /** @see logsumexp */
  logsumexp(dim?: Dims, keepdim?: boolean): Tensor;
  /** @see max */
  max(dim?: Dims, keepdim?: boolean): Tensor;
  /** @see min */
  min(dim?: Dims, keepdim?: boolean): Tensor;
  /** @see amax */
  amax(dim?: Dims, keepdim?: boolean): Tensor;
  /** @see amin */
  amin(dim?: Dims, keepdim?: boolean): Tensor;
  /** @see maxWithIndices */
  maxWithIndices(dim: number, keepdim?: boolean): [Tensor, Tensor];
  /** @see minWithIndices */
  minWithIndices(dim: number, keepdim?: boolean): [Tensor, Tensor];
  /** @see argmax */
  argmax(dim?: number, keepdim?: boolean): Tensor;
  /** @see argmin */
  argmin(dim?: number, keepdim?: boolean): Tensor;
  /** @see softmax */
  softmax(dim: number): Tensor;
  /** @see logSoftmax */
  logSoftmax(dim: number): Tensor;
  /** @see cumsum */
  cumsum(dim: number): Tensor;
  /** @see topk */
  topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): [Tensor, Tensor];

  // shape (ops/reshape.ts, ops/permute.ts, ops/expand.ts, ops/shape/)
  reshape(shape: Shape): Tensor;
  /** Same as reshape: tensors are contiguous. */
  view(shape: Shape): Tensor;
  permute(perm: readonly number[]): Tensor;
  transpose(dim0: number, dim1: number): Tensor;
  /** Transpose of a matrix (rank <= 2), like torch's `.t()`. */
  t(): Tensor;
  /** Broadcasts to `shape` (-1 keeps a dim). @example x.expand([4, -1]) */
  expand(shape: Shape): Tensor;
  /** Broadcasts to the shape of `other`. */
  expandAs(other: Tensor): Tensor;
  /** Reshapes to the shape of `other`. */
  reshapeAs(other: Tensor): Tensor;
  /** Same as reshapeAs. */
  viewAs(other: Tensor): Tensor;
  flatten(startDim?: number, endDim?: number): Tensor;
  squeeze(dim?: number | readonly number[]): Tensor;
  unsqueeze(dim: number): Tensor;
  split(sizeOrSections: number | readonly number[], dim?: number): Tensor[];
  chunk(chunks: number, dim?: number): Tensor[];
  unbind(dim?: number): Tensor[];
  repeat(repeats: readonly number[]): Tensor;
  tile(dims: readonly number[]): Tensor;
  /** `length` elements from `start` along `dim`. */
  narrow(dim: number, start: number, length: number): Tensor;
  /** @see slice @example x.slice(1, 0, null, 2) // every other column */
  slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
  /** The slice at `index` along `dim`, dim removed. */
  select(dim: number, index: number): Tensor;
  /** Reverses along `dims`. */
  flip(dims: number | readonly number[]): Tensor;

  // indexing (ops/shape/)
  /** PyTorch-style `x[...]`; see IndexItem. @example x.index([0, null, '1:3']) */
  index(spec: indexer.IndexItem | readonly indexer.IndexItem[]): Tensor;
  indexSelect(dim: number, index: Tensor): Tensor;
  indexAdd(dim: number, index: Tensor, source: Tensor, alpha?: number): Tensor;
  gather(dim: number, index: Tensor): Tensor;
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
  /** `value` where `mask` is true, this elsewhere (torch's `masked_fill`). @example scores.maskedFill(causal, -Infinity) */
  maskedFill(mask: Tensor, value: TensorLike): Tensor;
}

declare module './tensor-class.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorMethods {}
}

const METHODS: TensorMethods & ThisType<Tensor> = {
  add(other) { return binary.add(this, other); },
  sub(other) { return binary.sub(this, other); },
  mul(other) { return binary.mul(this, other); },
  div(other) { return binary.div(this, other); },
  pow(exponent) { return binary.pow(this, exponent); },
  maximum(other) { return binary.maximum(this, other); },
  minimum(other) { return binary.minimum(this, other); },
  eq(other) { return binary.eq(this, other); },
  ne(other) { return binary.ne(this, other); },
  lt(other) { return binary.lt(this, other); },
  le(other) { return binary.le(this, other); },
  gt(other) { return binary.gt(this, other); },
  ge(other) { return binary.ge(this, other); },
  where(cond, other) { return whereOp.where(cond, this, other); },

  neg() { return unary.neg(this); },
  abs() { return unary.abs(this); },
  sign() { return unary.sign(this); },
  sqrt() { return unary.sqrt(this); },
  rsqrt() { return unary.rsqrt(this); },
  exp() { return unary.exp(this); },
  log() { return unary.log(this); },
  log1p() { return unary.log1p(this); },
  sin() { return unary.sin(this); },
  cos() { return unary.cos(this); },
  tanh() { return unary.tanh(this); },
  sigmoid() { return unary.sigmoid(this); },
  relu() { return unary.relu(this); },
  erf() { return activation.erf(this); },
  clamp(min, max) { return clampOp.clamp(this, min, max); },
  clip(min, max) { return clampOp.clamp(this, min, max); },

  matmul(other) { return matmulOp.matmul(this, other); },
  mm(other) {
    if (this.ndim !== 2 || other?.ndim !== 2) throw new ShapeError(`mm: both arguments must be 2-D, got ${this.ndim}-D and ${other?.ndim}-D; use matmul or bmm for batches`);
    return matmulOp.mm(this, other);
  },
  bmm(other) { return matmulOp.bmm(this, other); },
  triu(diagonal) { return trilu.triu(this, diagonal); },
  tril(diagonal) { return trilu.tril(this, diagonal); },

  to(dtype) { return castOp.cast(this, dtype instanceof Tensor ? dtype.dtype : dtype); },
  float() { return castOp.cast(this, 'float32'); },
  int() { return castOp.cast(this, 'int32'); },
  long() { return castOp.cast(this, 'int32'); },
  bool() { return castOp.cast(this, 'bool'); },
  typeAs(other) { return castOp.cast(this, other.dtype); },

  sum(dim, keepdim) { return sumOp.sum(this, dim, keepdim); },
  mean(dim, keepdim) { return meanOp.mean(this, dim, keepdim); },
  prod(dim, keepdim) { return prodOp.prod(this, dim, keepdim); },
  var(dim, opts) { return moments.variance(this, dim, opts); },
  std(dim, opts) { return moments.std(this, dim, opts); },
  logsumexp(dim, keepdim) { return logsumexpOp.logsumexp(this, dim, keepdim); },
  max(dim, keepdim) { return extreme.max(this, dim, keepdim); },
  min(dim, keepdim) { return extreme.min(this, dim, keepdim); },
  amax(dim, keepdim) { return extreme.amax(this, dim, keepdim); },
  amin(dim, keepdim) { return extreme.amin(this, dim, keepdim); },
  maxWithIndices(dim, keepdim) { return extreme.maxWithIndices(this, dim, keepdim); },
  minWithIndices(dim, keepdim) { return extreme.minWithIndices(this, dim, keepdim); },
  argmax(dim, keepdim) { return extreme.argmax(this, dim, keepdim); },
  argmin(dim, keepdim) { return extreme.argmin(this, dim, keepdim); },
  softmax(dim) { return softmaxOp.softmax(this, dim); },
  logSoftmax(dim) { return softmaxOp.logSoftmax(this, dim); },
  cumsum(dim) { return cumsumOp.cumsum(this, dim); },
  topk(k, dim, largest, sorted) { return topkOp.topk(this, k, dim, largest, sorted); },

  reshape(shape) { return reshapeOp.reshape(this, shape); },
  view(shape) { return reshapeOp.reshape(this, shape); },
  permute(perm) { return permuteOp.permute(this, perm); },
  transpose(dim0, dim1) { return permuteOp.transpose(this, dim0, dim1); },
  t() {
    if (this.ndim > 2) throw new ShapeError(`t: expects a tensor with <= 2 dims, got ${this.ndim}`);
    return this.ndim < 2 ? this : permuteOp.transpose(this, 0, 1);
  },
  expand(shape) { return expandOp.expand(this, shape); },
  expandAs(other) { return expandOp.expand(this, other.shape); },
  reshapeAs(other) { return reshapeOp.reshape(this, other.shape); },
  viewAs(other) { return reshapeOp.reshape(this, other.shape); },
  flatten(startDim, endDim) { return squeezeOp.flatten(this, startDim, endDim); },
  squeeze(dim) { return squeezeOp.squeeze(this, dim); },
  unsqueeze(dim) { return squeezeOp.unsqueeze(this, dim); },
  split(sizeOrSections, dim) { return splitOp.split(this, sizeOrSections, dim); },
  chunk(chunks, dim) { return splitOp.chunk(this, chunks, dim); },
  unbind(dim) { return splitOp.unbind(this, dim); },
  repeat(repeats) { return repeatOp.repeat(this, repeats); },
  tile(dims) { return repeatOp.tile(this, dims); },
  narrow(dim, start, length) { return slice.narrow(this, dim, start, length); },
  slice(dim, start, end, step) { return slice.slice(this, dim, start, end, step); },
  select(dim, index) { return slice.select(this, dim, index); },
  flip(dims) { return slice.flip(this, dims); },

  index(spec) { return indexer.index(this, spec); },
  indexSelect(dim, index) { return indexSelectOp.indexSelect(this, dim, index); },
  indexAdd(dim, index, source, alpha) { return indexSelectOp.indexAdd(this, dim, index, source, alpha); },
  gather(dim, index) { return gatherOp.gather(this, dim, index); },
  scatter(dim, index, src) { return gatherOp.scatter(this, dim, index, src); },
  scatterAdd(dim, index, src) { return gatherOp.scatterAdd(this, dim, index, src); },
  maskedFill(mask, value) { return whereOp.where(mask, value, this); },
};

// Non-enumerable, like class methods.
for (const [name, value] of Object.entries(METHODS)) {
  Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true });
}
