/**
 * Reusable float32 work buffers for the nn kernels (im2col columns, padded
 * planes, GEMM results), one per named slot, grown on demand: a training step
 * then allocates no temporary arrays. Kernels are synchronous and a slot is
 * used by one kernel at a time, so a buffer is never shared by two live uses;
 * never hand a scratch view to a caller.
 */

const slots = new Map<string, Float32Array>();

/** Buffers larger than this are allocated per call, not kept (caps what idle slots hold). */
const KEEP_FLOATS = 4 << 20;

/**
 * A Float32Array of exactly `n` floats from slot `name` (contents undefined).
 * @example const col = scratch('conv.col', K * cols);
 */
export function scratch(name: string, n: number): Float32Array {
  if (n > KEEP_FLOATS) return new Float32Array(n);
  let buf = slots.get(name);
  if (!buf || buf.length < n) {
    buf = new Float32Array(Math.max(n, buf ? Math.min(KEEP_FLOATS, buf.length * 2) : 0));
    slots.set(name, buf);
  }
  return buf.length === n ? buf : buf.subarray(0, n);
}
