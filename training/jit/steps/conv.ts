import { unaryKernel } from '../../kernels/arith.js';
import { CONV2D, type Conv2dAttrs } from '../../ops/nn/conv.js';
import { sizeOf } from '../../shape.js';
import type { Step, StepContext } from '../executor.js';

/**
 * relu in place: eager relu's kernel (NaN passes, -0 and -Infinity become +0), whose long
 * arrays run in the training wasm module.
 */
export function reluInPlace(y: Float32Array): void {
  unaryKernel('relu', y, y);
}

/**
 * The step of a `fused.conv2d` node (conv2d, its per-channel bias as an input,
 * then the activation): conv2d's own `forwardInto` writes the planned buffer
 * (or a fresh one when the output escapes the run), then relu runs in place.
 */
export function fusedConvStep({ node, slot, planned, inputRecords }: StepContext): Step {
  const read = inputRecords();
  const attrs = node.attrs as Conv2dAttrs;
  const relu = node.attrs.act === 'relu';
  const out = node.outputs[0];
  const oi = slot(out), n = sizeOf(out.shape);
  const buf = planned(out) as Float32Array | null;
  const targets: Float32Array[] = [];
  return (s) => {
    const y = buf ?? new Float32Array(n);
    targets[0] = y;
    CONV2D.forwardInto!(read(s), attrs, targets);
    if (relu) reluInPlace(y);
    s[oi] = y;
  };
}
