import type { Step, StepContext } from '../executor.js';
import { fusedElementwiseStep } from './elementwise.js';
import { fusedLinearStep } from './linear.js';
import { plannedStep } from './planned.js';

export { canGenerateCode, programSource, type FusedProgram } from './elementwise.js';
export { SCALAR_OPS } from './scalar.js';
export { plannedStep, runsIntoPlan } from './planned.js';

const KERNELS: Record<string, (ctx: StepContext) => Step> = {
  'fused.elementwise': fusedElementwiseStep,
  'fused.linear': fusedLinearStep,
  // conv2d's kernel into a planned buffer, then the activation in place (planned.ts)
  'fused.conv2d': (ctx) => plannedStep(ctx)!,
};

/** The step builder of a jit-only fused op, or undefined for ops of the op table. */
export function fusedKernel(op: string): ((ctx: StepContext) => Step) | undefined {
  return KERNELS[op];
}
