import { zerosLike } from '../creation.js';
import { sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { trainingKernels } from '../kernels/wasm/runtime.js';

/**
 * Parameters at least this long are made resident by optimizers (makeResident), and update in
 * the wasm module (Adam); shorter ones stay in JS, where a call into wasm (~5 us of copies and
 * bookkeeping) would cost more than it saves.
 */
export const RESIDENT_MIN = 4096;

/**
 * Zeros shaped like float32 `p`, held in the training wasm module's memory when it
 * is loaded (optimizer state the wasm update kernels read and write in place, with
 * no copies); an ordinary tensor otherwise. When that memory grows, the tensor is
 * re-pointed at its new view (same values).
 * @example const expAvg = residentZerosLike(param);
 */
export function residentZerosLike(p: Tensor): Tensor {
  const t = Tensor._fromStorage(p.shape, p.dtype, zerosLike(p)._values('residentZerosLike'));
  makeResident(t);
  return t;
}

/**
 * Moves a float32 tensor's values into the training wasm module's memory (when it is
 * loaded and has room), where the wasm kernels read and update them in place: the GEMMs
 * read resident weights without copying them, Adam updates them where they lie. The tensor
 * keeps its values; only its storage changes (`data()` returns copies, so nothing outside
 * sees the move, and the jit reads a parameter's storage on every run). False when it stays.
 * @example makeResident(linear.weight);
 */
export function makeResident(t: Tensor): boolean {
  const k = trainingKernels();
  const values = t._storage;
  if (!k || t.dtype !== 'float32' || !(values instanceof Float32Array) || k.isResident(values)) return false;
  const owner = {};
  const ref = new WeakRef(t);
  let current: Float32Array | null = null;
  const view = k.residentZeros(sizeOf(t.shape), owner, (v) => {
    const x = ref.deref();
    if (x && x._storage === current) x._storage = v; // unless its storage was replaced since
    current = v;
  });
  if (!view) return false;
  view.set(values);
  t._storage = current = view;
  owners.set(t, owner);
  return true;
}

/** Keeps each block's owner token alive exactly as long as its tensor. */
const owners = new WeakMap<Tensor, object>();
