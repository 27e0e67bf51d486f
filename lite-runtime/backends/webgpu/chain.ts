/// <reference types="@webgpu/types" />
/**
 * Chaining models on the GPU: `run(inputs, { keepOnGpu: true })` returns each output as a
 * GPUBuffer of float32 real values (quantized outputs dequantized, as the GPU holds them),
 * and any input may be such a buffer, so one model's outputs feed the next with no readback
 * or upload in between. Buffers must come from the same GPU object (device) as the model;
 * returned buffers belong to the caller (`buffer.destroy()` when done).
 *
 * ```ts
 * const [feat] = await encoder.run([pixels], { keepOnGpu: true });   // GpuTensor
 * const [y] = await head.run([feat]);                               // or [{ buffer: feat.buffer, shape: feat.shape }]
 * feat.buffer.destroy();
 * ```
 */
import { InputError, fmtShape } from '../../format/errors.js';

/** An output kept on the GPU: float32 real values, row-major, `4 * prod(shape)` bytes at offset 0. */
export interface GpuTensor {
  name: string;
  shape: number[];
  dtype: 'float32';
  buffer: GPUBuffer;
}

/** A GPU input: a GPUBuffer of float32 real values (usage COPY_SRC), with its shape where the input's shape is dynamic. */
export type GpuInput = GPUBuffer | GpuTensor | { buffer: GPUBuffer; shape: number[] };

/**
 * The shape of a GPU input (`given`, else the input's `current` shape), checked against the
 * `declared` shape (-1: any) and the buffer's size; InputError naming `what` otherwise.
 */
export function checkGpuInput(what: string, g: { buffer: { size: number }; shape: number[] | null }, declared: number[], current: number[]): number[] {
  const shape = g.shape ?? current;
  if (shape.length !== declared.length || shape.some((d, i) => !Number.isInteger(d) || d < 0 || (declared[i] !== -1 && d !== declared[i]))) {
    throw new InputError(`${what}: shape ${fmtShape(shape)} does not match ${fmtShape(declared)}`);
  }
  const need = shape.reduce((n, d) => n * d, 1) * 4;
  if (g.buffer.size < need) throw new InputError(`${what}: GPU buffer of ${g.buffer.size} bytes, shape ${fmtShape(shape)} needs ${need} (float32)`);
  return shape;
}

/** True for a WebGPU buffer object. */
export function isGpuBuffer(v: unknown): v is GPUBuffer {
  return typeof v === 'object' && v !== null && typeof (v as GPUBuffer).mapAsync === 'function'
    && typeof (v as GPUBuffer).size === 'number' && typeof (v as GPUBuffer).usage === 'number';
}

/** The buffer and shape of each GPU input among `values` (by position); the others are left out. */
export function gpuInputs(values: ReadonlyArray<unknown>): Map<number, { buffer: GPUBuffer; shape: number[] | null }> {
  const out = new Map<number, { buffer: GPUBuffer; shape: number[] | null }>();
  values.forEach((v, k) => {
    if (isGpuBuffer(v)) out.set(k, { buffer: v, shape: null });
    else if (typeof v === 'object' && v !== null && isGpuBuffer((v as { buffer?: unknown }).buffer)) {
      const s = (v as { shape?: unknown }).shape;
      out.set(k, { buffer: (v as { buffer: GPUBuffer }).buffer, shape: Array.isArray(s) ? s.slice() : null });
    }
  });
  return out;
}
