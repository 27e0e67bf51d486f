/**
 * WHILE: loop variables (inputs, copied to the outputs) are passed to the cond
 * subgraph, which returns one bool; while it is true the body subgraph maps the
 * variables to their next values. Variables must keep their shapes across iterations.
 */
import { KernelError, LimitError, fmtShape } from '../format/errors.js';
import { BuiltinOp, WhileOptions } from '../format/schema.js';
import { copyData } from '../format/typed.js';
import type { LiteOp, OpNode, RtTensor } from './op.js';

/** Default iteration limit: a loop running longer is treated as runaway (a bad model), not waited on forever. */
export const MAX_WHILE_ITERATIONS = 1_000_000;

interface WhileState {
  condIndex: number;
  bodyIndex: number;
  condOut: RtTensor;
  vars: RtTensor[];
  none: RtTensor[];
}

function fail(node: OpNode, detail: string): KernelError {
  return new KernelError('WHILE', node.index, detail);
}

export const WHILE: LiteOp<WhileState> = {
  code: BuiltinOp.WHILE,
  name: 'WHILE',
  prepare(node) {
    if (!node.options || !node.prepareSubgraph || !node.runSubgraph) throw fail(node, 'needs WhileOptions and subgraph support');
    if (node.inputs.length !== node.outputs.length) {
      throw fail(node, `has ${node.inputs.length} inputs but ${node.outputs.length} outputs`);
    }
    const inputs: RtTensor[] = [];
    node.inputs.forEach((t, i) => {
      if (!t) throw fail(node, `input ${i} is missing`);
      const out = node.outputs[i]!;
      if (out.dtype !== t.dtype) throw fail(node, `input ${i} is ${t.dtype} but output ${i} is ${out.dtype}`);
      out.shape = t.shape.slice();
      inputs.push(t);
    });
    const condIndex = node.options.i32(WhileOptions.cond_subgraph_index, 0);
    const bodyIndex = node.options.i32(WhileOptions.body_subgraph_index, 0);
    const condOuts = node.prepareSubgraph(condIndex, inputs);
    const condOut = condOuts[0];
    if (condOuts.length !== 1 || !condOut || condOut.dtype !== 'bool') {
      throw fail(node, `cond subgraph ${condIndex} must return one bool, returns ${condOuts.map((t) => t.dtype).join(',') || 'nothing'}`);
    }
    const bodyOuts = node.prepareSubgraph(bodyIndex, inputs);
    if (bodyOuts.length !== inputs.length) throw fail(node, `body subgraph ${bodyIndex} returns ${bodyOuts.length} values for ${inputs.length} loop variables`);
    bodyOuts.forEach((b, i) => {
      const v = inputs[i]!;
      if (b.dtype !== v.dtype || fmtShape(b.shape) !== fmtShape(v.shape)) {
        throw fail(node, `loop variable ${i} is ${v.dtype} ${fmtShape(v.shape)} but the body returns ${b.dtype} ${fmtShape(b.shape)}`);
      }
    });
    return { condIndex, bodyIndex, condOut, vars: node.outputs.slice(), none: [] };
  },
  run(node, s) {
    for (let i = 0; i < s.vars.length; i++) copyData(s.vars[i]!.data, node.inputs[i]!.data);
    const max = node.maxLoopIterations ?? MAX_WHILE_ITERATIONS;
    for (let it = 0; ; it++) {
      node.runSubgraph!(s.condIndex, s.vars, s.none);
      if (!s.condOut.data[0]) break;
      if (it >= max) throw new LimitError(`WHILE (node ${node.index}): more than ${max} iterations (raise maxLoopIterations if the model needs them)`);
      node.runSubgraph!(s.bodyIndex, s.vars, s.vars);
    }
  },
};
