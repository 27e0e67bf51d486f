/** LOGICAL_NOT on a bool tensor. */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { expectDType, input, numElements, output, setOutput } from './util/check.js';

export const LOGICAL_NOT: LiteOp<{ n: number }> = {
  code: BuiltinOp.LOGICAL_NOT,
  name: 'LOGICAL_NOT',
  prepare(node) {
    const x = input('LOGICAL_NOT', node, 0);
    expectDType('LOGICAL_NOT', node, 'input 0', x, 'bool');
    setOutput('LOGICAL_NOT', node, output('LOGICAL_NOT', node, 0), [...x.shape], 'bool');
    return { n: numElements(x.shape) };
  },
  run(node: OpNode, { n }) {
    const x = node.inputs[0]!.data as Uint8Array, y = node.outputs[0]!.data as Uint8Array;
    for (let i = 0; i < n; i++) y[i] = x[i] ? 0 : 1;
  },
};
