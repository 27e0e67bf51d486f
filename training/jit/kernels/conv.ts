import { TraceError } from '../../errors.js';
import { getOp, type Attrs, type TensorMeta } from '../../ops/registry.js';
import { sizeOf } from '../../shape.js';
import type { Step, StepContext } from '../executor.js';

/**
 * The step of a `fused.conv2d` node: the op table's conv2d kernel (bias
 * included), then the activation applied in place on its output.
 */
export function fusedConvStep({ node, slot, inputRecords }: StepContext): Step {
  const def = getOp('conv2d');
  if (!def) throw new TraceError('jit: fused.conv2d needs the conv2d op');
  const { act, ...rest } = node.attrs;
  const attrs = rest as Attrs;
  const relu = act === 'relu';
  const oi = slot(node.outputs[0]);
  const metas: TensorMeta[] = [{ shape: node.outputs[0].shape, dtype: 'float32' }];
  // the conv kernel takes the bias flat ([C]); the fused node's bias input is [C, 1, 1] or [1, C, 1, 1]
  const read = inputRecords(node.inputs.map((v, i) => (i === 2 ? [sizeOf(v.shape)] : v.shape)));
  return (s) => {
    const y = def.forward(read(s), attrs, metas)[0] as Float32Array;
    if (relu) reluInPlace(y);
    s[oi] = y;
  };
}

/** relu in place, branch-free for finite values (see SCALAR_OPS.relu); NaN passes, -Infinity becomes 0. */
export function reluInPlace(y: Float32Array): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    y[i] = v > -Infinity || v !== v ? (v + Math.abs(v)) * 0.5 : 0;
  }
}
