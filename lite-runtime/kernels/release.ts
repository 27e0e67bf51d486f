/**
 * Frees the wasm memory held by kernel handles (packed weights, fused int8 blocks)
 * found in an object's own values, one level of arrays deep: an op's prepared state,
 * when the model is disposed or re-prepared. Other values are left alone.
 */
import { Packed } from './packed.js';
import { freeFused, fusedBytes, isFused } from './qfused.js';

function releaseOne(v: unknown): void {
  if (v instanceof Packed) v.free();
  else if (isFused(v)) freeFused(v);
}

/**
 * @example releaseHandles(step.state); // after the model is done with it
 */
export function releaseHandles(state: unknown): void {
  if (state === null || typeof state !== 'object') return;
  for (const v of Object.values(state)) {
    if (Array.isArray(v)) v.forEach(releaseOne);
    else releaseOne(v);
  }
}

/**
 * Bytes held by the kernel handles in an object's own values (the same walk as
 * `releaseHandles`): the packed weights an op's prepared state keeps.
 * @example const bytes = handleBytes(step.state);
 */
export function handleBytes(state: unknown): number {
  if (state === null || typeof state !== 'object') return 0;
  const one = (v: unknown): number => (v instanceof Packed ? v.bytes : isFused(v) ? fusedBytes(v) : 0);
  let n = 0;
  for (const v of Object.values(state)) n += Array.isArray(v) ? v.reduce((s: number, x: unknown) => s + one(x), 0) : one(v);
  return n;
}
