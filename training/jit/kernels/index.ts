import type { Step, StepContext } from '../executor.js';
import { fusedElementwiseStep } from './elementwise.js';
import { fusedLinearStep } from './linear.js';
import { fusedConvStep } from './conv.js';

export { canGenerateCode, programSource, type FusedProgram } from './elementwise.js';
export { SCALAR_OPS } from './scalar.js';

const KERNELS: Record<string, (ctx: StepContext) => Step> = {
  'fused.elementwise': fusedElementwiseStep,
  'fused.linear': fusedLinearStep,
  'fused.conv2d': fusedConvStep,
};

/** The step builder of a jit-only fused op, or undefined for ops of the op table. */
export function fusedKernel(op: string): ((ctx: StepContext) => Step) | undefined {
  return KERNELS[op];
}
