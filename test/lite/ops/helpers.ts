/** Test helpers: hand-built tensors, options tables and nodes to drive one LiteOp. */
import type { LiteDType, LiteOp, OpNode, OptionsTable, Quantization, RtTensor, TypedArray } from '../../../lite-runtime/ops/op.js';

let nextIndex = 0;

/** Typed array for a dtype. */
export function alloc(dtype: LiteDType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'float16': return new Uint16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    case 'int64': return new BigInt64Array(n);
    default: throw new Error(`no array for ${dtype}`);
  }
}

export interface TensorOpts {
  name?: string;
  isConst?: boolean;
  /** scale(s), zero point(s), axis. */
  quant?: { scale: number | number[]; zeroPoint?: number | number[]; axis?: number };
}

/** A tensor with data (or zeros when `data` is omitted). */
export function tensor(dtype: LiteDType, shape: number[], data?: ArrayLike<number> | ArrayLike<bigint>, opts: TensorOpts = {}): RtTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const arr = alloc(dtype, n);
  if (data) {
    if (data.length !== n) throw new Error(`tensor data has ${data.length} values, shape needs ${n}`);
    (arr as { set(a: ArrayLike<unknown>): void }).set(data as ArrayLike<unknown>);
  }
  let quant: Quantization | undefined;
  if (opts.quant) {
    const s = Array.isArray(opts.quant.scale) ? opts.quant.scale : [opts.quant.scale];
    const zp = opts.quant.zeroPoint ?? 0;
    const z = Array.isArray(zp) ? zp : s.map(() => zp);
    quant = { scale: Float32Array.from(s), zeroPoint: Int32Array.from(z), axis: opts.quant.axis ?? 0 };
  }
  return { index: nextIndex++, name: opts.name ?? `t${nextIndex}`, dtype, shape: [...shape], data: arr, isConst: !!opts.isConst, quant };
}

/** A constant tensor (weights). */
export function constant(dtype: LiteDType, shape: number[], data: ArrayLike<number> | ArrayLike<bigint>, opts: TensorOpts = {}): RtTensor {
  return tensor(dtype, shape, data, { ...opts, isConst: true });
}

/** An output placeholder: dtype (+quant), shape filled by prepare. */
export function out(dtype: LiteDType, quant?: TensorOpts['quant']): RtTensor {
  return tensor(dtype, [0], [], { quant });
}

type OptValue = number | boolean | string | number[];

/** An OptionsTable over a plain object keyed by schema field id; absent fields give defaults. */
export function options(fields: Record<number, OptValue>): OptionsTable {
  const num = (f: number, d: number): number => {
    const v = fields[f];
    return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : d;
  };
  return {
    bool: (f, d) => (fields[f] === undefined ? d : !!fields[f]),
    i8: num, u8: num, i16: num, i32: num,
    f32: (f, d) => Math.fround(num(f, d)),
    i32Vector: (f) => (Array.isArray(fields[f]) ? Int32Array.from(fields[f] as number[]) : null),
    str: (f) => (typeof fields[f] === 'string' ? (fields[f] as string) : null),
  };
}

/** A node with the given tensors and options. */
export function node(inputs: Array<RtTensor | null>, outputs: RtTensor[], opts: Record<number, OptValue> | null = {}, version = 1): OpNode {
  return { index: 7, inputs, outputs, options: opts ? options(opts) : null, version };
}

/**
 * Prepares `def` on `n`, allocates its outputs, runs it `times` times, and returns the outputs.
 * Like the interpreter, non-constant inputs hold no data during prepare (the arena is planned after).
 * With LITE_OPS_STRICT=1 every element access is bounds-checked (see `guardElements`).
 */
export function runOp<S>(def: LiteOp<S>, n: OpNode, times = 1): RtTensor[] {
  const live = n.inputs.map((t) => (t && !t.isConst ? t.data : null));
  n.inputs.forEach((t) => { if (t && !t.isConst) t.data = alloc(t.dtype, 0); });
  let state: S;
  try {
    state = def.prepare(n);
  } finally {
    n.inputs.forEach((t, i) => { if (t && live[i]) t.data = live[i]!; });
  }
  for (const o of n.outputs) o.data = alloc(o.dtype, o.shape.reduce((a, b) => a * b, 1));
  if (process.env.LITE_OPS_STRICT === '1') {
    n.inputs.forEach((t) => { if (t) t.data = guardElements(t.data); });
    n.outputs.forEach((t) => { t.data = guardElements(t.data); });
  }
  for (let i = 0; i < times; i++) def.run(n, state);
  return [...n.outputs];
}

/**
 * Wraps a typed array so that reading or writing an element outside it throws a
 * RangeError (plain typed arrays silently read undefined). `LITE_OPS_STRICT=1` makes
 * `runOp` guard every tensor; the op fuzz always does.
 */
export function guardElements<A extends object>(a: A): A {
  const len = (a as unknown as { length: number }).length;
  const check = (p: string | symbol): void => {
    if (typeof p === 'string' && /^-?\d+$/.test(p) && (+p < 0 || +p >= len)) throw new RangeError(`element ${p} outside [0, ${len})`);
  };
  return new Proxy(a, {
    get(t, p) { check(p); const v = Reflect.get(t, p, t); return typeof v === 'function' ? v.bind(t) : v; },
    set(t, p, v) { check(p); return Reflect.set(t, p, v, t); },
  });
}

/** Deterministic PRNG (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform floats in [lo, hi). */
export function randf(r: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** n uniform ints in [lo, hi]. */
export function randi(r: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + Math.floor((hi - lo + 1) * r()));
}

/** Max |a - b| over two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
