import { zerosLike } from '../creation.js';
import { sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { trainingKernels } from '../kernels/wasm/runtime.js';

/**
 * Zeros shaped like float32 `p`, held in the training wasm module's memory when it
 * is loaded (optimizer state the wasm update kernels read and write in place, with
 * no copies); an ordinary tensor otherwise. When that memory grows, the tensor is
 * re-pointed at its new view (same values).
 * @example const expAvg = residentZerosLike(param);
 */
export function residentZerosLike(p: Tensor): Tensor {
  const k = trainingKernels();
  if (!k || p.dtype !== 'float32') return zerosLike(p);
  const owner = {};
  let ref: WeakRef<Tensor> | null = null;
  const view = k.residentZeros(sizeOf(p.shape), owner, (v) => {
    const t = ref?.deref();
    if (t) t._storage = v;
  });
  if (!view) return zerosLike(p);
  const t = Tensor._fromStorage(p.shape, 'float32', view);
  ref = new WeakRef(t);
  owners.set(t, owner);
  return t;
}

/** Keeps each block's owner token alive exactly as long as its tensor. */
const owners = new WeakMap<Tensor, object>();
