import { DTypeError } from './errors.js';

/** Element types of training tensors. float16/int8 are storage types planned for the converter. */
export type DType = 'float32' | 'int32' | 'bool';

export type Storage = Float32Array | Int32Array | Uint8Array;

/** Every supported dtype (int64/float64 data is given as int32/float32). */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** A new zeroed buffer of `size` elements for `dtype`. */
export function allocate(dtype: DType, size: number): Storage {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
    default: throw new DTypeError(`dtype '${String(dtype)}' is not supported (supported: ${DTYPES.join(', ')})`);
  }
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

/** PyTorch-style promotion between two tensor dtypes: bool < int32 < float32. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Checks `dtype` is one of `allowed`, naming the op and argument otherwise. */
export function expectDType(op: string, what: string, dtype: DType, allowed: readonly DType[]): void {
  if (!allowed.includes(dtype)) {
    throw new DTypeError(`${op}: ${what} has dtype ${dtype}, expected ${allowed.join(' or ')}`);
  }
}
