/**
 * The WebGPU kernel table: builtin code -> kernel, merged from one file per op family.
 * An op missing here (or whose kernel declines a node) runs on the CPU.
 *
 * ```ts
 * GPU_KERNELS.has(BuiltinOp.CONV_2D); // true
 * ```
 */
import { CONV_KERNELS } from './conv.js';
import { ELEMENTWISE_KERNELS } from './elementwise.js';
import { MATMUL_KERNELS } from './matmul.js';
import { POOL_KERNELS } from './pool.js';
import type { GpuKernel } from './program.js';
import { REDUCE_KERNELS } from './reduce.js';
import { SHAPE_KERNELS } from './shape.js';

export const GPU_KERNELS = new Map<number, GpuKernel>([
  ...ELEMENTWISE_KERNELS,
  ...MATMUL_KERNELS,
  ...SHAPE_KERNELS,
  ...CONV_KERNELS,
  ...POOL_KERNELS,
  ...REDUCE_KERNELS,
]);
