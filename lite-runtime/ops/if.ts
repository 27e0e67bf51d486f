/**
 * IF: runs `then_subgraph_index` when the bool condition (input 0) is true, else
 * `else_subgraph_index`, passing inputs 1.. and copying the branch's outputs out.
 * Both branches are prepared at load; their output shapes and dtypes must agree.
 */
import { KernelError, fmtShape } from '../format/errors.js';
import { BuiltinOp, IfOptions } from '../format/schema.js';
import type { LiteOp, OpNode, RtTensor } from './op.js';

interface IfState {
  thenIndex: number;
  elseIndex: number;
  args: RtTensor[];
  outs: RtTensor[];
}

function fail(node: OpNode, detail: string): KernelError {
  return new KernelError('IF', node.index, detail);
}

export const IF: LiteOp<IfState> = {
  code: BuiltinOp.IF,
  name: 'IF',
  prepare(node) {
    if (!node.options || !node.prepareSubgraph || !node.runSubgraph) throw fail(node, 'needs IfOptions and subgraph support');
    const cond = node.inputs[0];
    if (!cond || cond.dtype !== 'bool' || cond.shape.some((d) => d === 0)) {
      throw fail(node, `input 0 must be a non-empty bool condition${cond ? `, got ${cond.dtype} ${fmtShape(cond.shape)}` : ''}`);
    }
    const args: RtTensor[] = [];
    for (let i = 1; i < node.inputs.length; i++) {
      const t = node.inputs[i];
      if (!t) throw fail(node, `input ${i} is missing`);
      args.push(t);
    }
    const thenIndex = node.options.i32(IfOptions.then_subgraph_index, 0);
    const elseIndex = node.options.i32(IfOptions.else_subgraph_index, 0);
    const thenOut = node.prepareSubgraph(thenIndex, args);
    const elseOut = node.prepareSubgraph(elseIndex, args);
    if (thenOut.length !== node.outputs.length || elseOut.length !== node.outputs.length) {
      throw fail(node, `has ${node.outputs.length} outputs but branches return ${thenOut.length} and ${elseOut.length}`);
    }
    node.outputs.forEach((out, k) => {
      const a = thenOut[k]!;
      const b = elseOut[k]!;
      if (fmtShape(a.shape) !== fmtShape(b.shape) || a.dtype !== b.dtype || a.dtype !== out.dtype) {
        throw fail(node, `output ${k}: branches give ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}, output is ${out.dtype}`);
      }
      out.shape = a.shape.slice();
    });
    return { thenIndex, elseIndex, args, outs: node.outputs.slice() };
  },
  run(node, s) {
    const cond = node.inputs[0]!.data[0];
    node.runSubgraph!(cond ? s.thenIndex : s.elseIndex, s.args, s.outs);
  },
};
