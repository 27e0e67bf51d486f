import type { Node } from '../../graph/ir.js';
import type { Step, StepContext } from '../executor.js';
import { fusedConvStep } from './conv.js';
import { fusedElementwiseStep } from './elementwise.js';
import { fusedLinearStep } from './linear.js';
import { runsIntoPlan as opRunsIntoPlan } from './planned.js';

export { canGenerateCode, programSource, type FusedProgram } from './elementwise.js';
export { plannedStep } from './planned.js';

/** The steps of the jit's fused ops; each writes into a buffer it is given. */
const FUSED_STEPS = new Map<string, (ctx: StepContext) => Step>([
  ['fused.elementwise', fusedElementwiseStep],
  ['fused.linear', fusedLinearStep],
  ['fused.conv2d', fusedConvStep],
]);

/**
 * Whether a node's step writes into a buffer it is given, so the memory plan
 * gives its outputs one: the fused ops, and ops of the table with `forwardInto`.
 */
export function runsIntoPlan(node: Node): boolean {
  return FUSED_STEPS.has(node.op) || opRunsIntoPlan(node);
}

/** The step builder of a jit-only fused op, or undefined for ops of the op table. */
export function fusedStep(op: string): ((ctx: StepContext) => Step) | undefined {
  return FUSED_STEPS.get(op);
}
